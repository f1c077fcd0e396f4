#!/usr/bin/env python3
"""Per-request CPU by where it went, from bench/rest/cpu-profile.sh's profiles (docs/benchmarks.md).

Each sample of a profile is 1 ms of the server's CPU time; divided by the requests answered in the
same 30 s, it gives microseconds of CPU per request. A sample counts as observability when a frame
of its stack is observability's (observability_frames.py, as observation-share.py counts); it is
listed under its outermost such frame. GC and JIT are the collector's and the compilers' threads; kernel
is the rest of the samples that end in the kernel (network and scheduling on the server's behalf).
Usage: cpu-share.py bench/results/cpu-off bench/results/cpu-on [...]  (the profiles' names)
"""
import collections
import sys

from observability_frames import is_observability

GC = ("VM_GenCollect", "GenCollectedHeap", "SerialHeap", "DefNewGeneration", "G1CollectedHeap",
      "GCTaskThread", "ParallelScavenge", "ConcurrentGCThread", "WorkerThread")
JIT = ("CompileBroker", "C2Compiler", "Compile::", "C1Compiler")


def category(frames):
    joined = ";".join(frames)
    if any(g in joined for g in GC):
        return "gc", None
    if any(j in joined for j in JIT):
        return "jit", None
    for frame in frames:  # root first: the first match is the outermost
        method = frame.split("/")[-1]
        if is_observability(frame, method):
            return "observability", method
    if frames[-1].endswith("_[k]"):
        return "kernel", None
    return "other", None


def profile(name):
    requests = int(open(name + ".requests").read().split()[0])
    totals, entries = collections.Counter(), collections.Counter()
    for line in open(name + ".collapsed"):
        stack, count = line.rstrip("\n").rsplit(" ", 1)
        kind, entry = category(stack.split(";"))
        totals[kind] += int(count)
        if entry:
            entries[entry] += int(count)
    return requests, totals, entries


names = sys.argv[1:]
if not names:
    sys.exit(__doc__)
profiles = [profile(n) for n in names]
width = max(len(n.split("/")[-1]) for n in names) + 2
print("us of CPU per request".ljust(58) + "".join(n.split("/")[-1].rjust(width) for n in names))
rows = [("all", lambda t, e: sum(t.values()))]
rows += [(k, lambda t, e, k=k: t[k]) for k in ("other", "kernel", "gc", "jit", "observability")]
top = collections.Counter()
for _, _, entries in profiles:
    for entry, count in entries.most_common(10):
        top[entry] = max(top[entry], count)
rows += [("  " + e[:54], lambda t, e2, e=e: e2[e]) for e, _ in top.most_common(10)]
for label, value in rows:
    print(label.ljust(58) + "".join(
        ("%.2f" % (1000.0 * value(t, e) / r)).rjust(width) for r, t, e in profiles))
