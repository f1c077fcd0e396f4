#!/usr/bin/env bash
# REST append throughput with metrics and tracing on vs off, in one run (docs/benchmarks.md):
# starts the server jar ROUNDS times in each configuration of CONFIGS, alternating, and drives
# POST .../transactions (one event per request, the most overhead per event) with wrk.
#   on:  the defaults: Micrometer domain, HTTP and JVM metrics (Prometheus registry), a tenth of the
#        requests traced (spans made and dropped, as no OTLP endpoint is set)
#   sec: the defaults plus Spring Security's observations (a timer and, when traced, a span per
#        filter chain and authorization: management.observations.enable.spring.security=true)
#   all: the defaults with every request traced (management.tracing.sampling.probability=1.0)
#   off: evidentsource.observability.enabled=false (the core reports to nothing),
#        management.observations.enable.all=false (no HTTP/gRPC observations),
#        management.tracing.enabled=false
# Environment: DURATION (default 20s), WARMUP (30s), CONNECTIONS (16), THREADS (2), PORT (18090),
# HEAP (-Xmx2g), ROUNDS (2), BATCH (1), CONFIGS ("on all off"),
# SERVER_CPUS / WRK_CPUS (taskset CPU lists: on a machine of 2 or more CPUs the server runs on CPU 0
# and wrk on CPU 1 by default, so that the load generator does not take the server's CPU in some
# rounds and not in others; PIN=0 turns this off).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-30s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-18090}
HEAP=${HEAP:--Xmx2g}
ROUNDS=${ROUNDS:-2}
BATCH=${BATCH:-1}
CONFIGS=${CONFIGS:-on all off}
PIN=${PIN:-1}
SERVER_PIN=()
WRK_PIN=()
if [[ $PIN == 1 ]] && command -v taskset >/dev/null && (($(nproc) >= 2)); then
  SERVER_PIN=(taskset -c "${SERVER_CPUS:-0}")
  WRK_PIN=(taskset -c "${WRK_CPUS:-1}")
fi
JAR=server/target/evidentsource-server.jar
[[ -f $JAR ]] || ./mvnw -q -B -DskipTests package -pl server -am
mkdir -p bench/results
out=bench/results/observability-overhead.txt
base="http://127.0.0.1:$PORT"
args() { # configuration name -> server arguments, one per line
  case $1 in
    on) ;;
    sec) echo --management.observations.enable.spring.security=true ;;
    all) echo --management.tracing.sampling.probability=1.0 ;;
    off) printf '%s\n' --evidentsource.observability.enabled=false \
      --management.observations.enable.all=false --management.tracing.enabled=false ;;
    *) echo "unknown configuration $1 (on, sec, all, off)" >&2; exit 2 ;;
  esac
}

run() { # name, server arguments (maybe none)...
  local name=$1
  shift
  ${SERVER_PIN[@]+"${SERVER_PIN[@]}"} java $HEAP -jar "$JAR" --spring.profiles.active=memory --server.port="$PORT" \
    --spring.grpc.server.port=0 --logging.level.root=WARN ${@+"$@"} > "bench/results/overhead-$name-server.log" 2>&1 &
  local server=$!
  for _ in $(seq 1 90); do
    curl -sf "$base/actuator/health" >/dev/null && break
    sleep 1
  done
  local db="overhead-$name-$(date +%s)"
  curl -sf -X POST "$base/api/v1/databases" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$db\"}" >/dev/null
  DB=$db BATCH=$BATCH RUN=warmup ${WRK_PIN[@]+"${WRK_PIN[@]}"} wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" \
    -s bench/rest/transact.lua "$base" >/dev/null
  local result t0 t1
  t0=$(awk '{print $14+$15}' "/proc/$server/stat") # the server's CPU time, in clock ticks
  result=$(DB=$db BATCH=$BATCH RUN=measure ${WRK_PIN[@]+"${WRK_PIN[@]}"} wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" \
    --latency -s bench/rest/transact.lua "$base")
  t1=$(awk '{print $14+$15}' "/proc/$server/stat")
  local rps p50 p99 cpu
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$result")
  cpu=$(awk -v ticks=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" '/^requests:/ {printf "%.3f", ticks * 1000 / hz / $2}' <<< "$result")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$result")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$result")
  local scrape
  scrape=$(curl -s "$base/actuator/prometheus" | grep -c '^evidentsource_transactions_total' || true)
  printf '%-4s %10s req/s   CPU/request %s ms   p50 %8s   p99 %8s   load %s   (evidentsource_transactions_total series: %s)\n' \
    "$name" "$rps" "$cpu" "$p50" "$p99" "$(cut -d' ' -f1 /proc/loadavg)" "$scrape"
  kill "$server"
  wait "$server" 2>/dev/null || true
}

{
  echo "== $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "== batch $BATCH, $THREADS threads, $CONNECTIONS connections, warm-up $WARMUP, measured $DURATION"
  echo "== server pinned: ${SERVER_PIN[*]:-no}; wrk pinned: ${WRK_PIN[*]:-no}"
  for round in $(seq 1 "$ROUNDS"); do
    for config in $CONFIGS; do
      mapfile -t extra < <(args "$config")
      run "$config" ${extra[@]+"${extra[@]}"}
    done
  done
} | tee "$out"
