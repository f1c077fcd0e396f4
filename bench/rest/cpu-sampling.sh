# Sourced (not run) by cpu-profile.sh and ab-cpu.sh, from the repository's root: samples a running
# JVM's CPU with async-profiler (one sample per 1 ms of CPU time of any thread: request threads,
# GC, JIT and the kernel's work on its behalf), attached with jcmd, into collapsed stacks that
# cpu-share.py reads. The agent library comes from Maven Central (tools.profiler:async-profiler,
# its linux-x64 jar), fetched once by the Maven wrapper into bench/results/async-profiler.
# Environment: ASYNC_PROFILER (4.6, the version), EVENT (cpu: perf_events' CPU clock; itimer where
# perf_events is not allowed).

# Sets CPU_SAMPLING_AGENT to the agent library's path, fetching it on the first call.
cpu_sampling_agent() {
  [[ -n ${CPU_SAMPLING_AGENT:-} ]] && return
  local version=${ASYNC_PROFILER:-4.6} dir=bench/results/async-profiler
  if [[ ! -f $dir/linux-x64/libasyncProfiler.so ]]; then
    mkdir -p "$dir"
    ./mvnw -q -B -ntp dependency:copy -Dartifact="tools.profiler:async-profiler:$version:jar:linux-x64" \
      -DoutputDirectory="$dir" >&2
    (cd "$dir" && unzip -q -o "async-profiler-$version-linux-x64.jar" 'linux-x64/*')
  fi
  CPU_SAMPLING_AGENT=$PWD/$dir/linux-x64/libasyncProfiler.so
}

# cpu_sampling_start PID FILE SECONDS: samples JVM PID for SECONDS, then writes FILE.
cpu_sampling_start() {
  cpu_sampling_agent
  rm -f "$2"
  # jcmd reads name=value pairs itself: the agent's options go in quotes, as one value
  jcmd "$1" JVMTI.agent_load "$CPU_SAMPLING_AGENT" \
    "\"start,event=${EVENT:-cpu},interval=1ms,timeout=$3,file=$(realpath -m "$2"),collapsed\"" >/dev/null
}

# cpu_sampling_wait FILE: waits up to 30 s for the profile the agent writes when it stops, until
# the file has stopped growing (it is written in pieces; a non-empty file may not be whole yet).
cpu_sampling_wait() {
  local size=0 now
  for _ in $(seq 60); do
    now=$(stat -c %s "$1" 2>/dev/null || echo 0)
    ((now > 0 && now == size)) && return 0
    size=$now
    sleep 0.5
  done
  echo "no profile written: $1" >&2
  return 1
}
