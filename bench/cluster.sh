#!/usr/bin/env bash
# bench/cluster.sh: three clustered hellonet nodes on this machine, driven at once by one load generator run.
#
#   bench/cluster.sh [--duration SECONDS (10)] [--instances N (2)] [--connections C (48)] [--depth D (16)]
#
# Starts three nodes (separate JVMs, JGroups TCPPING members on loopback, one sequence file), each with N hello, HTTP
# and crawler instances; runs ./hellonet loadgen against all three hello ports at once (connections in turn, every
# number checked against every other); then prints the clients' total, each node's replies and the cluster sum from
# GET /api/counters side by side, and the duplicates (must be 0). Stops everything it started; exit 1 if a check
# failed. Ports: BENCH_CLUSTER_BASE [19200] and the next 8 (hello, HTTP, cluster member port per node).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=10; INSTANCES=2; CONNECTIONS=48; DEPTH=16
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=${2:?}; shift ;;
    --instances) INSTANCES=${2:?}; shift ;;
    --connections) CONNECTIONS=${2:?}; shift ;;
    --depth) DEPTH=${2:?}; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "cluster.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
BASE=${BENCH_CLUSTER_BASE:-19200}
say() { printf 'cluster.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in $(seq "$BASE" $((BASE + 8))); do ! port_in_use "$p" || die "port $p is in use; pick another BENCH_CLUSTER_BASE"; done

"$ROOT/hellonet" build >/dev/null
TMP=$(mktemp -d /tmp/hellonet-cluster.XXXXXX)
PIDS=()
cleanup() {
  local pid i
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for i in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hello() { echo $((BASE + $1)); }
http() { echo $((BASE + 3 + $1)); }
hz() { echo $((BASE + 6 + $1)); }
MEMBERS="127.0.0.1:$(hz 0),127.0.0.1:$(hz 1),127.0.0.1:$(hz 2)"
START=$(date +%s%N)
for i in 0 1 2; do
  mkdir -p "$TMP/node$i"
  (cd "$TMP/node$i" && exec env -u HELLONET_CONFIG HELLONET_HELLO_HOST=127.0.0.1 HELLONET_HELLO_PORT="$(hello $i)" \
    HELLONET_HELLO_INSTANCES="$INSTANCES" HELLONET_HTTP_INSTANCES="$INSTANCES" HELLONET_CRAWLER_INSTANCES="$INSTANCES" \
    HELLONET_HTTP_HOST=127.0.0.1 HELLONET_HTTP_PORT="$(http $i)" HELLONET_CLUSTER_ENABLED=true \
    HELLONET_CLUSTER_MEMBERS="$MEMBERS" HELLONET_CLUSTER_HOST=127.0.0.1 HELLONET_CLUSTER_PORT="$(hz $i)" \
    HELLONET_SEQUENCE_FILE="$TMP/sequence" HELLONET_CRAWLER_DOWNLOADDIR="$TMP/node$i/downloads" \
    "$ROOT/hellonet" run >"$TMP/node$i.log" 2>&1) &
  PIDS+=($!)
done
for i in 0 1 2; do
  for t in $(seq 1 1200); do
    grep -q 'hellonet ready' "$TMP/node$i.log" 2>/dev/null && break
    kill -0 "${PIDS[$i]}" 2>/dev/null || die "node $i exited while starting: $(tail -3 "$TMP/node$i.log")"
    [ "$t" = 1200 ] && die "node $i not ready within 120 s"
    sleep 0.1
  done
done
counters() { curl -sf "http://127.0.0.1:$(http "$1")/api/counters"; }
for t in $(seq 1 600); do
  live=$(counters 0 | python3 -c 'import json,sys; print(sum(n["state"]=="live" for n in json.load(sys.stdin)["cluster"]["nodes"]))' 2>/dev/null || echo 0)
  [ "$live" = 3 ] && break
  [ "$t" = 600 ] && die "the three nodes did not form one cluster within 60 s"
  sleep 0.1
done
say "3 nodes ready and clustered after $(( ($(date +%s%N) - START) / 1000000 )) ms; load for ${DURATION} s: $CONNECTIONS connections x depth $DEPTH over all three"

"$ROOT/hellonet" loadgen --quiet --port "$(hello 0),$(hello 1),$(hello 2)" --connections "$CONNECTIONS" \
  --depth "$DEPTH" --warmup 2 --duration "$DURATION" --json "$TMP/load.json" >"$TMP/load.txt" 2>&1 || true
[ -f "$TMP/load.json" ] || die "the load generator wrote no result: $(tail -3 "$TMP/load.txt")"
sleep 1  # the nodes are idle now: their counters are exact
counters 2 >"$TMP/counters.json"

python3 - "$TMP/load.json" "$TMP/counters.json" "$((CONNECTIONS * DEPTH))" <<'PY'
import json, sys
load = json.load(open(sys.argv[1]))
counters = json.load(open(sys.argv[2]))
in_flight = int(sys.argv[3])
clients = load["numbers"]["checked"]  # every reply the clients read, warm-up included (the counters count those too)
dups = load["numbers"]["duplicates"]
errors = load["errors"]["total"]
total = counters["hello"]["total"]["replies"]
print(f"replies/s (measured part)        {load['repliesPerSecond']:,}")
print(f"replies the clients read         {clients:,}")
for n in counters["cluster"]["nodes"]:
    print(f"  node {n['node']:<26} {n['state']:<8} {n['hello']['total']['replies']:,} replies")
print(f"cluster sum (GET /api/counters)  {total:,}  (minus the clients' count: {total - clients:,}; replies still in")
print(f"                                 flight when the load generator closed, at most {in_flight:,})")
print(f"duplicates                       {dups}")
print(f"errors                           {errors}")
ok = dups == 0 and errors == 0 and clients <= total <= clients + in_flight
print("checks                           " + ("ok" if ok else "FAILED"))
sys.exit(0 if ok else 1)
PY
