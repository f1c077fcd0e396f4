#!/usr/bin/env bash
# REST throughput over loopback: starts the server jar on a free port, creates a database and
# drives POST .../transactions with wrk (Debian package `wrk`) for batches of 25 and of 1.
#   bench/rest/run-wrk.sh            # 30 s per run, 2 threads, 16 connections
# Environment: DURATION (default 30s), CONNECTIONS (16), THREADS (2), PORT (18080), HEAP (-Xmx4g).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
HEAP=${HEAP:--Xmx4g}
JAR=server/target/evidentsource-server.jar
[[ -f $JAR ]] || ./mvnw -q -B -DskipTests package -pl server -am
mkdir -p bench/results
java $HEAP -jar "$JAR" --server.port="$PORT" --spring.grpc.server.port=0 --logging.level.root=WARN > bench/results/rest-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null && break
  sleep 1
done
base="http://127.0.0.1:$PORT"
for batch in 25 1; do
  db="wrk-$batch-$(date +%s)"
  curl -sf -X POST "$base/api/v1/databases" -H 'Content-Type: application/json' -d "{\"name\":\"$db\"}" >/dev/null
  # warm up the JIT, then measure
  DB=$db BATCH=$batch RUN=warmup wrk -t"$THREADS" -c"$CONNECTIONS" -d10s -s bench/rest/transact.lua "$base" >/dev/null
  echo "== batch $batch, $THREADS threads, $CONNECTIONS connections, $DURATION"
  DB=$db BATCH=$batch RUN=measure wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/rest/transact.lua "$base"
  curl -s "$base/api/v1/databases/$db" && echo
done | tee bench/results/rest.txt
