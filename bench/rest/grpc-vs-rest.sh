#!/usr/bin/env bash
# gRPC (the JVM client, io.evidentsource.bench.GrpcLoad) against REST (wrk) on one running server,
# in alternating rounds so both share the machine's weather (docs/benchmarks.md, issue 17): single-
# event unconditional appends, IN_FLIGHT transactions outstanding on one gRPC channel against wrk
# with the same number of connections. Reports appends/s and the server's CPU time per append (all
# its threads, /proc/<pid>/stat): the client's own CPU (a JVM for gRPC, wrk for REST) shares the
# same cores, so the server's CPU per append is the fairer comparison on a small machine.
#   bench/rest/grpc-vs-rest.sh server/target/evidentsource-server.jar bench/target/benchmarks.jar
# Environment: ROUNDS (3), DUR (15 s per measurement), WARM (30 s REST warm-up; GrpcLoad warms up
# 10 s before each of its runs), IN_FLIGHT (16), BATCH (events per append, 1), SERVER_ARGS.
set -u
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
JAR=${1:?server jar}; BENCH=${2:?benchmarks jar}
ROUNDS=${ROUNDS:-3}; DUR=${DUR:-15}; WARM=${WARM:-30}; IN_FLIGHT=${IN_FLIGHT:-16}; BATCH=${BATCH:-1}
PORT=${PORT:-18321}; GRPC_PORT=${GRPC_PORT:-19321}
java -Xmx2g -jar "$JAR" --spring.profiles.active=memory --server.port="$PORT" \
  --spring.grpc.server.port="$GRPC_PORT" --logging.level.root=WARN ${SERVER_ARGS:-} \
  > "${TMPDIR:-/tmp}/evs-grpc-vs-rest.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 240); do curl -s -o /dev/null "localhost:$PORT/api/v1/databases" && break; sleep 0.5; done
curl -sf -X POST "localhost:$PORT/api/v1/databases" -H 'Content-Type: application/json' -d '{"name":"p"}' >/dev/null
DB=p BATCH=$BATCH RUN=w wrk -t2 -c"$IN_FLIGHT" -d"${WARM}s" -s bench/rest/transact.lua "http://127.0.0.1:$PORT" >/dev/null
echo "machine: $(nproc) cores; $JAR ${SERVER_ARGS:-}; batch $BATCH, $IN_FLIGHT in flight"
ticks() { awk '{print $14+$15}' "/proc/$pid/stat"; }
rest() {
  local t0 t1 out
  t0=$(ticks)
  out=$(DB=p BATCH=$BATCH RUN=m$1 wrk -t2 -c"$IN_FLIGHT" -d"${DUR}s" --latency -s bench/rest/transact.lua "http://127.0.0.1:$PORT")
  t1=$(ticks)
  echo "$out" | awk -v round="$1" -v ticks=$((t1 - t0)) -v load="$(cut -d' ' -f1 /proc/loadavg)" '
    /^requests:/ { reqs = $2 } /Requests\/sec/ { rps = $2 }
    END { printf "REST round %d: %s appends/s, server %.3f ms CPU/append, load %s\n", round, rps, ticks * 10 / reqs, load }'
}
grpc() {
  local out t0 t1
  # GrpcLoad starts (a JVM), warms up 10 s, then measures DUR s: count the server's CPU from 14 s
  # after the launch to the client's end, over the appends of that time at the measured rate
  java -cp "$BENCH" io.evidentsource.bench.GrpcLoad throughput "$GRPC_PORT" "$DUR" "$BATCH" "$IN_FLIGHT" \
    > "${TMPDIR:-/tmp}/evs-grpc-load.out" 2>&1 &
  local client=$!
  sleep 14; t0=$(ticks); local s0=$EPOCHREALTIME
  wait $client; t1=$(ticks); local s1=$EPOCHREALTIME
  out=$(grep "grpc throughput" "${TMPDIR:-/tmp}/evs-grpc-load.out")
  awk -v round="$1" -v ticks=$((t1 - t0)) -v secs="$(awk -v a="$s0" -v b="$s1" 'BEGIN { print b - a }')" -v load="$(cut -d' ' -f1 /proc/loadavg)" '
    { for (i = 1; i <= NF; i++) if ($(i+1) == "tx/s") tps = $i }
    END { printf "gRPC round %d: %s appends/s, server %.3f ms CPU/append, load %s\n", round, tps, ticks * 10 / (tps * secs), load }' <<< "$out"
}
for r in $(seq "$ROUNDS"); do
  if (( r % 2 )); then rest "$r"; grpc "$r"; else grpc "$r"; rest "$r"; fi
done
