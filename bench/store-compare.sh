#!/usr/bin/env bash
# bench/store-compare.sh: pipelined throughput with the PostgreSQL sequence store next to the file store, in one run.
#
#   bench/store-compare.sh [--quick] [--repeat R] [--out DIR] [--baseline JAR]
#
# Starts a throwaway PostgreSQL (Debian's binaries, installed with bench/apt-install.sh postgresql if missing; a temp
# directory, loopback, a free port, fsync on as in production) and two hellonet nodes built from this checkout: one on
# the file store, one on the PostgreSQL store, both with the default block sizes. Runs the pipelined scenario of
# bench/compare.sh against each in turn (alternating who goes first), prints medians and the ratio, the PostgreSQL
# node's lease latency and block sizes from its counters, and writes every run and summary.json to the output
# directory. Stops and removes everything it started. Docs: docs/performance.md, docs/sequence.md.
#
# --baseline JAR adds a third node, that jar on the file store (for example one built from main), to see whether a
# change costs throughput on the hot path: its runs interleave with the others and the table adds its ratio.
#
# Environment (defaults in brackets):
#   BENCH_WARMUP [3]  BENCH_DURATION [10]  seconds per run (--quick: 1 and 2)   BENCH_REPEAT [3]
#   BENCH_PIPE_CONNECTIONS [32]  BENCH_PIPE_DEPTH [64]  BENCH_SERVER_THREADS [cores - 1, at least 1]
#   BENCH_FILE_PORT [19100]  BENCH_PG_NODE_PORT [19101]  BENCH_BASELINE_PORT [19102]  BENCH_OUT [bench/results/store-<UTC timestamp>]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
QUICK=0
BASELINE=""
REPEAT=${BENCH_REPEAT:-3}
OUT=${BENCH_OUT:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --repeat) REPEAT=${2:?--repeat needs a number}; shift ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    --baseline) BASELINE=${2:?--baseline needs a jar}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "store-compare.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$REPEAT" in ''|*[!0-9]*|0) echo "store-compare.sh: --repeat must be a positive whole number" >&2; exit 2 ;; esac
if [ "$QUICK" = 1 ]; then WARMUP=${BENCH_WARMUP:-1}; DURATION=${BENCH_DURATION:-2}
else WARMUP=${BENCH_WARMUP:-3}; DURATION=${BENCH_DURATION:-10}; fi
PIPE_CONNS=${BENCH_PIPE_CONNECTIONS:-32}
PIPE_DEPTH=${BENCH_PIPE_DEPTH:-64}
SERVER_THREADS=${BENCH_SERVER_THREADS:-$(( $(nproc) > 1 ? $(nproc) - 1 : 1 ))}
FILE_PORT=${BENCH_FILE_PORT:-19100}
PG_NODE_PORT=${BENCH_PG_NODE_PORT:-19101}
BASELINE_PORT=${BENCH_BASELINE_PORT:-19102}
[ -z "$BASELINE" ] || [ -f "$BASELINE" ] || { echo "store-compare.sh: no baseline jar at $BASELINE" >&2; exit 2; }
[ -z "$BASELINE" ] || BASELINE=$(cd "$(dirname "$BASELINE")" && pwd)/$(basename "$BASELINE")
OUT=${OUT:-$ROOT/bench/results/store-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT/runs"
OUT=$(cd "$OUT" && pwd)

say() { printf 'store-compare.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || "$ROOT/bench/apt-install.sh" postgresql
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
command -v python3 >/dev/null || "$ROOT/bench/apt-install.sh" python3

jar="$ROOT/target/hellonet.jar"
if [ ! -f "$jar" ] || [ -n "$(cd "$ROOT" && find pom.xml src conf -newer "$jar" -print -quit)" ]; then
  say "building target/hellonet.jar"
  "$ROOT/hellonet" build
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
for p in FILE_PORT PG_NODE_PORT BASELINE_PORT; do
  ! port_in_use "${!p}" || die "port ${!p} on 127.0.0.1 is already in use; pick another with BENCH_$p"
done

# --- PostgreSQL -----------------------------------------------------------------------------------------------------
TMP=$(mktemp -d /tmp/hellonet-store-bench.XXXXXX)
AS_PG=()
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$TMP"; AS_PG=(runuser -u postgres --); fi
PG_PORT=$(free_port)
PG_PASSWORD="bench-$(date +%s%N)"
PIDS=()
cleanup() {
  local pid i
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [ -f "$TMP/data/postmaster.pid" ] && "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$TMP/data" -m fast -w stop >/dev/null 2>&1 || true
  mkdir -p "$OUT/logs"
  cp "$TMP"/*.log "$OUT/logs/" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting PostgreSQL ($PGBIN) on 127.0.0.1:$PG_PORT"
"${AS_PG[@]}" "$PGBIN/initdb" -D "$TMP/data" -U postgres -A trust -E UTF8 --locale=C >"$TMP/initdb.log" 2>&1 \
  || die "initdb failed: $(tail -3 "$TMP/initdb.log")"
"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$TMP/data" -l "$TMP/postgres.log" -w \
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $TMP" start >/dev/null || die "PostgreSQL did not start: $(tail -3 "$TMP/postgres.log")"
psql_() { "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "$1" >/dev/null; }
psql_ "CREATE ROLE hellonet LOGIN PASSWORD '$PG_PASSWORD'"
psql_ "CREATE DATABASE hellonet OWNER hellonet"

# --- the two nodes --------------------------------------------------------------------------------------------------
start_node() { # $1 name, $2 port, $3 jar, then HELLONET_* assignments
  local name=$1 port=$2 jar=$3 i; shift 3
  mkdir -p "$TMP/$name"
  # Each jar on its own embedded defaults: the checkout's conf/config.json may hold keys an older jar does not know.
  echo '{}' >"$TMP/empty-config.json"
  (cd "$TMP/$name" && exec env HELLONET_CONFIG="$TMP/empty-config.json" HELLONET_HELLO_HOST=127.0.0.1 HELLONET_HELLO_PORT="$port" \
      HELLONET_HTTP_HOST=127.0.0.1 HELLONET_HTTP_PORT="$(free_port)" HELLONET_HELLO_INSTANCES="$SERVER_THREADS" "$@" \
      "$ROOT/hellonet" java --enable-native-access=ALL-UNNAMED -jar "$jar") >"$TMP/$name.log" 2>&1 &
  PIDS+=($!)
  for i in $(seq 1 600); do
    port_in_use "$port" && return 0
    kill -0 "${PIDS[-1]}" 2>/dev/null || die "$name exited while starting: $(tail -3 "$TMP/$name.log")"
    sleep 0.1
  done
  die "$name did not listen within 60 s"
}
say "starting hellonet on the file store (127.0.0.1:$FILE_PORT) and on PostgreSQL (127.0.0.1:$PG_NODE_PORT)"
start_node file "$FILE_PORT" "$jar" HELLONET_SEQUENCE_STORE=file HELLONET_SEQUENCE_FILE="$TMP/sequence"
start_node postgres "$PG_NODE_PORT" "$jar" HELLONET_SEQUENCE_STORE=postgres HELLONET_SEQUENCE_POSTGRES_HOST=127.0.0.1 \
  HELLONET_SEQUENCE_POSTGRES_PORT="$PG_PORT" HELLONET_SEQUENCE_POSTGRES_SSLMODE=disable \
  HELLONET_SEQUENCE_POSTGRES_PASSWORD="$PG_PASSWORD"
if [ -n "$BASELINE" ]; then
  say "starting the baseline $BASELINE on the file store (127.0.0.1:$BASELINE_PORT)"
  start_node baseline "$BASELINE_PORT" "$BASELINE" HELLONET_SEQUENCE_FILE="$TMP/baseline-sequence"
fi
http_port() { sed -n 's/.*HTTP API on 127.0.0.1:\([0-9]*\).*/\1/p' "$TMP/$1.log" | head -1; }

# --- runs -----------------------------------------------------------------------------------------------------------
run_one() { # $1 store, $2 port, $3 repeat
  local file="$OUT/runs/pipelined__$1__$3"
  "$ROOT/hellonet" loadgen --quiet --host 127.0.0.1 --port "$2" --protocol hellonet --mode pipe \
      --connections "$PIPE_CONNS" --depth "$PIPE_DEPTH" --warmup "$WARMUP" --duration "$DURATION" \
      --json "$file.json" >"$file.txt" 2>&1 || die "loadgen failed against the $1 store: $(tail -3 "$file.txt")"
  say "[$1 $3/$REPEAT] $(head -1 "$file.txt")"
}
STORES=(file postgres); [ -z "$BASELINE" ] || STORES+=(baseline)
port_for() { case "$1" in file) echo "$FILE_PORT" ;; postgres) echo "$PG_NODE_PORT" ;; baseline) echo "$BASELINE_PORT" ;; esac; }
say "$((REPEAT * ${#STORES[@]})) runs of ${WARMUP} s warm-up + ${DURATION} s measured, pipelined $PIPE_CONNS x $PIPE_DEPTH"
for r in $(seq 1 "$REPEAT"); do
  # Rotate who goes first, so that no store always runs on a cooler or warmer machine.
  for i in $(seq 0 $((${#STORES[@]} - 1))); do
    st=${STORES[$(( (i + r - 1) % ${#STORES[@]} ))]}
    run_one "$st" "$(port_for "$st")" "$r"
  done
done

curl -sf "http://127.0.0.1:$(http_port postgres)/api/counters" >"$OUT/postgres-counters.json" || true
curl -sf "http://127.0.0.1:$(http_port file)/api/counters" >"$OUT/file-counters.json" || true
python3 - "$OUT" <<'PY'
import json, glob, os, statistics, sys
out = sys.argv[1]
runs = {}
for path in sorted(glob.glob(os.path.join(out, "runs", "*.json")), key=lambda p: int(p[:-5].split("__")[2])):
    _, store, _ = os.path.basename(path)[:-5].split("__")
    with open(path) as f:
        runs.setdefault(store, []).append(json.load(f))
summary = {}
for store, rs in runs.items():
    summary[store] = {
        "repliesPerSecondMedian": round(statistics.median(r["repliesPerSecond"] for r in rs)),
        "repliesPerSecondEachRun": [round(r["repliesPerSecond"]) for r in rs],
        "duplicates": sum(r["numbers"]["duplicates"] for r in rs),
        "errors": sum(r["errors"]["total"] for r in rs),
        "ok": all(r["ok"] for r in rs),
    }
    try:
        with open(os.path.join(out, store + "-counters.json")) as f:
            c = json.load(f)
        seq = c["sequence"]["total"]
        hello = c["hello"]["total"]
        summary[store]["leases"] = seq["leases"]
        summary[store]["leaseLatencyMeanMicros"] = round(seq["leaseLatencyTotalMicros"] / max(1, seq["leases"]))
        summary[store]["leaseLatencyMaxMicros"] = seq["leaseLatencyMaxMicros"]
        summary[store]["leaseFailures"] = seq["leaseFailures"]
        summary[store]["meanBlock"] = round(hello["sequenceLeased"] / max(1, hello["sequenceLeases"]))
    except (OSError, KeyError, ValueError) as e:
        summary[store]["counters"] = "unavailable: %s" % e
def ratio(num, den):
    # The median of the ratios within each repeat (the runs of one repeat are back to back), and their range.
    a, b = summary[num]["repliesPerSecondEachRun"], summary[den]["repliesPerSecondEachRun"]
    each = [x / y for x, y in zip(a, b) if y]
    return {"median": round(statistics.median(each), 3), "min": round(min(each), 3), "max": round(max(each), 3)}
if "file" in summary and "postgres" in summary:
    summary["ratioPostgresToFile"] = ratio("postgres", "file")
if "file" in summary and "baseline" in summary:
    summary["ratioFileToBaseline"] = ratio("file", "baseline")
with open(os.path.join(out, "summary.json"), "w") as fh:
    json.dump(summary, fh, indent=2)
print("store     median replies/s   each run                          leases  mean/max lease (us)  mean block  dup")
for store in ("file", "postgres", "baseline"):
    s = summary.get(store)
    if s:
        print("%-9s %16s   %-32s %6s  %8s / %-9s %11s  %s" % (store, "{:,}".format(s["repliesPerSecondMedian"]),
              ", ".join("{:,}".format(x) for x in s["repliesPerSecondEachRun"]), s.get("leases", "?"),
              s.get("leaseLatencyMeanMicros", "?"), s.get("leaseLatencyMaxMicros", "?"), s.get("meanBlock", "?"),
              s["duplicates"]))
for key, label in (("ratioPostgresToFile", "postgres / file"), ("ratioFileToBaseline", "file / baseline")):
    if key in summary:
        r = summary[key]
        print("%s: %.3f (median of the ratios within each repeat; range %.3f-%.3f)" % (label, r["median"], r["min"], r["max"]))
print("results: " + out)
PY
