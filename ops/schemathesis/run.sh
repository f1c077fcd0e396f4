#!/usr/bin/env bash
# Runs schemathesis (PyPI) against a real server built from this checkout, started in the memory
# profile on a free loopback port, with the server's own OpenAPI document (/api/v1/openapi.json).
# Fails (exit 1) on any server error (5xx) or response that breaks the document: see
# docs/reliability.md. Needs the server jar (./mvnw package or verify first).
#
#   ops/schemathesis/run.sh                 # the CI run: fixed seed, few examples, a few minutes
#   ST_EXAMPLES=200 ST_PHASES=examples,coverage,fuzzing,stateful ST_SEED=$RANDOM ops/schemathesis/run.sh
#
# Settings (environment):
#   ST_EXAMPLES   most test cases per operation and phase (default 15)
#   ST_PHASES     schemathesis phases (default examples,coverage,fuzzing,stateful)
#   ST_SEED       random seed (default 18, so CI runs are reproducible)
#   ST_MAX_TIME   time budget in seconds for the whole run (default: none)
#   ST_JAR        the server jar (default server/target/evidentsource-server.jar)
#   ST_VENV       where schemathesis is installed (default /opt/schemathesis-venv)
#   ST_REPORT     where reports go (default server/target/schemathesis)
set -euo pipefail
cd "$(dirname "$0")/../.."

ST_VERSION=4.32.5
EXAMPLES=${ST_EXAMPLES:-15}
PHASES=${ST_PHASES:-examples,coverage,fuzzing,stateful}
SEED=${ST_SEED:-18}
JAR=${ST_JAR:-server/target/evidentsource-server.jar}
VENV=${ST_VENV:-/opt/schemathesis-venv}
REPORT=$(mkdir -p "${ST_REPORT:-server/target/schemathesis}" && cd "${ST_REPORT:-server/target/schemathesis}" && pwd)
# What must hold: no 5xx, and every response as the document says (status, content type, headers,
# body schema), methods the document does not list answered 405 with a matching Allow header.
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,unsupported_method,allow_header_conformance

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "version $ST_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$ST_VERSION"
fi
[ -f "$JAR" ] || { echo "no server jar at $JAR: run ./mvnw package first" >&2; exit 2; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$REPORT"
log="$REPORT/server.log"
java -Xmx1g -jar "$JAR" --spring.profiles.active=memory --server.port="$port" \
  --server.address=127.0.0.1 --spring.grpc.server.port=0 \
  --evidentsource.observability.max-tagged-databases=100000 >"$log" 2>&1 &
server=$!
stop() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap stop EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 180); do
  if curl -fsS "$base/api/v1/openapi.json" -o /dev/null 2>/dev/null; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then echo "the server exited; see $log" >&2; tail -20 "$log" >&2; exit 2; fi
  sleep 1
done

# One worker: hypothesis' lambda descriptions call ast.parse, which is not thread-safe on
# Python 3.11 ("AST constructor recursion depth mismatch").
set +e
config="$PWD/ops/schemathesis/schemathesis.toml"
args=(--config-file "$config" run "$base/api/v1/openapi.json" --checks "$CHECKS"
  --phases "$PHASES" --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 --no-shrink
  --request-timeout 60 --max-failures 100 --report junit --report-dir .)
[ -n "${ST_MAX_TIME:-}" ] && args+=(--max-time "$ST_MAX_TIME")
# from the report directory, where schemathesis keeps its replay database (.schemathesis/)
# (and never longer than ST_TIMEOUT seconds, 1800 by default, should a request hang)
(cd "$REPORT" && timeout "${ST_TIMEOUT:-1800}" "$VENV/bin/schemathesis" "${args[@]}")
status=$?
set -e
errors=$(grep -c -a 'answered 5[0-9][0-9]' "$log" || true)
echo "== schemathesis exit $status; 5xx answers in the server log: $errors (log: $log)"
exit "$status"
