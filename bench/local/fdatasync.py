"""write(700 bytes) + fdatasync on three files, in turn, three times: a file grown with
fallocate(FALLOC_FL_KEEP_SIZE) as RocksDB preallocates its WAL, one whose blocks were written
beforehand (as PostgreSQL preallocates WAL segments; a recycled RocksDB WAL), a plain growing one.
Prints the kernel and user CPU per write+sync and the wall-clock percentiles.
  python3 bench/local/fdatasync.py DIR 1500"""
import os, time, sys, ctypes, resource
libc=ctypes.CDLL(None,use_errno=True)
d=sys.argv[1]; n=int(sys.argv[2])
def mk(kind):
    fd=os.open(d+'/'+kind,os.O_RDWR|os.O_CREAT|os.O_TRUNC,0o644)
    if kind.startswith('grow-falloc'): libc.fallocate(fd,1,ctypes.c_long(0),ctypes.c_long(64<<20))
    if kind.startswith('pre'):
        for i in range(16): os.write(fd,b'\0'*(1<<20))
        os.fsync(fd); os.lseek(fd,0,0)
    return fd
kinds=['grow-falloc','pre-written','grow-plain']
res={k:[0,0,[]] for k in kinds}
for r in range(3):
  for kind in kinds:
    fd=mk(kind); buf=b'x'*700
    ru0=resource.getrusage(resource.RUSAGE_THREAD); lat=res[kind][2]
    for i in range(n):
        t=time.perf_counter(); os.write(fd,buf); os.fdatasync(fd); lat.append(time.perf_counter()-t)
    ru1=resource.getrusage(resource.RUSAGE_THREAD)
    res[kind][0]+=ru1.ru_stime-ru0.ru_stime; res[kind][1]+=ru1.ru_utime-ru0.ru_utime
    os.close(fd); os.unlink(d+'/'+kind)
for k,(st,ut,lat) in res.items():
    m=len(lat); lat.sort()
    print(f"{k:12s} sys CPU/op {st/m*1e6:.0f} us user {ut/m*1e6:.0f} us  wall p50 {lat[m//2]*1e3:.3f} ms p90 {lat[int(m*.9)]*1e3:.3f} p99 {lat[int(m*.99)]*1e3:.3f}")
print(open('/proc/loadavg').read())
