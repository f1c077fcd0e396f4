#!/usr/bin/env bash
# Builds bench/target/benchmarks.jar and runs every benchmark, writing bench/results/*.txt
# (human-readable JMH logs and the heap report) and *.json (JMH machine-readable results).
#
#   bench/run.sh            full run sized for a 2-core box (about 6-7 minutes); use a quiet machine
#   bench/run.sh --smoke    tiny iterations, proves everything runs (about 1 minute); numbers meaningless
#
# Environment: JMH_OPTS overrides the JMH options of the full run; SKIP_BUILD=1 reuses the jar;
# JAVA picks the java binary (default: java on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full
if [[ ${1:-} == --smoke ]]; then
  mode=smoke
elif [[ $# -gt 0 ]]; then
  echo "usage: bench/run.sh [--smoke]" >&2
  exit 2
fi

JAVA=${JAVA:-java}
OUT=bench/results
JAR=bench/target/benchmarks.jar
if [[ $mode == smoke ]]; then
  JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 1 -i 1 -w 1s -r 1s"}
  HEAP_EVENTS=200000
  OUT=bench/results/smoke
else
  # 1 fork, 2 x 5 s warmup, 3 x 10 s measurement per benchmark and parameter combination:
  # AppendBenchmark 4 trials x ~45 s, QueryBenchmark 3 trials x ~45 s (incl. loading 1M events
  # per fork), HeapPerEvent 3 runs x ~15 s: about 6-7 minutes in all
  JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 2 -i 3 -w 5s -r 10s"}
  HEAP_EVENTS=1000000
fi
mkdir -p "$OUT"

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  echo "== building $JAR"
  ./mvnw -q -B package -pl bench -am -DskipTests
fi

{
  echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
  echo "cpus:    $(nproc)"
  echo "memory:  $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "jmh:     $JMH_OPTS"
  "$JAVA" -version 2>&1 | sed 's/^/java:    /'
} | tee "$OUT/environment.txt"

echo "== AppendBenchmark (throughput; transact = tx/s, transact:events = events/s)"
"$JAVA" -jar "$JAR" 'io.evidentsource.bench.AppendBenchmark' $JMH_OPTS \
  -rf json -rff "$OUT/append.json" | tee "$OUT/append.txt"

echo "== QueryBenchmark (latency in us; p0.50 / p0.99 / p0.999 rows)"
"$JAVA" -jar "$JAR" 'io.evidentsource.bench.QueryBenchmark' $JMH_OPTS \
  -rf json -rff "$OUT/query.json" | tee "$OUT/query.txt"

echo "== HeapPerEvent"
{
  "$JAVA" -Xmx4g -cp "$JAR" io.evidentsource.bench.HeapPerEvent --events "$HEAP_EVENTS" --strings fresh
  echo
  "$JAVA" -Xmx4g -cp "$JAR" io.evidentsource.bench.HeapPerEvent --events "$HEAP_EVENTS" --strings fresh --batch 1
  echo
  "$JAVA" -Xmx4g -cp "$JAR" io.evidentsource.bench.HeapPerEvent --events "$HEAP_EVENTS" --strings shared
} | tee "$OUT/heap.txt"

echo
echo "== summary"
grep -h -E '^(AppendBenchmark|QueryBenchmark)\.[a-zA-Z]+(:events|:p0\.50|:p0\.99|:p0\.999)? ' \
  "$OUT/append.txt" "$OUT/query.txt" | tee "$OUT/summary.txt"
grep -h '^# database holds' "$OUT/append.txt" | tee -a "$OUT/summary.txt"
grep -h -E 'HeapPerEvent:|HEAP BEYOND PAYLOAD' "$OUT/heap.txt" | tee -a "$OUT/summary.txt"
echo "results in $OUT/"
