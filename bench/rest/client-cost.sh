#!/usr/bin/env bash
# The client's cost (issue 17): the same guarded one-event appends from wrk (bench/rest/transact.lua with GUARDED=1 PAD=450 BATCH=1)
# and from ../shared/bench's Java driver (PeerBench.java), alternating, against one in-memory server.
# Usage: bench/rest/client-cost.sh server/target/evidentsource-server.jar   (WARM, DUR in seconds)
# CLIENTS ("1 8"), ROUNDS (2); PIN=1 runs the server on CPU 0 and wrk and the driver on CPU 1;
# SERVER_ARGS / SERVER_JVM add server options / JVM options.
set -u
cd "$(dirname "$0")/../.."
JAR=$1; PORT=18321; DUR=${DUR:-15}
export DB=bench GUARDED=1 PAD=450 BATCH=1 # for transact.lua
COMMON="--spring.profiles.active=memory --spring.grpc.server.port=0 --logging.level.root=WARN --evidentsource.observability.enabled=false --management.observations.enable.all=false --management.tracing.enabled=false"
SERVER_PIN=""; CLIENT_PIN=""
if [[ ${PIN:-0} == 1 ]] && command -v taskset >/dev/null && (($(nproc) >= 2)); then
  SERVER_PIN="taskset -c 0"; CLIENT_PIN="taskset -c 1"
fi
$SERVER_PIN java -Xmx2g ${SERVER_JVM:-} -jar "$JAR" --server.port=$PORT $COMMON ${SERVER_ARGS:-} > ${TMPDIR:-/tmp}/evs-client-cost-server.log 2>&1 & ps=$!
trap 'kill $ps 2>/dev/null' EXIT
for i in $(seq 240); do curl -s -o /dev/null localhost:$PORT/api/v1/databases && break; sleep 0.5; done
curl -sf -X POST localhost:$PORT/api/v1/databases -H 'Content-Type: application/json' -d '{"name":"bench"}' >/dev/null
RUN=w $CLIENT_PIN wrk -t2 -c8 -d${WARM:-45}s -s bench/rest/transact.lua http://127.0.0.1:$PORT >/dev/null
srv() { awk '{print $14+$15}' /proc/$ps/stat; }
for round in $(seq "${ROUNDS:-2}"); do for c in ${CLIENTS:-1 8}; do
  t0=$(srv); out=$( { /usr/bin/time -f "client_cpu %U %S" $CLIENT_PIN wrk -t$(( c < 2 ? 1 : 2 )) -c$c -d${DUR}s --latency -s bench/rest/transact.lua http://127.0.0.1:$PORT; } 2>&1 ); t1=$(srv)
  echo "$out" | awk -v c=$c -v t=$((t1-t0)) -v d=$DUR -v load="$(cut -d' ' -f1 /proc/loadavg)" '/^requests:/{q=$2} /latency p50/{p50=$3; p99=$6} /client_cpu/{cc=$2+$3} END {printf "wrk    clients %d: %.0f appends/s, p50 %s ms, p99 %s ms, server %.3f ms CPU/req, client %.3f ms CPU/req, load %s\n", c, q/d, p50, p99, t*10/q, cc*1000/q, load}'
  t0=$(srv); out=$( { /usr/bin/time -f "client_cpu %U %S" $CLIENT_PIN java ${PEERS:-../shared/bench/peers}/driver/PeerBench.java --target evidentsource --url http://127.0.0.1:$PORT --database bench --clients $c --batch 1 --payload 500 --seconds $DUR --warmup 2 --out ${TMPDIR:-/tmp}/evs-client-cost-driver.csv; } 2>&1 ); t1=$(srv)
  echo "$out" | tail -3 | sed 's/^/  driver: /'
  echo "  driver: server CPU $(( (t1 - t0) * 10 )) ms over the run (its 2 s warm-up included)"
done; done
