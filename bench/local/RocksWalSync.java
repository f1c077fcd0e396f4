import org.rocksdb.*;
import java.nio.file.*;
import java.util.*;

/**
 * RocksDB alone (no EvidentSource code): one writer commits a WriteBatch of ~600 bytes and waits
 * for it to be on disk, under several option sets, one after the other in one JVM:
 *   java -cp ~/.m2/repository/org/rocksdb/rocksdbjni/11.8.1/rocksdbjni-11.8.1.jar \
 *     bench/local/RocksWalSync.java SECONDS VARIANTS ROUNDS     (e.g. 3 base,recycle,syncput 2)
 * Variants (joined with +): base (write unsynced, then flushWal(true), as storage-local does),
 * syncput (write with sync=true), nosync, raw (FileChannel write + force(false), no RocksDB),
 * recycle (recycle_log_file_num=4), fsync (use_fsync), manual (manual_wal_flush), bps
 * (wal_bytes_per_sync=1 MiB), nofalloc, tolerate / absolute / skip (other WAL recovery modes).
 * Prints the writer thread CPU per commit, commits/s, p50/p90/p99 and recycle_log_file_num as
 * RocksDB wrote it to its OPTIONS file (RocksDB turns it off where the recovery mode forbids it).
 * -Ddir=PATH: where the temporary databases go (default: the working directory).
 */
public class RocksWalSync {
  public static void main(String[] a) throws Exception {
    RocksDB.loadLibrary();
    String[] variants = a.length > 1 ? a[1].split(",") : new String[]{"base","recycle","fsync","manual","bps","syncput"};
    int seconds = Integer.parseInt(a.length > 0 ? a[0] : "4");
    int rounds = a.length > 2 ? Integer.parseInt(a[2]) : 2;
    for (int r = 0; r < rounds; r++) for (String v : variants) run(v, seconds);
  }
  static void run(String v, int seconds) throws Exception {
    Path dir = Files.createTempDirectory(Path.of(System.getProperty("dir", ".")), "ra");
    var o = new Options().setCreateIfMissing(true).setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
        .setInfoLogLevel(InfoLogLevel.WARN_LEVEL).setParanoidChecks(true);
    boolean manual = false, syncput = false, nosync = false, cfs = false, raw = false;
    for (String part : v.split("\\+")) switch (part) {
      case "base" -> {}
      case "recycle" -> o.setRecycleLogFileNum(4);
      case "fsync" -> o.setUseFsync(true);
      case "manual" -> { o.setManualWalFlush(true); manual = true; }
      case "bps" -> o.setWalBytesPerSync(1 << 20);
      case "syncput" -> syncput = true;
      case "nosync" -> nosync = true;
      case "cfs" -> cfs = true;
      case "raw" -> raw = true;
      case "tolerate" -> o.setWalRecoveryMode(WALRecoveryMode.TolerateCorruptedTailRecords);
      case "absolute" -> o.setWalRecoveryMode(WALRecoveryMode.AbsoluteConsistency);
      case "skip" -> o.setWalRecoveryMode(WALRecoveryMode.SkipAnyCorruptedRecords);
      case "nofalloc" -> o.setAllowFAllocate(false);
      default -> throw new IllegalArgumentException(part);
    }
    var unsynced = new WriteOptions().setSync(false);
    var synced = new WriteOptions().setSync(true);
    byte[] val = new byte[600]; Arrays.fill(val, (byte) 'x');
    long[] lat = new long[1 << 21]; int n = 0; var tb = java.lang.management.ManagementFactory.getThreadMXBean(); long cpu0 = 0;
    var ch = java.nio.channels.FileChannel.open(dir.resolve("raw.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE); var bb = java.nio.ByteBuffer.allocateDirect(700);
    try (var db = RocksDB.open(o, dir.toString())) {
      long seq = 0;
      long end = System.nanoTime() + 1_000_000_000L; // warm-up 1 s
      boolean measuring = false; long mStart = 0;
      while (true) {
        long now = System.nanoTime();
        if (!measuring && now > end) { measuring = true; mStart = now; cpu0 = tb.getCurrentThreadCpuTime(); end = now + seconds * 1_000_000_000L; }
        else if (measuring && now > end) break;
        long t = System.nanoTime();
        try (var b = new WriteBatch()) {
          b.put(key(seq++), val); b.put("head".getBytes(), key(seq));
          if (raw) { bb.clear(); ch.write(bb); ch.force(false); } else if (syncput) db.write(synced, b);
          else if (nosync) db.write(unsynced, b); else { db.write(unsynced, b); db.flushWal(true); }
        }
        long d = System.nanoTime() - t;
        if (measuring && n < lat.length) lat[n++] = d;
      }
      double el = (System.nanoTime() - mStart) / 1e9; double cpuPer = (tb.getCurrentThreadCpuTime() - cpu0) / 1e3 / n;
      long[] s = Arrays.copyOf(lat, n); Arrays.sort(s);
      String recycle = Files.readString(Files.list(dir).filter(p -> p.getFileName().toString().startsWith("OPTIONS-")).max(Comparator.naturalOrder()).get())
          .lines().filter(l -> l.trim().startsWith("recycle_log_file_num")).findFirst().orElse("").trim();
      System.out.printf(Locale.ROOT, "%-16s cpu %.0f us/commit %7.0f commits/s p50 %.3f ms p90 %.3f p99 %.3f ms  (%s) load %s%n", v, cpuPer, n / el,
          s[n / 2] / 1e6, s[(int)(n*.9)]/1e6, s[(int) (n * .99)] / 1e6, recycle, Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } finally {
      try (var st = Files.walk(dir)) { st.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); }
    }
  }
  static byte[] key(long s) { return java.nio.ByteBuffer.allocate(9).put((byte) 'e').putLong(s).array(); }
}
