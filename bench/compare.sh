#!/usr/bin/env bash
# bench/compare.sh: hellonet side by side with Redis INCR and nginx's stream module, on this machine, in one command.
#
#   bench/compare.sh [--quick] [--repeat R] [--out DIR]
#
# Installs what is missing (nginx, libnginx-mod-stream, redis-server, gnuplot-nox) from Debian's packages, builds
# target/hellonet.jar if needed, starts Redis, nginx and hellonet on loopback on ports of its own, runs the scenarios
# one after another with ./hellonet loadgen, stops everything it started, prints one table and writes
# results.json, chart.png and every run's output to the output directory. Docs: docs/benchmarks.md.
#
# Environment (defaults in brackets):
#   BENCH_WARMUP [3]  BENCH_DURATION [10]   seconds per run, warm-up not counted (--quick: 1 and 2)
#   BENCH_FIRST_WARMUP [10] (--quick: 1): the warm-up of each server's first run in a scenario, while its JIT compiles
#   BENCH_REPEAT [1]                         runs per scenario and server, interleaved; the table shows medians
#   BENCH_PIPE_CONNECTIONS [32]  BENCH_PIPE_DEPTH [64]  BENCH_CONN_SLOTS [64]
#   BENCH_SERVER_THREADS [cores - 1, at least 1]: hellonet instances and nginx workers (Redis has one thread)
#   BENCH_REDIS_REQUEST [INCR as a RESP array]  e.g. 'INCR hellonet:bench\r\n' for Redis's slower inline form
#   BENCH_HELLONET_PORT [19000]  BENCH_REDIS_PORT [19379]  BENCH_NGINX_PORT [19080]
#   BENCH_PROCESSES [2]: the "conn-procs" row runs hellonet with hello.processes=N (one hello instance each) against
#     nginx with N workers; 0 leaves the row out. Its ports: BENCH_HELLONET_PROCS_PORT [19001] (HTTP: the next port,
#     cluster member ports: BENCH_CLUSTER_PORT [19701] and up), BENCH_NGINX_PROCS_PORT [19081]
#   BENCH_PROCS_ACCEPTOR [shared]: hello.acceptor of the "conn-procs" row's workers (shared or per-loop)
#   The "conn-loops" row (with BENCH_PROCESSES > 0) runs ONE hellonet JVM with hello.acceptor=per-loop and N hello
#     instances, each accepting on its own event loop from its own SO_REUSEPORT socket, against the same nginx with N
#     workers. Its ports: BENCH_HELLONET_LOOPS_PORT [19003] (HTTP: the next port)
#   BENCH_OUT [bench/results/<UTC timestamp>]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/bench"

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

QUICK=0
REPEAT=${BENCH_REPEAT:-1}
OUT=${BENCH_OUT:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --repeat) REPEAT=${2:?--repeat needs a number}; shift ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$QUICK" = 1 ]; then WARMUP=${BENCH_WARMUP:-1}; DURATION=${BENCH_DURATION:-2}; FIRST_WARMUP=${BENCH_FIRST_WARMUP:-1}
else WARMUP=${BENCH_WARMUP:-3}; DURATION=${BENCH_DURATION:-10}; FIRST_WARMUP=${BENCH_FIRST_WARMUP:-10}; fi
# A JVM's first seconds under a new load shape run on code still being compiled: measured on 2 cores, hellonet's first
# connection-per-request run after 3 s of warm-up gave 7,266/s against 21,954 and 20,523 in the next two repeats.
PIPE_CONNS=${BENCH_PIPE_CONNECTIONS:-32}
# The load generator keeps one core busy on this same machine, so the servers get the others: with one event loop or
# worker per core, server threads and the load generator preempt each other (measured here on 2 cores, 32 x 1:
# hellonet 121-129k replies/s with one instance against 55-91k with two).
SERVER_THREADS=${BENCH_SERVER_THREADS:-$(( $(nproc) > 1 ? $(nproc) - 1 : 1 ))}
PIPE_DEPTH=${BENCH_PIPE_DEPTH:-64}
CONN_SLOTS=${BENCH_CONN_SLOTS:-64}
HELLONET_PORT=${BENCH_HELLONET_PORT:-19000}
REDIS_PORT=${BENCH_REDIS_PORT:-19379}
NGINX_PORT=${BENCH_NGINX_PORT:-19080}
PROCESSES=${BENCH_PROCESSES:-2}
HELLONET_PROCS_PORT=${BENCH_HELLONET_PROCS_PORT:-19001}
NGINX_PROCS_PORT=${BENCH_NGINX_PROCS_PORT:-19081}
HELLONET_LOOPS_PORT=${BENCH_HELLONET_LOOPS_PORT:-19003}
PROCS_ACCEPTOR=${BENCH_PROCS_ACCEPTOR:-shared}
CLUSTER_PORT=${BENCH_CLUSTER_PORT:-19701}
case "$PROCESSES" in ''|*[!0-9]*) echo "compare.sh: BENCH_PROCESSES must be a whole number" >&2; exit 2 ;; esac
case "$PROCS_ACCEPTOR" in shared|per-loop) ;; *) echo "compare.sh: BENCH_PROCS_ACCEPTOR must be shared or per-loop" >&2; exit 2 ;; esac
case "$REPEAT" in ''|*[!0-9]*|0) echo "compare.sh: --repeat / BENCH_REPEAT must be a positive whole number" >&2; exit 2 ;; esac
OUT=${OUT:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT/runs"
OUT=$(cd "$OUT" && pwd)

say() { printf 'compare.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# --- what is needed -------------------------------------------------------------------------------------------------
stream_module() {
  local f
  for f in /usr/lib/nginx/modules/ngx_stream_module.so /usr/share/nginx/modules/ngx_stream_module.so; do
    [ -f "$f" ] && { echo "$f"; return 0; }
  done
  return 0
}
missing=()
command -v nginx >/dev/null || missing+=(nginx)
[ -n "$(stream_module)" ] || missing+=(libnginx-mod-stream)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-cli >/dev/null || missing+=(redis-tools)
command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
command -v python3 >/dev/null || missing+=(python3)
[ ${#missing[@]} -eq 0 ] || "$ROOT/bench/apt-install.sh" "${missing[@]}"
STREAM_MODULE=$(stream_module)
[ -n "$STREAM_MODULE" ] || die "nginx's stream module is still missing after installing libnginx-mod-stream"

jar="$ROOT/target/hellonet.jar"
if [ ! -f "$jar" ] || [ -n "$(cd "$ROOT" && find pom.xml src conf -newer "$jar" -print -quit)" ]; then
  say "building target/hellonet.jar"
  "$ROOT/hellonet" build
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORTS=(HELLONET_PORT REDIS_PORT NGINX_PORT)
[ "$PROCESSES" -gt 0 ] && PORTS+=(HELLONET_PROCS_PORT NGINX_PROCS_PORT HELLONET_LOOPS_PORT)
for p in "${PORTS[@]}"; do
  ! port_in_use "${!p}" || die "port ${!p} on 127.0.0.1 is already in use; pick another with BENCH_$p"
done

# --- servers --------------------------------------------------------------------------------------------------------
TMP=$(mktemp -d /tmp/hellonet-bench.XXXXXX)
PIDS=()
cleanup() {
  local pid i
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  mkdir -p "$OUT/logs"
  cp "$TMP"/*.log "$OUT/logs/" 2>/dev/null || true
  cp "$TMP"/nginx/error.log "$OUT/logs/nginx-error.log" 2>/dev/null || true
  cp "$TMP"/nginx-procs/error.log "$OUT/logs/nginx-procs-error.log" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for_port() { # $1 name, $2 port, $3 pid
  local i
  for i in $(seq 1 600); do
    port_in_use "$2" && return 0
    kill -0 "$3" 2>/dev/null || die "$1 exited while starting; its log: $TMP/$1.log ($(tail -3 "$TMP/$1.log" 2>/dev/null))"
    sleep 0.1
  done
  die "$1 did not listen on 127.0.0.1:$2 within 60 s"
}

say "starting redis on 127.0.0.1:$REDIS_PORT, nginx on 127.0.0.1:$NGINX_PORT, hellonet on 127.0.0.1:$HELLONET_PORT"
redis-server "$BENCH/redis.conf" --port "$REDIS_PORT" --dir "$TMP" --daemonize no >"$TMP/redis.log" 2>&1 &
PIDS+=($!)
wait_for_port redis "$REDIS_PORT" $!

mkdir -p "$TMP/nginx"
sed -e "s#@STREAM_MODULE@#$STREAM_MODULE#" -e "s#@WORKERS@#$SERVER_THREADS#" -e "s#@TMP@#$TMP/nginx#g" \
    -e "s#@PORT@#$NGINX_PORT#" "$BENCH/nginx.conf" >"$TMP/nginx/nginx.conf"
nginx -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' >"$TMP/nginx.log" 2>&1 &
PIDS+=($!)
wait_for_port nginx "$NGINX_PORT" $!

env -u HELLONET_CONFIG HELLONET_HELLO_HOST=127.0.0.1 HELLONET_HELLO_PORT="$HELLONET_PORT" HELLONET_HTTP_HOST=127.0.0.1 \
    HELLONET_HTTP_PORT=0 HELLONET_HELLO_INSTANCES="$SERVER_THREADS" \
    HELLONET_SEQUENCE_FILE="$TMP/sequence" "$ROOT/hellonet" run >"$TMP/hellonet.log" 2>&1 &
PIDS+=($!)
wait_for_port hellonet "$HELLONET_PORT" $!

# The nginx model on both sides: N processes, each with its own listening socket (SO_REUSEPORT for hellonet's
# workers; nginx's workers share one socket). hellonet's workers also form a cluster on loopback.
if [ "$PROCESSES" -gt 0 ]; then
  mkdir -p "$TMP/nginx-procs"
  sed -e "s#@STREAM_MODULE@#$STREAM_MODULE#" -e "s#@WORKERS@#$PROCESSES#" -e "s#@TMP@#$TMP/nginx-procs#g" \
      -e "s#@PORT@#$NGINX_PROCS_PORT#" "$BENCH/nginx.conf" >"$TMP/nginx-procs/nginx.conf"
  nginx -p "$TMP/nginx-procs" -e "$TMP/nginx-procs/error.log" -c "$TMP/nginx-procs/nginx.conf" -g 'daemon off;' \
      >"$TMP/nginx-procs.log" 2>&1 &
  PIDS+=($!)
  wait_for_port nginx-procs "$NGINX_PROCS_PORT" $!

  env -u HELLONET_CONFIG HELLONET_HELLO_HOST=127.0.0.1 HELLONET_HELLO_PORT="$HELLONET_PROCS_PORT" \
      HELLONET_HELLO_PROCESSES="$PROCESSES" HELLONET_HELLO_INSTANCES=1 HELLONET_HELLO_ACCEPTOR="$PROCS_ACCEPTOR" \
      HELLONET_HTTP_INSTANCES=1 \
      HELLONET_CRAWLER_INSTANCES=1 HELLONET_HTTP_HOST=127.0.0.1 HELLONET_HTTP_PORT=$((HELLONET_PROCS_PORT + 1)) \
      HELLONET_CLUSTER_PORT="$CLUSTER_PORT" HELLONET_SEQUENCE_FILE="$TMP/sequence-procs" \
      "$ROOT/hellonet" run >"$TMP/hellonet-procs.log" 2>&1 &
  PIDS+=($!)
  procs_pid=$!
  for i in $(seq 1 1200); do
    [ "$(grep -c 'hellonet ready' "$TMP/hellonet-procs.log" || true)" -ge "$PROCESSES" ] && break
    kill -0 "$procs_pid" 2>/dev/null || die "hellonet (processes) exited while starting: $(tail -3 "$TMP/hellonet-procs.log")"
    [ "$i" = 1200 ] && die "hellonet's $PROCESSES workers were not all ready within 120 s"
    sleep 0.1
  done

  # The nginx model inside one JVM: N event loops, each accepting from a listening socket of its own.
  env -u HELLONET_CONFIG HELLONET_HELLO_HOST=127.0.0.1 HELLONET_HELLO_PORT="$HELLONET_LOOPS_PORT" \
      HELLONET_HELLO_INSTANCES="$PROCESSES" HELLONET_HELLO_ACCEPTOR=per-loop HELLONET_HTTP_INSTANCES=1 \
      HELLONET_CRAWLER_INSTANCES=1 HELLONET_HTTP_HOST=127.0.0.1 HELLONET_HTTP_PORT=$((HELLONET_LOOPS_PORT + 1)) \
      HELLONET_SEQUENCE_FILE="$TMP/sequence-loops" "$ROOT/hellonet" run >"$TMP/hellonet-loops.log" 2>&1 &
  PIDS+=($!)
  wait_for_port hellonet-loops "$HELLONET_LOOPS_PORT" $!
fi

# --- scenarios ------------------------------------------------------------------------------------------------------
# name | peer | peer protocol | loadgen arguments shared by both servers
SCENARIOS=(
  "pipelined|redis|redis|--mode pipe --connections $PIPE_CONNS --depth $PIPE_DEPTH"
  "unpipelined|redis|redis|--mode pipe --connections $PIPE_CONNS --depth 1"
  "conn|nginx|nginx|--mode conn --connections $CONN_SLOTS --close reset"
)
[ "$PROCESSES" -gt 0 ] && SCENARIOS+=("conn-procs|nginx|nginx|--mode conn --connections $CONN_SLOTS --close reset"
                                     "conn-loops|nginx|nginx|--mode conn --connections $CONN_SLOTS --close reset")
port_of() { # $1 scenario, $2 server
  case "$1/$2" in
    conn-procs/hellonet) echo "$HELLONET_PROCS_PORT" ;; conn-procs/nginx) echo "$NGINX_PROCS_PORT" ;;
    conn-loops/hellonet) echo "$HELLONET_LOOPS_PORT" ;; conn-loops/nginx) echo "$NGINX_PROCS_PORT" ;;
    */hellonet) echo "$HELLONET_PORT" ;; */redis) echo "$REDIS_PORT" ;; */nginx) echo "$NGINX_PORT" ;;
  esac
}

total=$((REPEAT * ${#SCENARIOS[@]} * 2)); n=0
run_one() { # $1 scenario, $2 server, $3 protocol, $4 repeat, $5 loadgen args
  local file="$OUT/runs/$1__$2__$4" rc=0 extra=() warmup=$WARMUP
  [ "$4" = 1 ] && warmup=$FIRST_WARMUP
  n=$((n + 1))
  [ "$2" = redis ] && [ -n "${BENCH_REDIS_REQUEST:-}" ] && extra=(--request "$BENCH_REDIS_REQUEST")
  [ "$2" = redis ] && redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
  # shellcheck disable=SC2086 # $5 is a list of options
  "$ROOT/hellonet" loadgen --quiet --host 127.0.0.1 --port "$(port_of "$1" "$2")" --protocol "$3" \
      --warmup "$warmup" --duration "$DURATION" --json "$file.json" $5 "${extra[@]}" >"$file.txt" 2>&1 || rc=$?
  [ -f "$file.json" ] || die "loadgen wrote no result for $1 / $2 (exit $rc): $(tail -3 "$file.txt")"
  printf 'compare.sh: [%d/%d] %-12s %-9s %s\n' "$n" "$total" "$1" "$2" "$(head -1 "$file.txt")" >&2
}
say "$total runs of ${WARMUP} s warm-up (${FIRST_WARMUP} s in each server's first run of a scenario) + ${DURATION} s measured each"
for r in $(seq 1 "$REPEAT"); do
  for s in "${SCENARIOS[@]}"; do
    IFS='|' read -r name peer proto args <<<"$s"
    # Alternate who goes first, so neither always runs on a cooler or warmer machine.
    if [ $((r % 2)) = 1 ]; then
      run_one "$name" hellonet hellonet "$r" "$args"; run_one "$name" "$peer" "$proto" "$r" "$args"
    else
      run_one "$name" "$peer" "$proto" "$r" "$args"; run_one "$name" hellonet hellonet "$r" "$args"
    fi
  done
done

# --- report ---------------------------------------------------------------------------------------------------------
JDK=$("$ROOT/hellonet" java -version 2>&1 | head -1)
python3 "$BENCH/report.py" "$OUT" \
  --machine "cores=$(nproc)" "kernel=$(uname -r)" "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
            "jdk=$JDK" "nginx=$(nginx -v 2>&1 | sed 's/^nginx version: //')" \
            "redis=$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')" \
  --settings "warmupSeconds=$WARMUP" "firstWarmupSeconds=$FIRST_WARMUP" "durationSeconds=$DURATION" "repeat=$REPEAT" \
             "pipeConnections=$PIPE_CONNS" "pipeDepth=$PIPE_DEPTH" "connSlots=$CONN_SLOTS" \
             "serverThreads=$SERVER_THREADS" "processes=$PROCESSES" "procsAcceptor=$PROCS_ACCEPTOR"
