#!/usr/bin/env bash
# Prints the path of async-profiler's agent library (libasyncProfiler.so), fetching it first if
# needed: from Maven Central (tools.profiler:async-profiler, its linux-x64 jar, which holds the
# library) by the Maven wrapper, once, into bench/results/async-profiler. Used by cpu-profile.sh
# and ab-cpu.sh (CPU_PROFILES). Environment: ASYNC_PROFILER (4.6, the version).
set -euo pipefail
cd "$(dirname "$0")/../.."
version=${ASYNC_PROFILER:-4.6}
dir=bench/results/async-profiler
agent=$dir/linux-x64/libasyncProfiler.so
if [[ ! -f $agent ]]; then
  mkdir -p "$dir"
  ./mvnw -q -B -ntp dependency:copy -Dartifact="tools.profiler:async-profiler:$version:jar:linux-x64" \
    -DoutputDirectory="$dir" >&2
  (cd "$dir" && unzip -q -o "async-profiler-$version-linux-x64.jar" 'linux-x64/*')
fi
echo "$PWD/$agent"
