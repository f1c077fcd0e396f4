#!/usr/bin/env bash
# Two to four server builds (or configurations) side by side, measured in interleaved rounds (A B,
# B A, ...; with C and D: A B C D, B C D A, C D A B, ...) so they share the machine's weather: the
# server's CPU time per request (from /proc/<pid>/stat, all its threads: request threads, GC and
# JIT) besides wrk's requests/s and latency. CPU per request is the steadier number on a shared
# machine: it counts what a request costs, not how much of the CPU the server was given. In-memory
# storage (PROFILE=local: durable local storage, each server in a fresh data directory removed at
# the end), security off.
#   A_JAR=before.jar B_JAR=after.jar bench/rest/ab-cpu.sh
#   A_JAR=before.jar B_JAR=before.jar B_ARGS="<off options>" C_JAR=after.jar D_JAR=after.jar \
#     D_ARGS="<off options>" bench/rest/ab-cpu.sh       # before/after, each with observability on/off
# Environment: A_ARGS / B_ARGS / C_ARGS / D_ARGS (server options of each), A_JVM .. D_JVM (JVM
# options of each, e.g. -XX:+UseParallelGC), COMMON_ARGS (options of
# all), ROUNDS (4), WARM (warm-up per server, 60 s: the JIT needs it on a loaded machine), DUR (15 s
# per measurement), BATCH (events per request, 1), CONN (wrk connections, 16), THREADS (wrk threads,
# 2, at most CONN: CONN=1 measures one client's latency), WARM_CONN (connections of the warm-up,
# CONN; 16 warms a server for a CONN=1 run sooner), GUARDED / PAD (as transact.lua), A_PORT .. D_PORT
# (18301-18304), SERVER_CPUS / WRK_CPUS (taskset CPU lists; with PIN=1 the servers run on CPU 0 and
# wrk on CPU 1 of a machine of 2 or more CPUs, so that wrk never takes the measured server's CPU;
# off by default), CPU_PROFILES (a directory: each server's CPU is sampled with async-profiler
# while it is measured (cpu-sampling.sh, as cpu-profile.sh does), into DIR/<server>-<round>.collapsed with the
# requests counted in DIR/<server>-<round>.requests; read them with cpu-share.py. The profiler's
# own CPU is then in every figure: compare profiled runs with each other only).
set -u
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
A_JAR=${A_JAR:?A_JAR: the first server jar}; B_JAR=${B_JAR:?B_JAR: the second server jar}
C_JAR=${C_JAR:-}; D_JAR=${D_JAR:-}
ROUNDS=${ROUNDS:-4}; WARM=${WARM:-60}; DUR=${DUR:-15}; BATCH=${BATCH:-1}; CONN=${CONN:-16}
THREADS=${THREADS:-2}; ((THREADS > CONN)) && THREADS=$CONN
WARM_CONN=${WARM_CONN:-$CONN}; WARM_THREADS=$((WARM_CONN < 2 ? 1 : 2))
LUA=bench/rest/transact.lua
SERVER_PIN=""; WRK_PIN=""
if [[ ${PIN:-0} == 1 ]] && command -v taskset >/dev/null && (($(nproc) >= 2)); then
  SERVER_PIN="taskset -c ${SERVER_CPUS:-0}"; WRK_PIN="taskset -c ${WRK_CPUS:-1}"
fi
LOGS=${TMPDIR:-/tmp}/evs-ab-cpu; mkdir -p "$LOGS"
PROFILE_DIR=${CPU_PROFILES:-}
if [[ -n $PROFILE_DIR ]]; then
  source bench/rest/cpu-sampling.sh
  mkdir -p "$PROFILE_DIR"; cpu_sampling_agent # fetched before any server is measured
fi
PROFILE=${PROFILE:-memory}
COMMON="--spring.profiles.active=$PROFILE --spring.grpc.server.port=0 --logging.level.root=WARN ${COMMON_ARGS:-}"
names=(A B); [[ -n $C_JAR ]] && names+=(C); [[ -n $D_JAR ]] && names+=(D)
declare -A jar args jvm port pid
jar=([A]=$A_JAR [B]=$B_JAR [C]=$C_JAR [D]=$D_JAR)
args=([A]=${A_ARGS:-} [B]=${B_ARGS:-} [C]=${C_ARGS:-} [D]=${D_ARGS:-})
jvm=([A]=${A_JVM:-} [B]=${B_JVM:-} [C]=${C_JVM:-} [D]=${D_JVM:-})
port=([A]=${A_PORT:-18301} [B]=${B_PORT:-18302} [C]=${C_PORT:-18303} [D]=${D_PORT:-18304})
pids=()
DATA=$(mktemp -d "${TMPDIR:-/tmp}/evs-ab-cpu-data.XXXXXX")
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait; rm -rf "$DATA"' EXIT
for n in "${names[@]}"; do
  data=()
  [[ $PROFILE == local ]] && data=(--evidentsource.local.data-dir="$DATA/${n,,}")
  $SERVER_PIN java -Xmx2g ${jvm[$n]} -jar "${jar[$n]}" --server.port="${port[$n]}" $COMMON ${args[$n]} \
    ${data[@]+"${data[@]}"} > "$LOGS/${n,,}.log" 2>&1 &
  pid[$n]=$!; pids+=("${pid[$n]}")
done
for n in "${names[@]}"; do
  p=${port[$n]}
  for _ in $(seq 240); do curl -s -o /dev/null "localhost:$p/api/v1/databases" && break; sleep 0.5; done
  curl -sf -X POST "localhost:$p/api/v1/databases" -H 'Content-Type: application/json' -d '{"name":"p"}' >/dev/null
  DB=p BATCH=$BATCH RUN=w $WRK_PIN wrk -t"$WARM_THREADS" -c"$WARM_CONN" -d"${WARM}s" -s $LUA "http://127.0.0.1:$p" >/dev/null
done
echo "machine: $(nproc) cores; batch $BATCH, $CONN connections; pinned: ${SERVER_PIN:-no} / ${WRK_PIN:-no}"
for n in "${names[@]}"; do echo "$n: ${jvm[$n]} ${jar[$n]} ${args[$n]}"; done
measure() { # name pid port round
  local t0 t1 out cpu=${PROFILE_DIR:+$PROFILE_DIR/${1,,}-$4}
  [[ -n $cpu ]] && cpu_sampling_start "$2" "$cpu.collapsed" "$DUR"
  t0=$(awk '{print $14+$15}' "/proc/$2/stat")
  out=$(DB=p BATCH=$BATCH RUN=m$4 $WRK_PIN wrk -t"$THREADS" -c"$CONN" -d"${DUR}s" --latency -s $LUA "http://127.0.0.1:$3")
  t1=$(awk '{print $14+$15}' "/proc/$2/stat")
  if [[ -n $cpu ]]; then
    echo "$out" | awk '/^requests:/ {print $2 + 0}' > "$cpu.requests"
    cpu_sampling_wait "$cpu.collapsed"
  fi
  echo "$out" | awk -v name="$1" -v round="$4" -v ticks=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v load="$(cut -d' ' -f1 /proc/loadavg)" '
    /^requests:/ { reqs = $2; errors = $NF }
    /Requests\/sec/ { rps = $2 }
    /latency p50/ { p50 = $3; p99 = $6 }
    END { printf "%s round %d: %.3f ms CPU/request, %s requests/s, p50 %s ms, p99 %s ms, errors %s, load %s\n",
          name, round, ticks * 1000 / hz / reqs, rps, p50, p99, errors, load }'
}
count=${#names[@]}
for r in $(seq "$ROUNDS"); do
  for i in $(seq 0 $((count - 1))); do
    if ((count == 2)); then # A B, then B A
      n=${names[$(((r % 2 ? i : 1 - i)))]}
    else # each server first in turn
      n=${names[$(((i + r - 1) % count))]}
    fi
    measure "$n" "${pid[$n]}" "${port[$n]}" "$r"
  done
done
