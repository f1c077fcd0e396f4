#!/usr/bin/env bash
# The server's tail at one client: each configuration's server runs on CPU 0 (taskset: the JVM then
# sees one CPU and picks the serial collector unless told otherwise) with a GC log, the peer driver
# (one client, one guarded event of ~500 bytes per append) on CPU 1; configurations alternate over
# ROUNDS rounds, each on a fresh server. Per run: the driver's appends/s, p50, p99 and max, and from
# the GC log the pauses inside the measured window (count, total, longest), so that a p99 can be set
# against the collector's pauses.
#   JAR=server.jar CONFIGS="memory local" bench/rest/one-client-tail.sh
# A configuration is a name with its JVM options and server arguments in variables:
#   CONFIGS="serial young" young_JVM="-Xmn256m" young_ARGS="--spring.profiles.active=memory"
# Built-in names: memory (profile memory), local (the default profile, sync=always, a fresh data
# directory per run). Environment: ROUNDS (3), SECONDS_RUN (10), WARMUP (10 s, the driver's own),
# PRE (20 s of driver load on a fresh server before the measured run, so the JIT is done), PEERS
# (/work/shared/bench/peers), PORT (18411), OUT (the driver's CSV, $TMPDIR/evs-one-client.csv).
set -u
cd "$(dirname "$0")/../.."
JAR=${JAR:?JAR: the server jar}
CONFIGS=${CONFIGS:-"memory local"}; ROUNDS=${ROUNDS:-3}; SECONDS_RUN=${SECONDS_RUN:-10}
WARMUP=${WARMUP:-10}; PRE=${PRE:-20}; PORT=${PORT:-18411}
PEERS=${PEERS:-/work/shared/bench/peers}
LOGS=${TMPDIR:-/tmp}/evs-one-client; mkdir -p "$LOGS"
OUT=${OUT:-$LOGS/driver.csv}
DRV=$LOGS/driver-classes
if [[ ! -f $DRV/PeerBench.class ]]; then mkdir -p "$DRV" && javac -d "$DRV" "$PEERS/driver/PeerBench.java" || exit 2; fi
memory_ARGS=${memory_ARGS:-"--spring.profiles.active=memory"}; memory_JVM=${memory_JVM:-}
local_ARGS=${local_ARGS:-""}; local_JVM=${local_JVM:-}
SERVER=""
trap '[[ -n $SERVER ]] && kill "$SERVER" 2>/dev/null' EXIT
gc_window() { # gc log, window start and end in seconds of JVM uptime: pauses inside it
  awk -v s="$2" -v e="$3" '
    /Pause/ && /ms$/ { t = $1; gsub(/[\[\]s]/, "", t); if (t + 0 >= s && t + 0 <= e) {
        ms = $NF; sub(/ms/, "", ms); n++; sum += ms; if (ms + 0 > max) max = ms + 0 } }
    END { printf "%d pauses, %.1f ms in all, longest %.2f ms", n, sum, max }' "$1"
}
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $ROUNDS rounds of ${SECONDS_RUN} s"
for round in $(seq "$ROUNDS"); do
  for c in $CONFIGS; do
    jvm_var="${c}_JVM"; args_var="${c}_ARGS"
    data=$LOGS/data-$c; rm -rf "$data"
    gclog=$LOGS/gc-$c-$round.log
    taskset -c 0 java -Xlog:gc*:file="$gclog":uptime ${!jvm_var:-} -jar "$JAR" --server.port="$PORT" \
      --spring.grpc.server.port=0 --logging.level.root=WARN --evidentsource.local.data-dir="$data" \
      ${!args_var:-} > "$LOGS/server-$c.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 240); do curl -s -o /dev/null "localhost:$PORT/api/v1/databases" && break; sleep 0.5; done
    taskset -c 1 java -cp "$DRV" PeerBench --target evidentsource --url "http://127.0.0.1:$PORT" \
      --database warm --clients 1 --batch 1 --payload 500 --seconds "$PRE" --warmup 2 >/dev/null
    up0=$(awk '{print $22}' /proc/$SERVER/stat)
    start=$(awk -v u="$up0" -v hz="$(getconf CLK_TCK)" '{print $1 - u / hz}' /proc/uptime)
    line=$(taskset -c 1 java -cp "$DRV" PeerBench --target evidentsource --url "http://127.0.0.1:$PORT" \
      --database bench --variant "$c" --clients 1 --batch 1 --payload 500 --seconds "$SECONDS_RUN" \
      --warmup "$WARMUP" --out "$OUT" | tail -1)
    end=$(awk -v u="$up0" -v hz="$(getconf CLK_TCK)" '{print $1 - u / hz}' /proc/uptime)
    # the driver's own warm-up comes first: the measured window is the last SECONDS_RUN seconds
    from=$(awk -v e="$end" -v d="$SECONDS_RUN" 'BEGIN {print e - d - 0.5}')
    echo "round $round $c: $line | GC in the window: $(gc_window "$gclog" "$from" "$end") | load $(cut -d' ' -f1 /proc/loadavg)"
    kill "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=""
  done
done
java -cp "$DRV" PeerBench --summarize "$OUT"
