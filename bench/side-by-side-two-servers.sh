#!/usr/bin/env bash
# The peer script ../shared/bench/side-by-side.sh for comparing two builds of our server: two
# servers (BASE_JAR and NEW_JAR, e.g. before and after a change) and PostgreSQL with fsync,
# interleaved in one window so they share the machine's weather; no Message DB.
# Usage, from the project checkout: BASE_JAR=before.jar NEW_JAR=after.jar REPEAT=2 bash bench/side-by-side-two-servers.sh
# (docs/benchmarks.md#pipelined-commit). BASE_ARGS and NEW_ARGS (default ES_ARGS) are each
# server's options, BASE_VARIANT and NEW_VARIANT (base, new) their names in the summary; the
# target pg-async adds PostgreSQL with synchronous_commit off. PEERS points at the peer scripts (default ../shared/bench/peers).
# PIN=1 runs both servers and PostgreSQL on SERVER_CPUS (default 0) and the driver on DRIVER_CPUS
# (default 1) with taskset, so the driver's JVM never takes the CPU a store answers on.
# The target stub runs the driver against bench/rest/StubAppendServer.java, a server that answers
# without doing any work: the most the driver can send (docs/benchmarks.md#the-drivers-ceiling).
set -euo pipefail
here=${PEERS:-$PWD/../shared/bench/peers}
. "$here/env.sh"
require_pg_binaries
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}; WARMUP=${WARMUP:-2}; REPEAT=${REPEAT:-2}
CLIENTS=${CLIENTS:-"1 8"}; BATCHES=${BATCHES:-"1 25"}; PAYLOAD=${PAYLOAD:-500}
BASELINE=${BASELINE:-100000}
TARGETS=${TARGETS:-"es-base es-new pg-sync"}
STORE_PIN=(); DRIVER_PIN=()
if [[ ${PIN:-0} == 1 ]]; then
  STORE_PIN=(taskset -c "${SERVER_CPUS:-0}"); DRIVER_PIN=(taskset -c "${DRIVER_CPUS:-1}")
fi
mkdir -p "$BENCH_DIR"; OUT=${OUT:-$BENCH_DIR/side3-$(date +%Y%m%d-%H%M%S).csv}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; "$here/pg/pg-stop.sh" || true; }
trap cleanup EXIT INT TERM
FRESH=1 "${STORE_PIN[@]}" "$here/pg/pg-start.sh"
"$here/pg/setup-events-db.sh"
mvn -q -f "$here/driver/pom.xml" dependency:build-classpath -Dmdep.outputFile="$BENCH_DIR/driver.cp"
CP=$(cat "$BENCH_DIR/driver.cp")
start_es() { # jar port dir args
  rm -rf "$3"
  "${STORE_PIN[@]}" java -jar "$1" --server.port=$2 --spring.grpc.server.port=0 --evidentsource.local.data-dir="$3" $4 > "$3.log" 2>&1 &
  pids+=($!)
  for i in $(seq 1 240); do curl -sf "http://127.0.0.1:$2/api/v1/databases" >/dev/null && return; sleep 0.5; done
  echo "server on $2 did not start" >&2; exit 1
}
BASE_PORT=${BASE_PORT:-58091}; NEW_PORT=${NEW_PORT:-58092}
start_es "$BASE_JAR" $BASE_PORT "$BENCH_DIR/es-base-data" "${BASE_ARGS:-${ES_ARGS:-}}"
start_es "$NEW_JAR" $NEW_PORT "$BENCH_DIR/es-new-data" "${NEW_ARGS:-${ES_ARGS:-}}"
STUB_PORT=${STUB_PORT:-58093}
if [[ " $TARGETS " == *" stub "* ]]; then
  "${STORE_PIN[@]}" java "$(dirname "$0")/rest/StubAppendServer.java" $STUB_PORT > "$BENCH_DIR/stub.log" 2>&1 &
  pids+=($!)
  for i in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.0.1/$STUB_PORT) 2>/dev/null && break; sleep 0.5; done
fi
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); postgres $("$PGBIN/postgres" --version | awk '{print $3}'); $(java -version 2>&1 | head -1); base $BASE_JAR new $NEW_JAR"
reset_pg() {
  psql -q -v ON_ERROR_STOP=1 -d "$PG_EVENTS_DB" -c "TRUNCATE events RESTART IDENTITY" \
    -c "INSERT INTO events (stream, subject, type, data) SELECT 'bench', 'base-' || (g % 10000), 'Type' || (g % 5),
        jsonb_build_object('client', -1, 'seq', g, 'i', 0, 'pad', repeat('x', $PAYLOAD - 50)) FROM generate_series(1, $BASELINE) g" \
    -c "VACUUM ANALYZE events" -c "CHECKPOINT"
}
run=0
for rep in $(seq 1 "$REPEAT"); do
  for b in $BATCHES; do for c in $CLIENTS; do for t in $TARGETS; do
    run=$((run+1))
    echo "rep $rep batch $b clients $c target $t load $(cut -d' ' -f1-3 /proc/loadavg)"
    case $t in
      es-base) "${DRIVER_PIN[@]}" java -cp "$CP" "$here/driver/PeerBench.java" --target evidentsource --variant "${BASE_VARIANT:-base}" --url "http://127.0.0.1:$BASE_PORT" \
             --database "side-$run" --clients "$c" --batch "$b" --payload "$PAYLOAD" --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP" --out "$OUT" ;;
      es-new) "${DRIVER_PIN[@]}" java -cp "$CP" "$here/driver/PeerBench.java" --target evidentsource --variant "${NEW_VARIANT:-new}" --url "http://127.0.0.1:$NEW_PORT" \
             --database "side-$run" --clients "$c" --batch "$b" --payload "$PAYLOAD" --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP" --out "$OUT" ;;
      stub) "${DRIVER_PIN[@]}" java -cp "$CP" "$here/driver/PeerBench.java" --target evidentsource --variant stub --url "http://127.0.0.1:$STUB_PORT" \
             --database "side-$run" --clients "$c" --batch "$b" --payload "$PAYLOAD" --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP" --out "$OUT" ;;
      pg-sync)  reset_pg; "${DRIVER_PIN[@]}" java -cp "$CP" "$here/driver/PeerBench.java" --target pg --url "$PG_EVENTS_URL" --user postgres \
             --lock global --variant "global/fsync" --clients "$c" --batch "$b" --payload "$PAYLOAD" --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP" --out "$OUT" ;;
      pg-async) reset_pg; "${DRIVER_PIN[@]}" java -cp "$CP" "$here/driver/PeerBench.java" --target pg --url "$PG_EVENTS_URL?options=-c%20synchronous_commit%3Doff" --user postgres \
             --lock global --variant "global/async-commit" --clients "$c" --batch "$b" --payload "$PAYLOAD" --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP" --out "$OUT" ;;
    esac
  done; done; done
done
echo; java "$here/driver/PeerBench.java" --summarize "$OUT"
echo "csv: $OUT"
