#!/usr/bin/env python3
"""Per-request CPU by where it went, from cpu-profile.sh's or ab-cpu.sh's profiles (docs/benchmarks.md).

Each sample of a profile is 1 ms of the server's CPU time; divided by the requests answered while
it was taken, it gives microseconds of CPU per request. A sample counts as observability when a frame
of its stack is observability's (observability_frames.py, as observation-share.py counts); it is
listed under its outermost such frame. GC and JIT are the collector's and the compilers' threads; kernel
is the rest of the samples that end in the kernel (network and scheduling on the server's behalf).
Usage: cpu-share.py bench/results/cpu-off bench/results/cpu-on [...]  (the profiles' names)
A column may add several profiles up, joined by '+': with ab-cpu.sh's CPU_PROFILES=DIR,
  cpu-share.py DIR/a-1+DIR/a-2+DIR/a-3 DIR/b-1+DIR/b-2+DIR/b-3  (server A's and B's rounds)
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
    """One column: a profile, or several joined by '+' (their samples and requests added)."""
    requests, totals, entries = 0, collections.Counter(), collections.Counter()
    for part in name.split("+"):
        requests += int(open(part + ".requests").read().split()[0])
        for line in open(part + ".collapsed"):
            stack, count = line.rstrip("\n").rsplit(" ", 1)
            kind, entry = category(stack.split(";"))
            totals[kind] += int(count)
            if entry:
                entries[entry] += int(count)
    return requests, totals, entries


def label(name):
    parts = name.split("+")
    first = parts[0].split("/")[-1]
    return first if len(parts) == 1 else "%s (%d)" % (first, len(parts))


names = sys.argv[1:]
if not names:
    sys.exit(__doc__)
profiles = [profile(n) for n in names]
width = max(max(len(label(n)) for n in names) + 2, 10)
print("us of CPU per request".ljust(58) + "".join(label(n).rjust(width) for n in names))
rows = [("all", lambda t, e: sum(t.values()))]
rows += [(k, lambda t, e, k=k: t[k]) for k in ("other", "kernel", "gc", "jit", "observability")]
top = collections.Counter()
for _, _, entries in profiles:
    for entry, count in entries.most_common(10):
        top[entry] = max(top[entry], count)
rows += [("  " + e[:54], lambda t, e2, e=e: e2[e]) for e, _ in top.most_common(10)]
for row, value in rows:
    print(row.ljust(58) + "".join(
        ("%.2f" % (1000.0 * value(t, e) / r)).rjust(width) for r, t, e in profiles))
