#!/usr/bin/env bash
# Issue 17's query goals on a database of 1,000,000 events (docs/benchmarks.md, "Queries on a
# 1M-event database"): (a) pages of 100 events of a random subject, GET
# .../events?subject=s-NNNNN&limit=100 (bench/rest/query-subject.lua), wrk with 8 connections on 2
# threads: requests/s, wrk's p50/p99, the server's own p50/p99 (the http_server_requests_seconds
# histogram of that route, before and after the run, its buckets started at 50 us instead of 1 ms) and the server's CPU time per page (all its
# threads, /proc/<pid>/stat); (b) a full NDJSON export (Accept: application/x-ndjson) read by curl
# into /dev/null: MB/s (10^6 bytes, curl's size_download over its time_total) and server CPU.
#   bench/rest/query-1m.sh server/target/evidentsource-server.jar              # in-memory storage
#   PROFILE=local bench/rest/query-1m.sh server/target/evidentsource-server.jar  # RocksDB, temp dir
#   bench/rest/query-1m.sh before.jar after.jar   # two (or more) builds, measured in alternating
#                                                 # rounds (A B, B A, ...) in one window
# The database: EVENTS (1,000,000) events of SUBJECTS (10,000) subjects, event i of subject
# s-(i mod SUBJECTS) (so a subject's events are spread over the whole log), ~500 bytes each as
# exported (a JSON data member padded with PAD characters), loaded as NDJSON bulk loads of CHUNK
# (50,000) events, LOAD_PAR (2) at a time.
# Environment: PROFILE (memory or local), ROUNDS (3), WARM (30 s of pages per server before the
# first round), DUR (30 s per page measurement), CONN (8), THREADS (2), EXPORTS (1 per round),
# HEAP (-Xmx3g), SERVER_ARGS / SERVER_JVM (extra server / JVM options, all servers), PORT (18331,
# then +1 per jar), PIN (1: the servers on CPU 0, wrk, curl and the loader on CPU 1, when the
# machine has 2 or more CPUs; SERVER_CPUS / CLIENT_CPUS change the lists), JFR (a directory: each
# measurement is recorded with Java Flight Recorder into JFR/<server>-<round>-pages.jfr and
# -export.jfr, with JFR_SETTINGS, default the JDK's profile; a copy of profile.jfc sampling every 1 ms
# shows more, see docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
(($# >= 1)) || { echo "usage: $0 server.jar [server2.jar ...]" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is missing: apt-get install jq" >&2; exit 2; }
PROFILE=${PROFILE:-memory}; EVENTS=${EVENTS:-1000000}; SUBJECTS=${SUBJECTS:-10000}
PAD=${PAD:-280}; CHUNK=${CHUNK:-50000}; LOAD_PAR=${LOAD_PAR:-2}
ROUNDS=${ROUNDS:-3}; WARM=${WARM:-30}; DUR=${DUR:-30}; CONN=${CONN:-8}; THREADS=${THREADS:-2}
EXPORTS=${EXPORTS:-1}; HEAP=${HEAP:--Xmx3g}; PORT=${PORT:-18331}; DB=q
case $PROFILE in memory | local) ;; *) echo "PROFILE must be memory or local" >&2; exit 2 ;; esac
SERVER_PIN=(); CLIENT_PIN=()
if [[ ${PIN:-1} == 1 ]] && command -v taskset >/dev/null && (($(nproc) >= 2)); then
  SERVER_PIN=(taskset -c "${SERVER_CPUS:-0}"); CLIENT_PIN=(taskset -c "${CLIENT_CPUS:-1}")
fi
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/evs-query-1m.XXXXXX")
jars=("$@"); pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
load() { cut -d' ' -f1 /proc/loadavg; }
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }

# One chunk of the database as NDJSON on stdout: events [from, to).
chunk() {
  awk -v from="$1" -v to="$2" -v subjects="$SUBJECTS" -v padlen="$PAD" 'BEGIN {
    pad = ""; for (j = 0; j < padlen; j++) pad = pad "x"
    for (i = from; i < to; i++)
      printf "{\"specversion\":\"1.0\",\"id\":\"e-%07d\",\"source\":\"bench/query-1m\",\"type\":\"bench.query.event\",\"subject\":\"s-%05d\",\"datacontenttype\":\"application/json\",\"data\":{\"n\":%d,\"pad\":\"%s\"}}\n", i, i % subjects, i, pad
  }'
}

start() { # index -> starts server i on PORT+i
  local i=$1 port=$((PORT + $1)) args=(--spring.profiles.active="$PROFILE")
  [[ $PROFILE == local ]] && args+=(--evidentsource.local.data-dir="$WORK/data-$i")
  ${SERVER_PIN[@]+"${SERVER_PIN[@]}"} java $HEAP ${SERVER_JVM:-} -jar "${jars[$i]}" --server.port="$port" \
    --spring.grpc.server.port=0 --logging.level.root=WARN "${args[@]}" \
    --management.metrics.distribution.minimum-expected-value.http.server.requests=50us ${SERVER_ARGS:-} \
    > "$WORK/server-$i.log" 2>&1 &
  pids[$i]=$!
  for _ in $(seq 240); do curl -sf -o /dev/null "localhost:$port/actuator/health" && return 0; sleep 0.5; done
  echo "server $i did not start; its log:" >&2; tail -20 "$WORK/server-$i.log" >&2; exit 1
}

fill() { # index -> creates database q and loads EVENTS events
  local port=$((PORT + $1)) from t0=$EPOCHREALTIME done_events=0 running=0
  curl -sf -X POST "localhost:$port/api/v1/databases" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$DB\"}" >/dev/null
  post() {
    local code
    code=$(chunk "$1" "$2" | ${CLIENT_PIN[@]+"${CLIENT_PIN[@]}"} curl -s -o "$WORK/load-$1.json" -w '%{http_code}' \
      -X POST "localhost:$port/api/v1/databases/$DB/events" -H 'Content-Type: application/x-ndjson' \
      --data-binary @-)
    [[ $code == 201 ]] || { echo "bulk load of events $1..$2 answered $code: $(head -c 300 "$WORK/load-$1.json")" >&2; return 1; }
  }
  for ((from = 0; from < EVENTS; from += CHUNK)); do
    post "$from" $((from + CHUNK < EVENTS ? from + CHUNK : EVENTS)) &
    if ((++running >= LOAD_PAR)); then
      wait -n || exit 1; running=$((running - 1)); done_events=$((done_events + CHUNK))
      printf '\r  loading server %d: %d of %d events, %.0f events/s, load %s ' "$1" "$done_events" "$EVENTS" \
        "$(bc -l <<< "$done_events / ($EPOCHREALTIME - $t0)")" "$(load)"
    fi
  done
  while ((running > 0)); do wait -n || exit 1; running=$((running - 1)); done
  local head
  head=$(curl -sf "localhost:$port/api/v1/databases/$DB" | jq .revision)
  printf '\r  loaded server %d: %d events in %.0f s (%.0f events/s), load %s\n' "$1" "$head" \
    "$(bc -l <<< "$EPOCHREALTIME - $t0")" "$(bc -l <<< "$head / ($EPOCHREALTIME - $t0)")" "$(load)"
  ((head == EVENTS)) || { echo "server $1 holds $head events, not $EVENTS" >&2; exit 1; }
  local page
  page=$(curl -sf "localhost:$port/api/v1/databases/$DB/events?subject=s-00042&limit=100")
  [[ $(jq '.events | length' <<< "$page") == $((EVENTS / SUBJECTS < 100 ? EVENTS / SUBJECTS : 100)) ]] ||
    { echo "a page of s-00042 does not hold the expected events" >&2; exit 1; }
  echo "  one page: $(printf '%s' "$page" | wc -c) bytes; one exported event: $(curl -sf -H 'Accept: application/x-ndjson' \
    "localhost:$port/api/v1/databases/$DB/events?limit=1" | wc -c) bytes"
}

# The page route's histogram buckets ("le count" lines) from the server's Prometheus scrape.
buckets() {
  curl -sf "localhost:$1/actuator/prometheus" | awk '/^http_server_requests_seconds_bucket\{/ &&
      /method="GET"/ && /status="200"/ && /uri="\/api\/v1\/databases\/\{db\}\/events"/ {
    match($0, /le="[^"]*"/); n[substr($0, RSTART + 4, RLENGTH - 5)] += $NF }
    END { for (le in n) printf "%s %.0f\n", le, n[le] }' # summed over the route's series
}
# p50 and p99 (the upper bound of the bucket each falls in, ms) of the difference of two scrapes.
server_percentiles() {
  join <(sort "$1") <(sort "$2") | awk '{ le = ($1 == "+Inf") ? 1e9 : $1; print le, $3 - $2 }' | sort -g |
    awk '{ le[NR] = $1; n[NR] = $2 } END {
      total = n[NR]; if (total == 0) { print "no histogram (observability off?)"; exit }
      for (i = 1; i <= NR; i++) { if (!p50 && n[i] >= 0.5 * total) p50 = le[i]; if (!p99 && n[i] >= 0.99 * total) p99 = le[i] }
      printf "server p50 <= %.3g ms, p99 <= %.3g ms", p50 * 1000, p99 * 1000 }'
}

jfr() { # start|stop index round what
  [[ -n ${JFR:-} ]] || return 0
  if [[ $1 == start ]]; then
    mkdir -p "$JFR"
    jcmd "${pids[$2]}" JFR.start name="$4" settings="${JFR_SETTINGS:-profile}" \
      filename="$(realpath "$JFR")/$2-$3-$4.jfr" > /dev/null
  else
    jcmd "${pids[$2]}" JFR.stop name="$4" > /dev/null
  fi
}

pages() { # index round -> one page measurement
  local i=$1 port=$((PORT + $1)) t0 t1 out
  buckets "$port" > "$WORK/b0"
  jfr start "$i" "$2" pages
  t0=$(ticks "${pids[$i]}")
  out=$(DB=$DB SUBJECTS=$SUBJECTS ${CLIENT_PIN[@]+"${CLIENT_PIN[@]}"} wrk -t"$THREADS" -c"$CONN" -d"${DUR}s" \
    --latency -s bench/rest/query-subject.lua "http://127.0.0.1:$port")
  t1=$(ticks "${pids[$i]}")
  jfr stop "$i" "$2" pages
  buckets "$port" > "$WORK/b1"
  local server
  server=$(server_percentiles "$WORK/b0" "$WORK/b1")
  awk -v name="$i" -v round="$2" -v ticks=$((t1 - t0)) -v hz="$HZ" -v server="$server" -v load="$(load)" '
    /^requests:/ { reqs = $2; errors = $NF }
    /Requests\/sec/ { rps = $2 }
    /^latency p50/ { p50 = $3; p99 = $6; p999 = $9 }
    END { printf "server %s round %d pages: %.0f/s, wrk p50 %s ms, p99 %s ms, p99.9 %s ms; %s; CPU %.3f ms/page; errors %s; load %s\n",
          name, round, rps, p50, p99, p999, server, ticks * 1000 / hz / reqs, errors, load }' <<< "$out"
}

export_all() { # index round -> one full NDJSON export
  local i=$1 port=$((PORT + $1)) t0 t1 out
  jfr start "$i" "$2" export
  t0=$(ticks "${pids[$i]}")
  out=$(${CLIENT_PIN[@]+"${CLIENT_PIN[@]}"} curl -sf -o /dev/null -H 'Accept: application/x-ndjson' \
    -w '%{size_download} %{time_total}' "localhost:$port/api/v1/databases/$DB/events")
  t1=$(ticks "${pids[$i]}")
  jfr stop "$i" "$2" export
  awk -v name="$i" -v round="$2" -v ticks=$((t1 - t0)) -v hz="$HZ" -v events="$EVENTS" -v load="$(load)" '{
    printf "server %s round %d export: %.0f MB in %.2f s = %.0f MB/s, server CPU %.2f s (%.2f us/event); load %s\n",
      name, round, $1 / 1e6, $2, $1 / 1e6 / $2, ticks / hz, ticks / hz * 1e6 / events, load }' <<< "$out"
}

echo "== $(date -u +%FT%TZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); profile $PROFILE; $EVENTS events, $SUBJECTS subjects"
echo "== pages: wrk $THREADS threads, $CONN connections, ${WARM}s warm-up, ${DUR}s per run; pinned: ${SERVER_PIN[*]:-no} / ${CLIENT_PIN[*]:-no}"
for i in "${!jars[@]}"; do
  echo "server $i: ${jars[$i]} $HEAP ${SERVER_JVM:-} ${SERVER_ARGS:-}"
  start "$i"
  fill "$i"
  DB=$DB SUBJECTS=$SUBJECTS ${CLIENT_PIN[@]+"${CLIENT_PIN[@]}"} wrk -t"$THREADS" -c"$CONN" -d"${WARM}s" \
    -s bench/rest/query-subject.lua "http://127.0.0.1:$((PORT + i))" > /dev/null
done
count=${#jars[@]}
for r in $(seq "$ROUNDS"); do
  for k in $(seq 0 $((count - 1))); do
    i=$(((k + r - 1) % count)) # each server first in turn
    pages "$i" "$r"
    for _ in $(seq "$EXPORTS"); do export_all "$i" "$r"; done
  done
done
