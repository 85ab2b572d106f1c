#!/usr/bin/env bash
# bench/startup.sh: time from launch to ready for one process, a supervisor with 2 workers, and a clustered node.
#
#   bench/startup.sh [RUNS (3)]
#
# Each case starts from a fresh JVM on loopback ports of its own (BENCH_STARTUP_BASE [19300] and the next 9), waits
# until every process has logged "hellonet ready" (for the cluster case, a node of a one-member cluster), prints the
# milliseconds and stops it with SIGTERM. Prints the median of RUNS per case.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-3}
BASE=${BENCH_STARTUP_BASE:-19300}
"$ROOT/hellonet" build >/dev/null
TMP=$(mktemp -d /tmp/hellonet-startup.XXXXXX)
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

one() { # $1 case name, $2 processes that must be ready, then env assignments
  local name=$1 ready=$2 start end n
  shift 2
  rm -f "$TMP/log" "$TMP/sequence"
  start=$(date +%s%N)
  env -u HELLONET_CONFIG HELLONET_HELLO_HOST=127.0.0.1 HELLONET_HELLO_PORT=$BASE HELLONET_HTTP_HOST=127.0.0.1 \
    HELLONET_HTTP_PORT=$((BASE + 1)) HELLONET_SEQUENCE_FILE="$TMP/sequence" "$@" \
    "$ROOT/hellonet" run >"$TMP/log" 2>&1 &
  PID=$!
  for _ in $(seq 1 1800); do
    n=$(grep -c 'hellonet ready' "$TMP/log" 2>/dev/null || true)
    [ "${n:-0}" -ge "$ready" ] && break
    kill -0 "$PID" 2>/dev/null || { echo "startup.sh: $name exited: $(tail -3 "$TMP/log")" >&2; exit 1; }
    sleep 0.02
  done
  end=$(date +%s%N)
  kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  echo $(( (end - start) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
for c in single supervisor cluster; do
  times=()
  for _ in $(seq 1 "$RUNS"); do
    case $c in
      single) times+=("$(one single 1)") ;;
      supervisor) times+=("$(one supervisor 2 HELLONET_HELLO_PROCESSES=2 HELLONET_CLUSTER_PORT=$((BASE + 2)))") ;;
      cluster) times+=("$(one cluster 1 HELLONET_CLUSTER_ENABLED=true HELLONET_CLUSTER_HOST=127.0.0.1 \
        HELLONET_CLUSTER_PORT=$((BASE + 5)) HELLONET_CLUSTER_MEMBERS=127.0.0.1:$((BASE + 5)))") ;;
    esac
  done
  printf '%-11s %6s ms to ready (median of %d: %s)\n' "$c" "$(printf '%s\n' "${times[@]}" | median)" "$RUNS" \
    "${times[*]}"
done
