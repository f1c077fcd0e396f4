#!/usr/bin/env python3
"""The share of a JFR recording's Java samples spent in observability (see observation-profile.sh).

A sample counts when a frame of its stack is observability's (observability_frames.py). Usage:
  observation-share.py A.jfr [B.jfr ...]   # each file's share; then B, C... against A
"""
import collections
import json
import os
import shutil
import subprocess
import sys

from observability_frames import is_observability


def jfr_tool():
    java = shutil.which("java")
    beside = os.path.join(os.path.dirname(os.path.realpath(java)), "jfr") if java else None
    return os.environ.get("JFR") or (beside if beside and os.path.exists(beside) else "jfr")


def samples(path):
    out = subprocess.run(
        [jfr_tool(), "print", "--json", "--stack-depth", "600", "--events", "jdk.ExecutionSample", path],
        capture_output=True, text=True, check=True).stdout
    for event in json.loads(out)["recording"]["events"]:
        yield event["values"]["stackTrace"]["frames"]


def share(path):
    total = observed = 0
    entries = collections.Counter()
    for frames in samples(path):
        total += 1
        names = []
        for frame in frames:
            kind = frame["method"]["type"]["name"]
            name = kind.split("/")[-1] + "." + frame["method"]["name"]
            if is_observability(kind, name):
                names.append(name)
        if names:
            observed += 1
            entries[names[-1]] += 1  # the outermost observability frame: its entry point
    print("%s: %d samples, %.1f %% in observability" % (path, total, 100.0 * observed / total))
    for name, n in entries.most_common(8):
        print("    %4.1f %%  %s" % (100.0 * n / total, name))
    return observed / total


shares = [share(p) for p in sys.argv[1:]]
for path, s in zip(sys.argv[2:], shares[1:]):
    print("%s against %s: CPU ratio %.3f" % (path, sys.argv[1], (1 - shares[0]) / (1 - s)))
