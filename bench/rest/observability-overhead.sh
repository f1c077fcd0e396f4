#!/usr/bin/env bash
# REST append throughput with metrics and tracing on vs off, in one run (docs/benchmarks.md):
# starts the server jar ROUNDS times in each configuration of CONFIGS (a fresh JVM per round and
# configuration, as JIT decisions differ from one JVM to the next), each configuration first in
# turn in successive rounds, and drives POST .../transactions (one event per request, the most
# overhead per event) with wrk. Prints per run the server's CPU time per request (from
# /proc/<pid>/stat, all its threads) besides requests/s and latency, and at the end per
# configuration the median and range of the CPU per request and the median of the per-round
# ratios against the first configuration of CONFIGS (and, for a labelled one, against its twin).
#   on:  the defaults: Micrometer domain, HTTP and JVM metrics (Prometheus registry), trace and
#        span ids for every request (in the logs and propagated); spans recorded only when they
#        go somewhere (an OTLP endpoint or another exporter is set; none is here)
#   sec: the defaults plus Spring Security's observations (a timer and, when traced, a span per
#        filter chain and authorization: management.observations.enable.spring.security=true)
#   all: every request traced and recorded, as when an exporter is set
#        (management.tracing.sampling.probability=1.0 and evidentsource.observability.record-spans=always)
#   off: evidentsource.observability.enabled=false (the core reports to nothing),
#        management.observations.enable.all=false (no HTTP/gRPC observations),
#        management.tracing.enabled=false
#   A configuration may carry a label after a dot, e.g. "on.2": it runs as "on" and is reported
#   apart, an A/A control that shows how far two runs of the same configuration differ.
# Environment: DURATION (default 20s), WARMUP (60s), CONNECTIONS (16), THREADS (2), PORT (18090),
# HEAP (-Xmx2g), ROUNDS (5), BATCH (1), CONFIGS ("off on on.2"), JAR (the server jar,
# server/target/evidentsource-server.jar), EXTRA (server options added to every configuration),
# SERVER_CPUS / WRK_CPUS (taskset CPU lists: on a machine of 2 or more CPUs the server runs on CPU 0
# and wrk on CPU 1 by default, so that the load generator does not take the server's CPU in some
# rounds and not in others; PIN=0 turns this off).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-60s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-18090}
HEAP=${HEAP:--Xmx2g}
ROUNDS=${ROUNDS:-5}
BATCH=${BATCH:-1}
CONFIGS=${CONFIGS:-off on on.2}
PIN=${PIN:-1}
SERVER_PIN=()
WRK_PIN=()
if [[ $PIN == 1 ]] && command -v taskset >/dev/null && (($(nproc) >= 2)); then
  SERVER_PIN=(taskset -c "${SERVER_CPUS:-0}")
  WRK_PIN=(taskset -c "${WRK_CPUS:-1}")
fi
JAR=${JAR:-server/target/evidentsource-server.jar}
[[ -f $JAR ]] || ./mvnw -q -B -DskipTests package -pl server -am
read -r -a extra_all <<< "${EXTRA:-}"
mkdir -p bench/results
out=bench/results/observability-overhead.txt
base="http://127.0.0.1:$PORT"
args() { # configuration name (a label after a dot ignored) -> server arguments, one per line
  case ${1%%.*} in
    on) ;;
    sec) echo --management.observations.enable.spring.security=true ;;
    all) printf '%s\n' --management.tracing.sampling.probability=1.0 \
      --evidentsource.observability.record-spans=always ;;
    off) printf '%s\n' --evidentsource.observability.enabled=false \
      --management.observations.enable.all=false --management.tracing.enabled=false ;;
    *) echo "unknown configuration $1 (on, sec, all, off)" >&2; exit 2 ;;
  esac
}

run() { # name, server arguments (maybe none)...
  local name=$1
  shift
  if curl -s -o /dev/null "$base/actuator/health"; then
    echo "port $PORT is taken by another server: stop it or set PORT" >&2
    exit 2
  fi
  ${SERVER_PIN[@]+"${SERVER_PIN[@]}"} java $HEAP -jar "$JAR" --spring.profiles.active=memory --server.port="$PORT" \
    --spring.grpc.server.port=0 --logging.level.root=WARN ${@+"$@"} > "bench/results/overhead-$name-server.log" 2>&1 &
  local server=$! up=0
  for _ in $(seq 1 300); do
    kill -0 "$server" 2>/dev/null || break # it stopped (see its log)
    curl -sf "$base/actuator/health" >/dev/null && { up=1; break; }
    sleep 1
  done
  local db="overhead-${name//./-}-$(date +%s)"
  if ((up == 0)) || ! curl -sf -X POST "$base/api/v1/databases" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$db\"}" >/dev/null; then
    echo "$name: round $round skipped, the server stopped or did not answer within 300 s (bench/results/overhead-$name-server.log)"
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    return 0
  fi
  DB=$db BATCH=$BATCH RUN=warmup ${WRK_PIN[@]+"${WRK_PIN[@]}"} wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" \
    -s bench/rest/transact.lua "$base" >/dev/null
  local result t0 t1
  t0=$(awk '{print $14+$15}' "/proc/$server/stat") # the server's CPU time, in clock ticks
  result=$(DB=$db BATCH=$BATCH RUN=measure ${WRK_PIN[@]+"${WRK_PIN[@]}"} wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" \
    --latency -s bench/rest/transact.lua "$base")
  t1=$(awk '{print $14+$15}' "/proc/$server/stat")
  local rps p50 p99 cpu
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$result")
  cpu=$(awk -v ticks=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" '/^requests:/ && $2 > 0 {printf "%.3f", ticks * 1000 / hz / $2}' <<< "$result")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$result")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$result")
  local scrape
  scrape=$(curl -s "$base/actuator/prometheus" | grep -c '^evidentsource_transactions_total' || true)
  if [[ $cpu == "" || $cpu == inf ]]; then
    echo "$name: round $round not counted, no request answered"
  else
    printf '%s %s %s %s\n' "$name" "$round" "$cpu" "$rps" >> "$raw"
  fi
  printf '%-8s %10s req/s   CPU/request %s ms   p50 %8s   p99 %8s   load %s   (evidentsource_transactions_total series: %s)\n' \
    "$name" "$rps" "$cpu" "$p50" "$p99" "$(cut -d' ' -f1 /proc/loadavg)" "$scrape"
  kill "$server"
  wait "$server" 2>/dev/null || true
}

raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
read -r -a configs <<< "$CONFIGS"
{
  echo "== $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD), jar $JAR, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "== batch $BATCH, $THREADS threads, $CONNECTIONS connections, warm-up $WARMUP, measured $DURATION, rounds $ROUNDS, extra: ${EXTRA:-none}"
  echo "== server pinned: ${SERVER_PIN[*]:-no}; wrk pinned: ${WRK_PIN[*]:-no}"
  for round in $(seq 1 "$ROUNDS"); do
    n=${#configs[@]}
    for i in $(seq 0 $((n - 1))); do # each configuration first in turn
      config=${configs[$(((i + round - 1) % n))]}
      mapfile -t extra < <(args "$config")
      run "$config" ${extra[@]+"${extra[@]}"} ${extra_all[@]+"${extra_all[@]}"}
    done
  done
  # per configuration: CPU per request (median, min, max), requests/s (median), and the median of
  # the per-round ratios of its CPU per request to the first configuration's
  echo "== summary (CPU per request in ms; ratio: median over rounds of this / ${configs[0]}, same round)"
  awk -v first="${configs[0]}" -v order="$CONFIGS" '
    function median(a, n,   i, j, t) {
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { cpu[$1, $2] = $3; rps[$1, $2] = $4; if ($2 > rounds) rounds = $2 }
    END {
      n = split(order, names, " ")
      for (k = 1; k <= n; k++) {
        c = names[k]; m = 0; delete xs; delete ys; delete rs; r = 0
        for (i = 1; i <= rounds; i++) if ((c, i) in cpu) {
          xs[++m] = cpu[c, i]; ys[m] = rps[c, i]
          if ((first, i) in cpu && cpu[first, i] > 0) rs[++r] = cpu[c, i] / cpu[first, i]
        }
        if (m == 0) continue
        lo = xs[1]; hi = xs[1]; for (i = 1; i <= m; i++) { if (xs[i] < lo) lo = xs[i]; if (xs[i] > hi) hi = xs[i] }
        printf "%-8s CPU/request median %.3f ms (%.3f-%.3f, %d rounds), req/s median %.0f, ratio to %s %.3f",
          c, median(xs, m), lo, hi, m, median(ys, m), first, r ? median(rs, r) : 0
        base = c; sub(/\..*/, "", base); q = 0; delete qs
        if (base != c) { # an A/A control: also against its unlabelled twin
          for (i = 1; i <= rounds; i++) if ((c, i) in cpu && (base, i) in cpu && cpu[base, i] > 0) qs[++q] = cpu[c, i] / cpu[base, i]
          if (q) printf ", ratio to %s %.3f", base, median(qs, q)
        }
        printf "\n"
      }
    }' "$raw"
} | tee "$out"
