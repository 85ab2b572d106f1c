#!/usr/bin/env bash
# bench/conn-cost.sh: what one new connection costs each server in CPU, side by side in one run.
#
#   bench/conn-cost.sh [--repeat R] [--threads N]
#
# Runs the connection-per-request load (./hellonet loadgen --mode conn, BENCH_CONN_SLOTS [64] slots, RST close) against
# nginx's stream module with N workers, hellonet with hello.acceptor=shared and hellonet with hello.acceptor=per-loop
# (N hello instances each), interleaved R times, and reads each server's CPU time (utime + stime of its processes,
# from /proc) over the measured seconds. Prints, per server, the medians of replies/s, the cores it used and
# CPU microseconds per connection. The last is the figure to compare on a machine where the load generator, not the
# server, sets the rate: it does not depend on how fast connections are offered.
#
# Environment: BENCH_WARMUP [8] BENCH_DURATION [10] seconds; BENCH_CONN_SLOTS [64]; BENCH_COST_PORT [19800] (and the
# next two ports). Needs nginx with libnginx-mod-stream (installed from Debian's packages when missing).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPEAT=3; THREADS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) REPEAT=${2:?--repeat needs a number}; shift ;;
    --threads) THREADS=${2:?--threads needs a number}; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "conn-cost.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$REPEAT$THREADS" in *[!0-9]*) echo "conn-cost.sh: --repeat and --threads take whole numbers" >&2; exit 2 ;; esac
WARMUP=${BENCH_WARMUP:-8}; DURATION=${BENCH_DURATION:-10}; SLOTS=${BENCH_CONN_SLOTS:-64}; PORT=${BENCH_COST_PORT:-19800}
TICKS=$(getconf CLK_TCK)

MODULE=""
for f in /usr/lib/nginx/modules/ngx_stream_module.so /usr/share/nginx/modules/ngx_stream_module.so; do
  [ -f "$f" ] && MODULE=$f
done
if ! command -v nginx >/dev/null || [ -z "$MODULE" ]; then
  "$ROOT/bench/apt-install.sh" nginx libnginx-mod-stream
  MODULE=$(ls /usr/lib/nginx/modules/ngx_stream_module.so)
fi
[ -f "$ROOT/target/hellonet.jar" ] && [ -z "$(cd "$ROOT" && find pom.xml src conf -newer target/hellonet.jar -print -quit)" ] \
  || "$ROOT/hellonet" build

TMP=$(mktemp -d /tmp/hellonet-conn-cost.XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do timeout 20 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

wait_port() { # $1 port, $2 pid
  local i
  for i in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "conn-cost.sh: a server exited while starting; see $TMP" >&2; exit 1; }
    sleep 0.1
  done
  echo "conn-cost.sh: nothing listened on $1 within 60 s" >&2; exit 1
}

mkdir -p "$TMP/nginx"
sed -e "s#@STREAM_MODULE@#$MODULE#" -e "s#@WORKERS@#$THREADS#" -e "s#@TMP@#$TMP/nginx#g" -e "s#@PORT@#$PORT#" \
    "$ROOT/bench/nginx.conf" >"$TMP/nginx/nginx.conf"
nginx -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' >"$TMP/nginx.log" 2>&1 &
PIDS+=($!); wait_port "$PORT" $!
for a in shared per-loop; do
  p=$((PORT + $([ "$a" = shared ] && echo 1 || echo 2)))
  env -u HELLONET_CONFIG HELLONET_HELLO_HOST=127.0.0.1 HELLONET_HELLO_PORT=$p HELLONET_HELLO_INSTANCES="$THREADS" \
      HELLONET_HELLO_ACCEPTOR=$a HELLONET_HTTP_HOST=127.0.0.1 HELLONET_HTTP_PORT=0 HELLONET_HTTP_INSTANCES=1 \
      HELLONET_CRAWLER_INSTANCES=1 HELLONET_SEQUENCE_FILE="$TMP/sequence-$a" "$ROOT/hellonet" run >"$TMP/$a.log" 2>&1 &
  PIDS+=($!); wait_port "$p" $!
done

# CPU ticks of a server: the process started (hellonet's launcher execs its JVM) and its children (nginx's workers).
cpu_ticks() { # $1 root pid
  local sum=0 pid
  for pid in $1 $(pgrep -P "$1" 2>/dev/null || true); do
    [ -r "/proc/$pid/stat" ] && sum=$((sum + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$sum"
}

run() { # $1 label, $2 port, $3 protocol, $4 root pid, $5 repeat
  local file="$TMP/$1-$5" t0 t1
  "$ROOT/hellonet" loadgen --quiet --port "$2" --protocol "$3" --mode conn --connections "$SLOTS" --close reset \
      --warmup "$WARMUP" --duration "$DURATION" --json "$file.json" >"$file.txt" 2>&1 &
  local lg=$!
  sleep "$WARMUP"; t0=$(cpu_ticks "$4")
  sleep "$DURATION"; t1=$(cpu_ticks "$4")
  wait "$lg" || { echo "conn-cost.sh: the load generator failed against $1: $(tail -3 "$file.txt")" >&2; exit 1; }
  python3 - "$file.json" "$((t1 - t0))" "$TICKS" "$DURATION" "$1" >>"$TMP/rows" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); ticks, hz, secs = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
cores = ticks / hz / secs
print(sys.argv[5], r["repliesPerSecond"], round(cores, 3), round(cores * 1e6 / r["repliesPerSecond"], 1))
PY
  echo "conn-cost.sh: $1 (repeat $5): $(tail -1 "$TMP/rows")" >&2
}

SERVERS=("nginx|$PORT|nginx|${PIDS[0]}" "hellonet-shared|$((PORT + 1))|hellonet|${PIDS[1]}" \
         "hellonet-per-loop|$((PORT + 2))|hellonet|${PIDS[2]}")
for r in $(seq 1 "$REPEAT"); do
  for s in "${SERVERS[@]}"; do IFS='|' read -r label port proto pid <<<"$s"; run "$label" "$port" "$proto" "$pid" "$r"; done
done

echo "bench/conn-cost.sh --repeat $REPEAT --threads $THREADS  ($(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
python3 - "$TMP/rows" "$THREADS" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, rate, cores, micros = line.split()
    rows.setdefault(label, []).append((float(rate), float(cores), float(micros)))
print(f"{'server (' + sys.argv[2] + ' workers / instances)':<34} {'replies/s':>10} {'cores':>6} {'CPU us per conn':>16}  (medians of {len(next(iter(rows.values())))})")
for label, rs in rows.items():
    med = lambda i: statistics.median(x[i] for x in rs)
    print(f"{label:<34} {med(0):>10,.0f} {med(1):>6.2f} {med(2):>16.1f}")
PY
