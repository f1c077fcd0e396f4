#!/usr/bin/env bash
# Where a REST append's CPU goes, all of it (docs/benchmarks.md, twelfth observability run): starts
# the server jar with the arguments given (in-memory storage, server on CPU 0, wrk on CPU 1), drives
# POST .../transactions for 45 s of warm-up, then samples the server's CPU for 30 s with
# async-profiler (one sample per 1 ms of CPU time of any thread: request threads, GC, JIT, and
# the kernel's work on the server's behalf, which JDK Flight Recorder's Java samples leave out)
# while a 30 s wrk run counts the requests answered. Writes bench/results/cpu-NAME.collapsed
# (collapsed stacks) and bench/results/cpu-NAME.requests; compare with bench/rest/cpu-share.py:
#   bench/rest/cpu-profile.sh on server/target/evidentsource-server.jar
#   bench/rest/cpu-profile.sh off server/target/evidentsource-server.jar \
#     --evidentsource.observability.enabled=false --management.observations.enable.all=false \
#     --management.tracing.enabled=false
#   python3 bench/rest/cpu-share.py bench/results/cpu-off bench/results/cpu-on
# The profiler comes from Maven Central (bench/rest/cpu-sampling.sh fetches it once).
# Environment: PORT (18096), BATCH (1), PAD and GUARDED (as transact.lua), CONN (16 connections),
# ASYNC_PROFILER and EVENT (as cpu-sampling.sh). The profiler costs CPU too (about a sixth more
# per request at 1 ms): compare profiles with each other, not with unprofiled runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
name=${1:?a name for the profile}
jar=${2:?the server jar}
shift 2
PORT=${PORT:-18096}
CONN=${CONN:-16}
source bench/rest/cpu-sampling.sh
cpu_sampling_agent
base="http://127.0.0.1:$PORT"
out=bench/results/cpu-$name
taskset -c 0 java -Xmx3g -jar "$jar" --spring.profiles.active=memory --server.port="$PORT" \
  --spring.grpc.server.port=0 --logging.level.root=WARN "$@" > "$out-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "$base/actuator/health" >/dev/null && break; sleep 1; done
db="cpu-$name-$(date +%s)"
curl -sf -X POST "$base/api/v1/databases" -H 'Content-Type: application/json' -d "{\"name\":\"$db\"}" >/dev/null
export DB=$db BATCH=${BATCH:-1}
RUN=warmup taskset -c 1 wrk -t2 -c"$CONN" -d45s -s bench/rest/transact.lua "$base" >/dev/null
cpu_sampling_start "$server" "$out.collapsed" 30
RUN=measure taskset -c 1 wrk -t2 -c"$CONN" -d30s -s bench/rest/transact.lua "$base" \
  | awk '/requests in/ {print $1}' > "$out.requests"
cpu_sampling_wait "$out.collapsed" || { echo "server log: $out-server.log" >&2; exit 1; }
echo "$name: $(cat "$out.requests") requests in 30 s, $(awk '{n += $NF} END {print n}' "$out.collapsed") ms of CPU sampled"
