#!/usr/bin/env bash
# Two server builds (or configurations) side by side, measured in interleaved rounds (A B, B A,
# ...) so they share the machine's weather: the server's CPU time per request (from
# /proc/<pid>/stat, all its threads: request threads, GC and JIT) besides wrk's requests/s and
# latency. CPU per request is the steadier number on a shared machine: it counts what a request
# costs, not how much of the CPU the server was given. In-memory storage, security off.
#   A_JAR=before.jar B_JAR=after.jar bench/rest/ab-cpu.sh
# Environment: A_ARGS / B_ARGS (server options of each), COMMON_ARGS (options of both),
# ROUNDS (4), WARM (warm-up per server, 60 s: the JIT needs it on a loaded machine), DUR (15 s per
# measurement), BATCH (events per request, 1), CONN (wrk connections, 16), A_PORT / B_PORT.
set -u
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
A_JAR=${A_JAR:?A_JAR: the first server jar}; B_JAR=${B_JAR:?B_JAR: the second server jar}
A_ARGS=${A_ARGS:-}; B_ARGS=${B_ARGS:-}
ROUNDS=${ROUNDS:-4}; WARM=${WARM:-60}; DUR=${DUR:-15}; BATCH=${BATCH:-1}; CONN=${CONN:-16}
A_PORT=${A_PORT:-18301}; B_PORT=${B_PORT:-18302}
LUA=bench/rest/transact.lua
LOGS=${TMPDIR:-/tmp}/evs-ab-cpu; mkdir -p "$LOGS"
COMMON="--spring.profiles.active=memory --spring.grpc.server.port=0 --logging.level.root=WARN ${COMMON_ARGS:-}"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done' EXIT
java -Xmx2g -jar "$A_JAR" --server.port="$A_PORT" $COMMON $A_ARGS > "$LOGS/a.log" 2>&1 & pa=$!; pids+=($pa)
java -Xmx2g -jar "$B_JAR" --server.port="$B_PORT" $COMMON $B_ARGS > "$LOGS/b.log" 2>&1 & pb=$!; pids+=($pb)
for port in "$A_PORT" "$B_PORT"; do
  for _ in $(seq 240); do curl -s -o /dev/null "localhost:$port/api/v1/databases" && break; sleep 0.5; done
  curl -sf -X POST "localhost:$port/api/v1/databases" -H 'Content-Type: application/json' -d '{"name":"p"}' >/dev/null
  DB=p BATCH=$BATCH RUN=w wrk -t2 -c"$CONN" -d"${WARM}s" -s $LUA "http://127.0.0.1:$port" >/dev/null
done
echo "machine: $(nproc) cores; A $A_JAR $A_ARGS; B $B_JAR $B_ARGS; batch $BATCH, $CONN connections"
measure() { # name pid port round
  local t0 t1 out
  t0=$(awk '{print $14+$15}' "/proc/$2/stat")
  out=$(DB=p BATCH=$BATCH RUN=m$4 wrk -t2 -c"$CONN" -d"${DUR}s" --latency -s $LUA "http://127.0.0.1:$3")
  t1=$(awk '{print $14+$15}' "/proc/$2/stat")
  echo "$out" | awk -v name="$1" -v round="$4" -v ticks=$((t1 - t0)) -v load="$(cut -d' ' -f1 /proc/loadavg)" '
    /^requests:/ { reqs = $2; errors = $NF }
    /Requests\/sec/ { rps = $2 }
    /latency p50/ { p50 = $3; p99 = $6 }
    END { printf "%s round %d: %.3f ms CPU/request, %s requests/s, p50 %s ms, p99 %s ms, errors %s, load %s\n",
          name, round, ticks * 10 / reqs, rps, p50, p99, errors, load }'
}
for r in $(seq "$ROUNDS"); do
  if (( r % 2 )); then measure A $pa "$A_PORT" "$r"; measure B $pb "$B_PORT" "$r"
  else measure B $pb "$B_PORT" "$r"; measure A $pa "$A_PORT" "$r"; fi
done
