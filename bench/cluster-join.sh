#!/usr/bin/env bash
# Start-up and join times of a two-node cluster on loopback: node A alone, then node B, each timed from launch to
# its "hellonet ready" line, and B's join until A's /api/counters shows two live nodes.
#   bench/cluster-join.sh [JAR]     (default target/hellonet.jar; a secret is made with cluster-keys when the jar has it)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(readlink -f "${1:-target/hellonet.jar}")
JAVA=${JAVA:-$(./hellonet java -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.home = //p')/bin/java}
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT; echo "work: $work" >&2
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pa=$(free_port); pb=$(free_port); ha=$(free_port); hb=$(free_port)
env_common=(HELLONET_CLUSTER_ENABLED=true HELLONET_CLUSTER_HOST=127.0.0.1 "HELLONET_CLUSTER_MEMBERS=127.0.0.1:$pa,127.0.0.1:$pb"
  HELLONET_HELLO_PORT=0 HELLONET_HELLO_INSTANCES=1 HELLONET_HTTP_INSTANCES=1 HELLONET_CRAWLER_INSTANCES=1
  "HELLONET_SEQUENCE_FILE=$work/sequence")
if unzip -l "$JAR" | grep -c 'dev/hellonet/config/ClusterKeys.class' >/dev/null; then
  "$JAVA" -cp "$JAR" dev.hellonet.config.ClusterKeys "$work/keys" >/dev/null
  env_common+=("HELLONET_CLUSTER_KEYSTOREFILE=$work/keys/cluster.p12" "HELLONET_CLUSTER_KEYSTOREPASSWORDFILE=$work/keys/cluster.password")
fi
ms() { echo $(( $(date +%s%N) / 1000000 )); }
start() { # $1 name, $2 cluster port, $3 http port
  mkdir -p "$work/$1"; (cd "$work/$1" && exec env "${env_common[@]}" HELLONET_CLUSTER_PORT="$2" HELLONET_HTTP_PORT="$3" \
    "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$JAR" > "$work/$1.log" 2>&1) &
}
await_ready() { until grep -q 'hellonet ready' "$work/$1.log"; do sleep 0.05; done; }
t0=$(ms); start a "$pa" "$ha"; await_ready a; ta=$(( $(ms) - t0 ))
t0=$(ms); start b "$pb" "$hb"; await_ready b; tb=$(( $(ms) - t0 ))
until curl -s "http://127.0.0.1:$ha/api/counters" | grep -o '"state" *: *"live"' | wc -l | grep -q 2; do sleep 0.05; done
tj=$(( $(ms) - t0 ))
echo "first node ready ${ta} ms, second node ready ${tb} ms, second node joined ${tj} ms  ($JAR)"
