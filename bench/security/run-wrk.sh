#!/usr/bin/env bash
# What API keys cost per request: GET one event over loopback with wrk (Debian package `wrk`),
# against the server jar with security off, on with one key, and on with 1,000 keys in the keys
# file (every request hashes its key and compares it with every known hash in constant time).
#   bench/security/run-wrk.sh        # 20 s per run after 10 s of warm-up, 2 threads, 16 connections
# The three runs are repeated ROUNDS times in turn, so that a load that changes meanwhile (other
# processes on the machine) shows as spread between rounds instead of as a difference.
# Environment: DURATION (default 20s), ROUNDS (2), CONNECTIONS (16), THREADS (2), PORT (18081),
# HEAP (-Xmx1g).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
DURATION=${DURATION:-20s}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-18081}
HEAP=${HEAP:--Xmx1g}
JAR=server/target/evidentsource-server.jar
[[ -f $JAR ]] || ./mvnw -q -B -DskipTests package -pl server -am
mkdir -p bench/results
work=$(mktemp -d)
KEY=bench-key-$(date +%s)
hash=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)
printf 'bench %s admin\n' "$hash" > "$work/one.keys"
cp "$work/one.keys" "$work/many.keys"
for i in $(seq 1 999); do
  printf 'other-%d %s read:db-%d\n' "$i" "$(printf 'other-%d' "$i" | sha256sum | cut -d' ' -f1)" "$i"
done >> "$work/many.keys"
base="http://127.0.0.1:$PORT"

run() { # name, header (or empty), server flags...
  local name=$1 header=$2
  shift 2
  java $HEAP -jar "$JAR" --server.port="$PORT" --spring.grpc.server.port=0 \
    --logging.level.root=WARN "$@" > "bench/results/security-$name.log" 2>&1 &
  local server=$!
  for _ in $(seq 1 90); do
    curl -sf "$base/actuator/health" >/dev/null && break
    sleep 1
  done
  local auth=()
  [[ -n $header ]] && auth=(-H "$header")
  curl -sf -X POST "$base/api/v1/databases" "${auth[@]}" -H 'Content-Type: application/json' -d '{"name":"bench"}' >/dev/null
  curl -sf -X POST "$base/api/v1/databases/bench/transactions" "${auth[@]}" -H 'Content-Type: application/json' \
    -d '{"events":[{"specversion":"1.0","id":"1","source":"bench","type":"t","data":{"n":1}}]}' >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d10s "${auth[@]}" "$base/api/v1/databases/bench/events/1" >/dev/null
  echo "== $name: GET /api/v1/databases/bench/events/1, $THREADS threads, $CONNECTIONS connections, $DURATION"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${auth[@]}" "$base/api/v1/databases/bench/events/1"
  kill $server
  wait $server 2>/dev/null || true
}

for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round"
  run security-off ""
  run one-key "Authorization: Bearer $KEY" --evidentsource.security.enabled=true \
    --evidentsource.security.api-keys-file="$work/one.keys"
  run thousand-keys "Authorization: Bearer $KEY" --evidentsource.security.enabled=true \
    --evidentsource.security.api-keys-file="$work/many.keys"
done | tee bench/results/security.txt
rm -rf "$work"
