#!/usr/bin/env bash
# Where observability's CPU goes per request (docs/benchmarks.md, eleventh run): starts the server
# jar with the arguments given, drives the same one-event appends as observability-overhead.sh
# (server on CPU 0, wrk on CPU 1), records 30 s of JDK Flight Recorder samples after 40 s of
# warm-up (Java stacks every 2 ms, 512 frames deep) and prints the share of the samples spent in
# Micrometer's observations and tracing, OpenTelemetry, the core's observer and the logging
# context (bench/rest/observation-share.py), with their main entry points. Java samples only:
# for all of the server's CPU per request (GC, JIT and the kernel too), bench/rest/cpu-profile.sh.
# Compare the share of two configurations, e.g. the defaults against observability off:
#   bench/rest/observation-profile.sh on server/target/evidentsource-server.jar
#   bench/rest/observation-profile.sh off server/target/evidentsource-server.jar \
#     --evidentsource.observability.enabled=false --management.observations.enable.all=false \
#     --management.tracing.enabled=false
#   python3 bench/rest/observation-share.py bench/results/profile-off.jfr bench/results/profile-on.jfr
# The last line of the comparison, "CPU ratio", is (1 - share of the second) / (1 - share of the
# first): what the first costs per request against the second, counting Java samples only (not
# the kernel's network work, so it overstates the difference in total CPU).
# Environment: PORT (18095), JFR (the jfr tool; the one beside java by default).
set -euo pipefail
cd "$(dirname "$0")/../.."
name=${1:?a name for the recording}
jar=${2:?the server jar}
shift 2
PORT=${PORT:-18095}
base="http://127.0.0.1:$PORT"
mkdir -p bench/results
settings=bench/results/observation-profile.jfc
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
# the JDK's "profile" settings with Java stacks sampled every 2 ms instead of 10 ms
sed -E '/<event name="jdk.ExecutionSample">/,/<\/event>/ s#(<setting name="period"[^>]*>)[^<]*#\12 ms#' \
  "$java_home/lib/jfr/profile.jfc" > "$settings"
taskset -c 0 java -Xmx2g -XX:FlightRecorderOptions:stackdepth=512 \
  "-XX:StartFlightRecording=filename=bench/results/profile-$name.jfr,settings=$settings,delay=40s,duration=30s" \
  -jar "$jar" --spring.profiles.active=memory --server.port="$PORT" --spring.grpc.server.port=0 \
  --logging.level.root=WARN "$@" > "bench/results/profile-$name-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "$base/actuator/health" >/dev/null && break; sleep 1; done
db="profile-$name-$(date +%s)"
curl -sf -X POST "$base/api/v1/databases" -H 'Content-Type: application/json' -d "{\"name\":\"$db\"}" >/dev/null
DB=$db BATCH=1 RUN=profile taskset -c 1 wrk -t2 -c16 -d75s -s bench/rest/transact.lua "$base" | grep Requests/sec
sleep 2
python3 bench/rest/observation-share.py "bench/results/profile-$name.jfr"
