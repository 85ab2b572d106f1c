#!/usr/bin/env bash
# bench/profile.sh: profiles a hellonet it starts itself under one load shape, and prints where the CPU went.
#
#   bench/profile.sh [--shape conn|pipelined] [--seconds N] [--warmup N] [--label NAME] [--event E] [--interval MS]
#                    [--profiler async|jfr]
#
# Builds target/hellonet.jar if needed, gets async-profiler from Maven Central through Maven (into target/), starts
# hellonet on loopback with the caller's HELLONET_* configuration, drives it with ./hellonet loadgen, samples every
# hellonet JVM it started (the supervisor and each worker with hello.processes > 1) for N seconds once the load runs,
# stops everything it started and prints: the load generator's result, samples and cores per process, the share of
# samples by thread-name pattern (vert.x-acceptor-thread-* against vert.x-eventloop-thread-* ...) and the top 25
# self-time frames. Per process it writes pid-<pid>.collapsed and pid-<pid>.html (a flame graph), plus summary.txt
# and the load generator's output. Docs: docs/benchmarks.md, section "Profiling".
#
#   --shape conn       connection per request, as compare.sh's conn rows (BENCH_CONN_SLOTS [64] slots, RST close)
#   --shape pipelined  BENCH_PIPE_CONNECTIONS [32] connections x BENCH_PIPE_DEPTH [64] requests in flight
#   --seconds N [10]   how long to sample (1-300); the load runs for the warm-up, then N + 6 s
#   --warmup N [10]    seconds of load before sampling starts (0-60): the JIT compiles for the first seconds
#   --label NAME       write into docs/performance/profiles/NAME/ (meant to be committed) instead of
#                      target/profiles/<UTC time>-<shape>/
#   --event E [auto]   cpu (perf_events), ctimer or itimer (CPU timers, no perf_events needed), wall (every thread,
#                      running or waiting: shares then say where threads wait, not what costs CPU). auto = cpu if
#                      perf_events open in the server's JVM, else ctimer
#   --interval MS [10] sampling interval in milliseconds (of CPU time; of wall time for wall)
#   --profiler P [async]  async-profiler, or JFR (jcmd JFR.start; jdk.CPUTimeSample where the JDK has it, else
#                      jdk.ExecutionSample, which sees Java code only; no kernel frames, no flame graph). JFR is also
#                      the fallback when async-profiler cannot be fetched or loaded; the summary's engine line says so
#
# Environment:
#   HELLONET_* pass through to hellonet unchanged (its configuration: e.g. HELLONET_HELLO_PROCESSES=2). The script
#     sets only what it needs and the caller has not: HELLONET_HELLO_HOST and HELLONET_HTTP_HOST=127.0.0.1 (another
#     host is refused: loopback only), HELLONET_HELLO_PORT [PROFILE_PORT], HELLONET_HTTP_PORT [PROFILE_PORT + 1],
#     HELLONET_CLUSTER_PORT [PROFILE_PORT + 2], HELLONET_SEQUENCE_FILE [a fresh file in a temporary directory]
#   PROFILE_PORT [19400]   ASYNC_PROFILER_VERSION [4.2]
#   BENCH_CONN_SLOTS [64]  BENCH_PIPE_CONNECTIONS [32]  BENCH_PIPE_DEPTH [64]  (the load shapes, as in compare.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
say() { printf 'profile.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
whole() { # $1 option name, $2 value, $3 min, $4 max
  case "$2" in ''|*[!0-9]*) say "$1 needs a whole number, not '$2'"; exit 2 ;; esac
  [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] || { say "$1 must be between $3 and $4, not $2"; exit 2; }
}

SHAPE=conn SECONDS_=10 WARMUP=10 LABEL="" EVENT=auto INTERVAL=10 PROFILER=async FALLBACK=""
while [ $# -gt 0 ]; do
  case "$1" in
    --shape) SHAPE=${2:-}; shift ;;
    --seconds) SECONDS_=${2:-}; shift ;;
    --warmup) WARMUP=${2:-}; shift ;;
    --label) LABEL=${2:-}; shift ;;
    --event) EVENT=${2:-}; shift ;;
    --interval) INTERVAL=${2:-}; shift ;;
    --profiler) PROFILER=${2:-}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) say "unknown argument '$1' (see --help)"; exit 2 ;;
  esac
  shift
done
case "$SHAPE" in conn|pipelined) ;; *) say "--shape must be conn or pipelined, not '$SHAPE'"; exit 2 ;; esac
case "$EVENT" in
  auto|cpu|ctimer|itimer|wall) ;;
  *) say "--event must be auto, cpu, ctimer, itimer or wall, not '$EVENT'"; exit 2 ;;
esac
case "$PROFILER" in async|jfr) ;; *) say "--profiler must be async or jfr, not '$PROFILER'"; exit 2 ;; esac
whole --seconds "$SECONDS_" 1 300
whole --warmup "$WARMUP" 0 60
whole --interval "$INTERVAL" 1 1000
if [ -n "$LABEL" ]; then
  case "$LABEL" in
    *[!A-Za-z0-9._-]*|.*) say "--label may hold letters, digits, '.', '_' and '-' (not first '.')"; exit 2 ;;
  esac
  OUT="$ROOT/docs/performance/profiles/$LABEL"
else
  OUT="$ROOT/target/profiles/$(date -u +%Y%m%dT%H%M%SZ)-$SHAPE"
fi

PORT=${PROFILE_PORT:-19400}
whole PROFILE_PORT "$PORT" 1024 65000
: "${HELLONET_HELLO_HOST:=127.0.0.1}" "${HELLONET_HTTP_HOST:=127.0.0.1}"
: "${HELLONET_HELLO_PORT:=$PORT}" "${HELLONET_HTTP_PORT:=$((PORT + 1))}" "${HELLONET_CLUSTER_PORT:=$((PORT + 2))}"
for v in HELLONET_HELLO_HOST HELLONET_HTTP_HOST; do
  case "${!v}" in 127.*) ;; *) die "$v=${!v} is not 127.x.y.z; this script serves loopback (IPv4) only" ;; esac
done
export HELLONET_HELLO_HOST HELLONET_HTTP_HOST HELLONET_HELLO_PORT HELLONET_HTTP_PORT HELLONET_CLUSTER_PORT

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$HELLONET_HELLO_PORT" "$HELLONET_HTTP_PORT"; do
  ! port_in_use "$p" || die "port $p on 127.0.0.1 is already in use; pick other ports with PROFILE_PORT"
done

# --- what is needed -------------------------------------------------------------------------------------------------
jar="$ROOT/target/hellonet.jar"
if [ ! -f "$jar" ] || [ -n "$(cd "$ROOT" && find pom.xml src conf -newer "$jar" -print -quit)" ]; then
  say "building target/hellonet.jar"
  "$ROOT/hellonet" build
fi

# async-profiler's jar on Maven Central carries the native agent; only Maven fetches it (no other download).
AP_VERSION=${ASYNC_PROFILER_VERSION:-4.2}
case "$(uname -m)" in x86_64) AP_ARCH=linux-x64 ;; aarch64) AP_ARCH=linux-arm64 ;; *) AP_ARCH="" ;; esac
AP_DIR="$ROOT/target/async-profiler/$AP_VERSION"
AP_LIB="$AP_DIR/$AP_ARCH/libasyncProfiler.so"
fall_back() { PROFILER=jfr; FALLBACK="$*"; say "falling back to JFR: $*"; }
if [ "$PROFILER" = async ]; then
  if [ -z "$AP_ARCH" ]; then
    fall_back "async-profiler's Maven jar has no agent for $(uname -m)"
  elif [ ! -f "$AP_LIB" ]; then
    say "getting tools.profiler:async-profiler:$AP_VERSION:jar:$AP_ARCH through Maven"
    fetch_log="$ROOT/target/async-profiler-fetch.log"
    if (cd "$ROOT" && mvn -B -ntp -q dependency:copy -DoutputDirectory="$AP_DIR" \
          -Dartifact="tools.profiler:async-profiler:$AP_VERSION:jar:$AP_ARCH") >"$fetch_log" 2>&1; then
      (cd "$AP_DIR" && unzip -q -o "async-profiler-$AP_VERSION-$AP_ARCH.jar" "$AP_ARCH/libasyncProfiler.so") || true
    fi
    [ -f "$AP_LIB" ] || fall_back "async-profiler $AP_VERSION could not be fetched through Maven" \
      "(target/async-profiler-fetch.log)"
  fi
fi

# --- hellonet -------------------------------------------------------------------------------------------------------
TMP=$(mktemp -d /tmp/hellonet-profile.XXXXXX)
mkdir -p "$OUT"
rm -f "$OUT"/pid-*.collapsed "$OUT"/pid-*.html "$OUT"/pid-*.jfr "$OUT"/summary.txt "$OUT"/load.*
: "${HELLONET_SEQUENCE_FILE:=$TMP/sequence}"
export HELLONET_SEQUENCE_FILE
SERVER="" LOAD="" JVMS=()
children() { # the JVMs the first one started (a supervisor's workers)
  local c
  for c in $(cat /proc/"$SERVER"/task/*/children 2>/dev/null); do
    case "$(readlink "/proc/$c/exe" 2>/dev/null)" in */java) echo "$c" ;; esac
  done
}
cleanup() {
  local pid i
  [ -n "$LOAD" ] && kill -TERM "$LOAD" 2>/dev/null || true
  if [ -n "$SERVER" ]; then
    mapfile -t JVMS < <(children)   # again: workers that were still starting, or were restarted, count too
    # SIGTERM to the first JVM: a supervisor forwards it to its workers and waits for them.
    kill -TERM "$SERVER" 2>/dev/null || true
    for i in $(seq 1 300); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
    for pid in "$SERVER" "${JVMS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  fi
  cp "$TMP/hellonet.log" "$OUT/hellonet.log" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Frames between safepoints (DebugNonSafepoints) make an attached profiler's Java frames exact; the agent is loaded
# into a running JVM, which JDK 21+ allows but warns about unless told. JAVA_TOOL_OPTIONS reaches every JVM, the
# workers too (they inherit the environment), and leaves the caller's HELLONET_JVM_OPTS alone.
say "starting hellonet on 127.0.0.1:$HELLONET_HELLO_PORT ($(env | grep -c '^HELLONET_') HELLONET_* variables)"
PROFILE_JVM_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -XX:+EnableDynamicAgentLoading"
env -u HELLONET_LOADGEN_JVM_OPTS JAVA_TOOL_OPTIONS="$PROFILE_JVM_OPTS ${JAVA_TOOL_OPTIONS:-}" \
  "$ROOT/hellonet" run >"$TMP/hellonet.log" 2>&1 &
SERVER=$!   # the launcher execs java, so this is the first JVM's pid

expected=${HELLONET_HELLO_PROCESSES:-1}
case "$expected" in ''|*[!0-9]*|0) expected=1 ;; esac
for i in $(seq 1 1200); do
  kill -0 "$SERVER" 2>/dev/null || die "hellonet exited while starting: $(tail -3 "$TMP/hellonet.log")"
  ready=$(grep -c 'hellonet ready' "$TMP/hellonet.log" 2>/dev/null || true); ready=${ready:-0}
  n=$(children | wc -l)
  [ "$ready" -ge "$expected" ] && [ "$ready" -ge "$n" ] && port_in_use "$HELLONET_HELLO_PORT" && break
  [ "$i" = 1200 ] && die "hellonet was not ready within 120 s ($ready of $expected processes): see $OUT/hellonet.log"
  sleep 0.1
done
mapfile -t JVMS < <(children)
ALL=("$SERVER" "${JVMS[@]}")
JDK_BIN=$(dirname "$(readlink "/proc/$SERVER/exe")")
JCMD="$JDK_BIN/jcmd"
[ -x "$JCMD" ] || die "no jcmd next to the server's java ($JDK_BIN)"
role() { [ "$1" != "$SERVER" ] && echo worker && return; [ ${#JVMS[@]} -gt 0 ] && echo supervisor || echo node; }

# The agent's options go through jcmd as one quoted argument: jcmd would otherwise split them at '='.
agent() { # $1 pid, $2 async-profiler command; prints nothing, fails with the agent's log if the command failed
  local out
  out=$("$JCMD" "$1" JVMTI.agent_load "$AP_LIB" "\"$2,log=$TMP/agent-$1.log\"" 2>&1) || true
  case "$out" in *"return code: 0"*) return 0 ;; esac
  say "async-profiler in pid $1 ($2): ${out//$'\n'/ } $(cat "$TMP/agent-$1.log" 2>/dev/null)"
  return 1
}

PARANOID=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo unknown)
if [ "$PROFILER" = async ] && ! agent "$SERVER" "list,file=$TMP/events.txt"; then
  fall_back "async-profiler could not be loaded into hellonet (pid $SERVER)"
fi
if [ "$PROFILER" = async ]; then
  PERF=no
  grep -q '^Perf events:' "$TMP/events.txt" && PERF=yes
  if [ "$EVENT" = auto ]; then
    if [ "$PERF" = yes ]; then EVENT=cpu; else EVENT=ctimer; fi
  fi
  [ "$EVENT" = cpu ] && [ "$PERF" = no ] && die "--event cpu needs perf_events, which this JVM cannot open" \
    "(kernel.perf_event_paranoid=$PARANOID); use --event ctimer or itimer"
  case "$EVENT" in
    cpu) ENGINE="async-profiler cpu via perf_events" ;;
    ctimer) ENGINE="async-profiler ctimer: per-thread CPU timers, no perf_events" ;;
    itimer) ENGINE="async-profiler itimer: process CPU timer, no perf_events" ;;
    wall) ENGINE="async-profiler wall clock: every thread, running or not (samples are not CPU time)" ;;
  esac
  ENGINE="$ENGINE (kernel.perf_event_paranoid=$PARANOID; perf_events open here: $PERF)"
else
  case "$EVENT" in auto|cpu) ;; *) die "--event $EVENT needs async-profiler; JFR samples CPU only" ;; esac
  # JDK 25's jdk.CPUTimeSample samples CPU time in Java and native code alike, as async-profiler's ctimer does; the
  # older jdk.ExecutionSample sees threads only while they run Java code, so time in system calls goes unseen.
  if "$JDK_BIN/jfr" metadata 2>/dev/null | grep -q '"jdk.CPUTimeSample"'; then
    EVENT=jdk.CPUTimeSample JFR_SETTINGS=("+jdk.CPUTimeSample#enabled=true" "+jdk.CPUTimeSample#throttle=${INTERVAL}ms")
    ENGINE="JFR jdk.CPUTimeSample: CPU time, Java and native frames, no kernel frames"
  else
    EVENT=jdk.ExecutionSample
    JFR_SETTINGS=("+jdk.ExecutionSample#enabled=true" "+jdk.ExecutionSample#period=${INTERVAL}ms")
    ENGINE="JFR jdk.ExecutionSample: Java code only (time in system calls is not seen)"
  fi
  ENGINE="$ENGINE${FALLBACK:+ (instead of async-profiler: $FALLBACK)}"
fi

# --- load, then samples ---------------------------------------------------------------------------------------------
case "$SHAPE" in
  conn) LOAD_ARGS=(--mode conn --connections "${BENCH_CONN_SLOTS:-64}" --close reset) ;;
  pipelined) LOAD_ARGS=(--mode pipe --connections "${BENCH_PIPE_CONNECTIONS:-32}" --depth "${BENCH_PIPE_DEPTH:-64}") ;;
esac
# The load outlasts the samples: ~1 s for the generator's JVM to start, the warm-up, then the samples and the few
# seconds jcmd takes to start on a busy machine.
"$ROOT/hellonet" loadgen --quiet --host 127.0.0.1 --port "$HELLONET_HELLO_PORT" --warmup "$WARMUP" \
  --duration $((SECONDS_ + 6)) --json "$OUT/load.json" "${LOAD_ARGS[@]}" >"$OUT/load.txt" 2>&1 &
LOAD=$!
sleep $((WARMUP + 1))
kill -0 "$LOAD" 2>/dev/null || die "the load generator stopped early: $(tail -3 "$OUT/load.txt")"

say "sampling ${ALL[*]} ($EVENT every $INTERVAL ms) for $SECONDS_ s under the $SHAPE load"
on_all() { # $1 function, $2 its command with @PID@ for the pid; runs in every JVM at once, fails if any failed
  local pid jobs=() ok=0
  for pid in "${ALL[@]}"; do "$1" "$pid" "${2//@PID@/$pid}" & jobs+=($!); done
  for pid in "${jobs[@]}"; do wait "$pid" || ok=1; done
  return $ok
}
jfr_start() { # $1 pid, $2 file
  local out
  out=$("$JCMD" "$1" JFR.start name=hellonet-profile settings=none duration="${SECONDS_}s" filename="$2" \
    "${JFR_SETTINGS[@]}" 2>&1) || true
  case "$out" in *"Started recording"*) return 0 ;; esac
  say "JFR in pid $1: ${out//$'\n'/ }"
  return 1
}
wait_for_files() { # $1 suffix, $2 test: every JVM's output file passes it, within the samples' time and a minute
  local i n pid
  for i in $(seq 1 $(( (SECONDS_ + 60) * 10 ))); do
    n=0
    for pid in "${ALL[@]}"; do [ "$2" "$OUT/pid-$pid.$1" ] && n=$((n + 1)); done
    [ "$n" = ${#ALL[@]} ] && { sleep 1; return 0; }   # a file that exists may still be being written
    sleep 0.1
  done
  die "$n of ${#ALL[@]} profiles were written within $((SECONDS_ + 60)) s"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }   # user + system, all threads
declare -A TICKS0
for pid in "${ALL[@]}"; do TICKS0[$pid]=$(cpu_ticks "$pid"); done
window_start=$(date +%s%N)
if [ "$PROFILER" = async ]; then
  # timeout=N: each agent stops itself after exactly N seconds and writes its collapsed stacks, so the window does
  # not stretch by however long jcmd takes to start on a busy machine.
  AP_START="start,event=$EVENT,interval=${INTERVAL}ms,threads,timeout=$SECONDS_"
  on_all agent "$AP_START,collapsed,file=$OUT/pid-@PID@.collapsed" ||
    die "async-profiler did not start in every JVM"
  wait_for_files collapsed -e   # async-profiler creates it when it stops; it may be empty
  on_all agent "dump,file=$OUT/pid-@PID@.html,flamegraph,title=hellonet-pid-@PID@-$SHAPE" ||
    say "some flame graphs are missing"
else
  on_all jfr_start "$OUT/pid-@PID@.jfr" || die "JFR did not start in every JVM"
  wait_for_files jfr -s   # JFR creates it empty at the start and fills it when it stops
  for pid in "${ALL[@]}"; do
    "$JDK_BIN/java" -cp "$jar" dev.hellonet.bench.JfrStacks "$OUT/pid-$pid.jfr" "$OUT/pid-$pid.collapsed" ||
      die "could not read $OUT/pid-$pid.jfr"
  done
fi

# The kernel's own count over a window a little longer than the samples' (it includes the jcmd calls): a check on
# the sampling engine, which can lose samples (signals coalesced under load, a hypervisor's timer skew).
window=$(( ($(date +%s%N) - window_start) / 1000000 ))
CHECK=()
for pid in "${ALL[@]}"; do
  CHECK+=("pid $pid $(awk -v t="$(( $(cpu_ticks "$pid") - TICKS0[$pid] ))" -v hz="$(getconf CLK_TCK)" -v ms="$window" \
    'BEGIN { printf "%.2f", t / hz / (ms / 1000) }')")
done

rc=0
wait "$LOAD" || rc=$?
LOAD=""
[ "$rc" = 0 ] || say "the load generator's checks failed (exit $rc): see $OUT/load.txt"

# --- summary --------------------------------------------------------------------------------------------------------
ARGS=()
for pid in "${ALL[@]}"; do ARGS+=("pid-$pid-$(role "$pid")=$OUT/pid-$pid.collapsed"); done
TIME_ARGS=(--interval-ms "$INTERVAL" --seconds "$SECONDS_")
[ "$EVENT" = wall ] && TIME_ARGS=()
{
  echo "bench/profile.sh --shape $SHAPE --seconds $SECONDS_ --warmup $WARMUP --profiler $PROFILER --event $EVENT" \
    "--interval $INTERVAL ${LABEL:+--label $LABEL}"
  echo "configuration: $(env | grep '^HELLONET_' | grep -v -e PASSWORD -e TOKEN | sort | tr '\n' ' ')"
  echo "load ($SHAPE, ${LOAD_ARGS[*]}): $(head -1 "$OUT/load.txt")"
  echo "$([ "$PROFILER" = async ] && echo "async-profiler $AP_VERSION" || echo JFR), output in ${OUT#"$ROOT"/}/"
  "$JDK_BIN/java" -cp "$jar" dev.hellonet.bench.ProfileSummary --engine "$ENGINE" "${TIME_ARGS[@]}" "${ARGS[@]}"
  echo
  seconds=$(awk -v ms="$window" 'BEGIN { printf "%.1f", ms / 1000 }')
  echo "cores by the kernel's count (/proc/<pid>/stat over $seconds s around the samples):" \
    "$(IFS=,; echo "${CHECK[*]}" | sed 's/,/, /g')"
} | tee "$OUT/summary.txt"
