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
# Environment: DURATION (default 20s), WARMUP (10s), CONNECTIONS (16), THREADS (2), PORT (18090),
# HEAP (-Xmx2g), ROUNDS (2), BATCH (1), CONFIGS ("on all off").
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-10s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-18090}
HEAP=${HEAP:--Xmx2g}
ROUNDS=${ROUNDS:-2}
BATCH=${BATCH:-1}
CONFIGS=${CONFIGS:-on all off}
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
  java $HEAP -jar "$JAR" --spring.profiles.active=memory --server.port="$PORT" \
    --spring.grpc.server.port=0 --logging.level.root=WARN ${@+"$@"} > "bench/results/overhead-$name-server.log" 2>&1 &
  local server=$!
  for _ in $(seq 1 90); do
    curl -sf "$base/actuator/health" >/dev/null && break
    sleep 1
  done
  local db="overhead-$name-$(date +%s)"
  curl -sf -X POST "$base/api/v1/databases" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$db\"}" >/dev/null
  DB=$db BATCH=$BATCH RUN=warmup wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" \
    -s bench/rest/transact.lua "$base" >/dev/null
  local result
  result=$(DB=$db BATCH=$BATCH RUN=measure wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" \
    --latency -s bench/rest/transact.lua "$base")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$result")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$result")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$result")
  local scrape
  scrape=$(curl -s "$base/actuator/prometheus" | grep -c '^evidentsource_transactions_total' || true)
  printf '%-4s %10s req/s   p50 %8s   p99 %8s   load %s   (evidentsource_transactions_total series: %s)\n' \
    "$name" "$rps" "$p50" "$p99" "$(cut -d' ' -f1 /proc/loadavg)" "$scrape"
  kill "$server"
  wait "$server" 2>/dev/null || true
}

{
  echo "== $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "== batch $BATCH, $THREADS threads, $CONNECTIONS connections, warm-up $WARMUP, measured $DURATION"
  for round in $(seq 1 "$ROUNDS"); do
    for config in $CONFIGS; do
      mapfile -t extra < <(args "$config")
      run "$config" ${extra[@]+"${extra[@]}"}
    done
  done
} | tee "$out"
