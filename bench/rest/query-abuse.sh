#!/usr/bin/env bash
# A bystander's latency while other clients send abusive queries (issue 18; docs/benchmarks.md):
# starts the server jar on the memory profile, bulk-loads EVENTS events with distinct subjects and
# shuffled effective times, then measures a cheap query (GET ?subject=order-42&limit=10, one
# connection, wrk) for DURATION quietly and again while ABUSERS clients each send, in a loop, an
# `or` of TERMS copies of `subject LIKE 'order-1%'` ordered by effective time (POST .../events/query),
# giving up on each after CLIENT_TIMEOUT seconds like an impatient client. Reports the bystander's
# p50/p99 both times, the abusive queries' outcomes, and the server's CPU seconds while the abuse
# ran and in the 10 s after the abusers left (work that kept running for nobody).
# Environment: JAR (default server/target/evidentsource-server.jar), EVENTS (100000), TERMS (1000),
# ABUSERS (4), DURATION (30s), CLIENT_TIMEOUT (60), PORT (18095), HEAP (-Xmx2g).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
JAR=${JAR:-server/target/evidentsource-server.jar}
EVENTS=${EVENTS:-100000}
TERMS=${TERMS:-1000}
ABUSERS=${ABUSERS:-4}
DURATION=${DURATION:-30s}
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-60}
PORT=${PORT:-18095}
HEAP=${HEAP:--Xmx2g}
base="http://127.0.0.1:$PORT"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

java $HEAP -jar "$JAR" --spring.profiles.active=memory --server.port="$PORT" \
  --spring.grpc.server.port=0 --logging.level.root=WARN > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -sf "$base/actuator/health" >/dev/null && break
  sleep 1
done
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$server/stat"; }

db=abuse
curl -sf -X POST "$base/api/v1/databases" -H 'Content-Type: application/json' \
  -d "{\"name\":\"$db\"}" >/dev/null
python3 - "$EVENTS" > "$work/events.ndjson" <<'PY'
import sys, datetime
n = int(sys.argv[1])
t0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
for i in range(n):
    t = (t0 + datetime.timedelta(seconds=(i * 7919) % n)).strftime('%Y-%m-%dT%H:%M:%SZ')
    print('{"specversion":"1.0","id":"e%d","source":"https://example.com/abuse","type":"T",'
          '"subject":"order-%d","time":"%s"}' % (i, i, t))
PY
curl -sf -X POST "$base/api/v1/databases/$db/events" -H 'Content-Type: application/x-ndjson' \
  --data-binary @"$work/events.ndjson" >/dev/null
python3 - "$TERMS" > "$work/abuse.json" <<'PY'
import json, sys
term = {"type": "starts_with", "attr": {"subject": "order-1"}}
print(json.dumps({"selector": {"type": "or", "selectors": [term] * int(sys.argv[1])},
                  "order": "effective_time", "limit": 100}))
PY
echo "loaded $(curl -sf "$base/api/v1/databases/$db" | python3 -c 'import json,sys; print(json.load(sys.stdin)["revision"])') events; abusive request: $(wc -c < "$work/abuse.json") bytes, $TERMS terms"

bystander() {
  wrk -t1 -c1 -d"$DURATION" --latency "$base/api/v1/databases/$db/events?subject=order-42&limit=10"
}
report() { # name, wrk output
  printf '%-7s bystander: %8s req/s   p50 %9s   p99 %9s\n' "$1" \
    "$(awk '/Requests\/sec/ {print $2}' <<< "$2")" \
    "$(awk '$1 == "50%" {print $2}' <<< "$2")" "$(awk '$1 == "99%" {print $2}' <<< "$2")"
}
bystander > /dev/null # warm-up
report quiet "$(bystander)"

stop=$work/stop
abuser() {
  while [[ ! -f $stop ]]; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time "$CLIENT_TIMEOUT" \
      -X POST -H 'Content-Type: application/json' --data-binary @"$work/abuse.json" \
      "$base/api/v1/databases/$db/events/query" >> "$work/abuse-$1.txt" &
    echo $! > "$work/curl-$1.pid"
    wait $! || true
  done
}
cpu0=$(cpu)
for i in $(seq 1 "$ABUSERS"); do abuser "$i" & done
sleep 2
report abused "$(bystander)"
touch "$stop"
for f in "$work"/curl-*.pid; do kill "$(cat "$f")" 2>/dev/null || true; done # the clients leave
cpu1=$(cpu)
sleep 10
cpu2=$(cpu)
cat "$work"/abuse-*.txt 2>/dev/null | awk '{n[$1]++; t[$1] += $2; any = 1}
  END {for (c in n) printf "abusive queries: %d answered %s (mean %.2f s; 000 = the client gave up)\n", n[c], c, t[c] / n[c]
       if (!any) print "abusive queries: none answered while the bystander was measured"}'
printf 'server CPU: %.1f s during the abuse, %.1f s in the 10 s after the abusers left\n' \
  "$(echo "$cpu1 - $cpu0" | bc)" "$(echo "$cpu2 - $cpu1" | bc)"
kill "$server"
