#!/usr/bin/env bash
# Event bus bridge benchmark: request-reply to hellonet.counters.get through the TCP bridge on loopback, one request
# in flight per connection against 32, side by side in one run, each repeated and reported as the median.
#   bench/bridge.sh [SECONDS (10)] [CONNECTIONS (4)] [REPEAT (3)]
# Starts its own node (bridge on, every port free and on 127.0.0.1, a temporary sequence file) and stops it on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-10}
CONNECTIONS=${2:-4}
REPEAT=${3:-3}

WORK=$(mktemp -d /tmp/hellonet-bridge-bench.XXXXXX)
NODE_PID=""
cleanup() {
  if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then kill "$NODE_PID"; wait "$NODE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

./hellonet build
cp target/hellonet.jar "$WORK/hellonet.jar"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
HELLONET_BRIDGE_ENABLED=true HELLONET_BRIDGE_PORT=$PORT HELLONET_HELLO_HOST=127.0.0.1 HELLONET_HELLO_PORT=0 \
  HELLONET_HTTP_HOST=127.0.0.1 HELLONET_HTTP_PORT=0 HELLONET_SEQUENCE_FILE="$WORK/sequence" \
  HELLONET_CRAWLER_DOWNLOADDIR="$WORK/downloads" \
  ./hellonet java --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -jar "$WORK/hellonet.jar" >"$WORK/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 100); do
  grep -qs "event bus bridge on" "$WORK/node.log" && break
  kill -0 "$NODE_PID" 2>/dev/null || { cat "$WORK/node.log" >&2; exit 1; }
  sleep 0.1
done

run() { # $1 = depth; prints replies/s
  ./hellonet java -cp "$WORK/hellonet.jar" dev.hellonet.bench.BridgeBench "$PORT" "$CONNECTIONS" "$1" "$SECONDS_EACH" \
    | awk '{print $5}'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run 32 >/dev/null  # warm-up, discarded: the node's JIT would otherwise count against whichever scenario runs first
declare -A results
for depth in 1 32; do results[$depth]=""; done
for i in $(seq 1 "$REPEAT"); do
  for depth in 1 32; do  # alternated, so that a busy moment on the machine hits both
    results[$depth]+="$(run "$depth") "
  done
done
printf '%-30s %12s   %s\n' "scenario ($CONNECTIONS connections)" "median/s" "runs"
for depth in 1 32; do
  printf '%-30s %12s   %s\n' "request-reply, $depth in flight" \
    "$(echo "${results[$depth]}" | tr ' ' '\n' | grep . | median)" "${results[$depth]}"
done
