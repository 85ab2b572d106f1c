#!/usr/bin/env bash
# bench/attack.sh: attacks a hellonet node in four ways and prints one table (docs/protection.md holds the last one).
#
#   bench/attack.sh [synflood] [connflood] [slowloris] [slowreader]     (default: all four)
#
# For each attack: start a fresh node (in-process driver dev.hellonet.attack.AttackServer, which writes its counters
# to a file), measure a legitimate client alone, then again during the attack, and read the counters and the server's
# resident memory (VmRSS) before, at the peak during, and after. Every flood is bounded in packets or connections and
# in time, and everything the script starts is stopped and removed on exit (trap), including its network namespaces.
#
#   synflood    hping3 sends SYNs from random (spoofed) sources at the server, inside two network namespaces joined by
#               a veth pair on 198.18.0.0/24: the server's default route points into the client namespace, which has
#               no route anywhere and drops the SYN-ACKs, so half-open connections really pile up. Run twice: with SYN
#               cookies on and off (net.ipv4.tcp_syncookies inside the script's own namespace; the host is untouched).
#               ATTACK_SYNCOOKIES [1 0] chooses the runs.
#   connflood   20,000 connection attempts from 127.0.0.2, holding up to 1,000 open; the legitimate client is 127.0.0.3.
#   slowloris   2,000 connections from 127.0.0.10-29 trickling one byte (never a newline) every 2 s, reconnecting.
#   slowreader  200 connections from 127.0.0.30-49 pipelining requests and never reading, in two waves against one
#               server (does memory grow again?), with protection.slowReaderTimeoutMs=5000 so that the closes show.
#
# The legitimate client makes ATTACK_RATE [50] requests a second, each on a fresh connection with 2 s to answer, for
# ATTACK_SECONDS [15] seconds. Needs root (namespaces, raw sockets), iproute2 and hping3 (installed if missing).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SECONDS_LEGIT=${ATTACK_SECONDS:-15}
RATE=${ATTACK_RATE:-50}
PORT=${ATTACK_PORT:-19400}
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(synflood connflood slowloris slowreader)
WORK=$(mktemp -d /tmp/hellonet-attack.XXXXXX)
NS_SRV=hn-attack-srv
NS_CLI=hn-attack-cli
SERVER_PID=""
SAMPLER_PID=""
ATTACK_PID=""

say() { printf 'attack.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

cleanup() {
  set +e
  for p in "$ATTACK_PID" "$SAMPLER_PID" "$SERVER_PID"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
  done
  ip netns pids "$NS_CLI" 2>/dev/null | xargs -r kill 2>/dev/null
  ip netns pids "$NS_SRV" 2>/dev/null | xargs -r kill 2>/dev/null
  ip netns del "$NS_CLI" 2>/dev/null
  ip netns del "$NS_SRV" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, raw sockets for hping3)"
command -v ip >/dev/null || die "needs ip (Debian package iproute2)"
if [[ " ${SCENARIOS[*]} " == *" synflood "* ]] && ! command -v hping3 >/dev/null; then
  say "installing hping3"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hping3 >/dev/null || die "cannot install hping3"
fi

say "building classes and the test class path"
JAVA_HOME=$("$ROOT/hellonet" java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
export JAVA_HOME
# Maven's own Guava warns about sun.misc.Unsafe on JDK 24+ (as in ./hellonet).
if [ "$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')" -ge 24 ]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
mvn -B -ntp -q test-compile dependency:build-classpath -Dmdep.outputFile="$WORK/cp" -Dmdep.includeScope=test \
  >/dev/null || die "build failed"
CP="$ROOT/target/classes:$ROOT/target/test-classes:$(cat "$WORK/cp")"
JAVA=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC)

# --- the server ------------------------------------------------------------------------------------------------------
# start_server NETNS(or -) HOST [VAR=value ...]
start_server() {
  local ns=$1 host=$2; shift 2
  local run=()
  [ "$ns" != - ] && run=(ip netns exec "$ns")
  rm -f "$WORK/status.json"
  env HELLONET_HELLO_HOST="$host" HELLONET_HELLO_PORT="$PORT" HELLONET_HELLO_INSTANCES=2 \
    HELLONET_HTTP_HOST=127.0.0.1 HELLONET_HTTP_PORT=0 \
    HELLONET_SEQUENCE_FILE="$WORK/sequence" HELLONET_COUNTERS_PUBLISHINTERVALMS=60000 "$@" \
    "${run[@]}" "${JAVA[@]}" -Xmx512m -cp "$CP" dev.hellonet.attack.AttackServer "$WORK/status.json" \
    >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    [ -s "$WORK/status.json" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; die "server exited"; }
    sleep 0.1
  done
  die "server did not start within 30 s"
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

server_pid() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$WORK/status.json"; }
rss_mib() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# Samples the server's RSS (and, given a namespace, its half-open connections) every 0.5 s, keeping the highest in
# $WORK/rss.peak and $WORK/synrecv.peak.
start_sampler() {
  local pid=$1 ns=${2:--}
  echo 0 >"$WORK/rss.peak"
  echo 0 >"$WORK/synrecv.peak"
  ( while kill -0 "$pid" 2>/dev/null; do
      r=$(rss_mib "$pid"); p=$(cat "$WORK/rss.peak")
      [ "$r" -gt "$p" ] && echo "$r" >"$WORK/rss.peak"
      if [ "$ns" != - ]; then
        h=$(ip netns exec "$ns" ss -Htn state syn-recv | wc -l); p=$(cat "$WORK/synrecv.peak")
        [ "$h" -gt "$p" ] && echo "$h" >"$WORK/synrecv.peak"
      fi
      sleep 0.5
    done ) &
  SAMPLER_PID=$!
}
stop_sampler() { kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""; }

# legit NETNS(or -) HOST FROM SECONDS > json
legit() {
  local run=()
  [ "$1" != - ] && run=(ip netns exec "$1")
  "${run[@]}" "${JAVA[@]}" -Xmx256m -cp "$CP" dev.hellonet.attack.AttackClient legit "$2" "$PORT" "$3" "$4" "$RATE"
}

# Nonzero abuse counters, as "reason=n" words.
reasons() {
  python3 - "$WORK/status.json" <<'PY'
import json, sys
total = json.load(open(sys.argv[1]))["counters"]["hello"]["total"]
names = [("rejectedGlobalLimit", "global-limit"), ("rejectedPerIpLimit", "per-ip-limit"), ("rejectedRateLimit", "rate-limit"),
         ("rejectedFirstRequestTimeout", "first-request-timeout"), ("rejectedIdleTimeout", "idle-timeout"),
         ("rejectedSlowReader", "slow-reader"), ("rejectedRequestTooLong", "request-too-long")]
out = ["%s=%d" % (label, total[key]) for key, label in names if total.get(key)]
print(" ".join(out) if out else "-")
PY
}

# The kernel's own counts in a namespace since it was created: SYNs dropped at the listener, SYN cookies sent.
tcpext() {
  ip netns exec "$1" cat /proc/net/netstat | awk '
    /^TcpExt:/ { if (!n) { for (i = 2; i <= NF; i++) name[i] = $i; n = 1 } else for (i = 2; i <= NF; i++) v[name[i]] = $i }
    END { printf "ListenDrops=%d SyncookiesSent=%d", v["ListenDrops"], v["SyncookiesSent"] }'
}

ROWS=()
# row ATTACK SIZE LEGIT_JSON REASONS RSS_BEFORE RSS_PEAK RSS_AFTER
row() {
  ROWS+=("$(python3 - "$@" <<'PY'
import json, sys
attack, size, legit, reasons, before, peak, after = sys.argv[1:8]
l = json.loads(legit)
ok = 100.0 * l["answered"] / l["attempts"] if l["attempts"] else 0
p99 = "%.1f ms" % l["p99Ms"] if l["answered"] else "n/a"
print("| %s | %s | %.1f%% (%d/%d) | %s | %s | %s |" % (attack, size, ok, l["answered"], l["attempts"], p99, reasons,
      "%s / %s / %s MiB" % (before, peak, after) if before != "-" else "-"))
PY
)")
}

# run_attack NAME SIZE NETNS_LEGIT HOST LEGIT_FROM COMMAND...   (the server is already running; SERVER_NS names its
# namespace, if any, to count half-open connections in)
SERVER_NS=-
run_attack() {
  local name=$1 size=$2 lns=$3 host=$4 from=$5; shift 5
  local pid base during before peak after
  pid=$(server_pid)
  say "$name: legitimate client alone, ${SECONDS_LEGIT} s"
  base=$(legit "$lns" "$host" "$from" "$SECONDS_LEGIT")
  row "$name: no attack" "-" "$base" "-" "-" "-" "-"
  before=$(rss_mib "$pid")
  start_sampler "$pid" "$SERVER_NS"
  say "$name: attack ($size) with the legitimate client beside it"
  "$@" >"$WORK/attack.out" 2>&1 &
  ATTACK_PID=$!
  sleep 2
  during=$(legit "$lns" "$host" "$from" "$SECONDS_LEGIT")
  wait "$ATTACK_PID" || true
  ATTACK_PID=""
  sleep 3
  stop_sampler
  peak=$(cat "$WORK/rss.peak")
  after=$(rss_mib "$pid")
  say "$name: attacker saw $(grep -h 'packets transmitted' "$WORK/attack.out" || tail -1 "$WORK/attack.out")"
  if [ "$SERVER_NS" != - ]; then
    size="$size; peak half-open $(cat "$WORK/synrecv.peak"); kernel: $(tcpext "$SERVER_NS")"
  fi
  row "$name" "$size" "$during" "$(reasons)" "$before" "$peak" "$after"
}

# --- the attacks -----------------------------------------------------------------------------------------------------
netns_up() {
  ip netns add "$NS_SRV"
  ip netns add "$NS_CLI"
  ip link add hn-atk-s type veth peer name hn-atk-c
  ip link set hn-atk-s netns "$NS_SRV"
  ip link set hn-atk-c netns "$NS_CLI"
  ip -n "$NS_SRV" addr add 198.18.0.1/24 dev hn-atk-s
  ip -n "$NS_CLI" addr add 198.18.0.2/24 dev hn-atk-c
  for ns in "$NS_SRV" "$NS_CLI"; do ip -n "$ns" link set lo up; done
  ip -n "$NS_SRV" link set hn-atk-s up
  ip -n "$NS_CLI" link set hn-atk-c up
  # Replies to spoofed sources go into the client namespace, which forwards nothing and has no route on: dropped.
  ip -n "$NS_SRV" route add default via 198.18.0.2
  ip netns exec "$NS_CLI" sysctl -qw net.ipv4.ip_forward=0
}

synflood() {
  netns_up # fresh namespaces per run: half-open entries of an earlier run must not count in this one
  # Long enough to outlast the legitimate run (started 2 s in, plus its JVM start and one warm-up second).
  local cookies=$1 packets=$(( (SECONDS_LEGIT + 8) * 10000 ))
  ip netns exec "$NS_SRV" sysctl -qw net.ipv4.tcp_syncookies="$cookies"
  # Without cookies Linux still lets in peers it has completed handshakes with before ("proven" through its TCP
  # metrics cache), which would make the legitimate client look immune. Real new clients are not proven: keep no
  # metrics, so the legitimate client is treated as a newcomer every time.
  ip netns exec "$NS_SRV" sysctl -qw net.ipv4.tcp_no_metrics_save=1
  ip -n "$NS_SRV" tcp_metrics flush all 2>/dev/null || true
  start_server "$NS_SRV" 0.0.0.0
  SERVER_NS=$NS_SRV
  run_attack "SYN flood, cookies $([ "$cookies" = 1 ] && echo on || echo off)" \
    "$packets SYNs at 10k/s, random sources" "$NS_CLI" 198.18.0.1 - \
    ip netns exec "$NS_CLI" timeout $((SECONDS_LEGIT + 8)) \
      hping3 -q -S -p "$PORT" --rand-source -i u100 -c "$packets" 198.18.0.1
  SERVER_NS=-
  stop_server
  ip netns del "$NS_CLI"
  ip netns del "$NS_SRV"
}

for s in "${SCENARIOS[@]}"; do
  case "$s" in
    synflood)
      for c in ${ATTACK_SYNCOOKIES:-1 0}; do synflood "$c"; done
      ;;
    connflood)
      start_server - 127.0.0.1
      run_attack "connection flood" "20,000 from 127.0.0.2, 1,000 held" - 127.0.0.1 127.0.0.3 \
        "${JAVA[@]}" -Xmx256m -cp "$CP" dev.hellonet.attack.AttackClient connflood 127.0.0.1 "$PORT" 127.0.0.2 \
          20000 $((SECONDS_LEGIT + 2)) 1000
      stop_server
      ;;
    slowloris)
      start_server - 127.0.0.1
      run_attack "slowloris" "2,000 conns from 20 addresses, 1 byte/2 s" - 127.0.0.1 127.0.0.3 \
        "${JAVA[@]}" -Xmx256m -cp "$CP" dev.hellonet.attack.AttackClient slowloris 127.0.0.1 "$PORT" \
          "$(seq -s, -f '127.0.0.%g' 10 29)" 2000 $((SECONDS_LEGIT + 2)) 2000
      stop_server
      ;;
    slowreader)
      start_server - 127.0.0.1 HELLONET_PROTECTION_SLOWREADERTIMEOUTMS=5000
      # Twice against the same server: the second wave shows whether memory grows again or is reused.
      for wave in "" ", second wave"; do
        run_attack "slow reader (timeout 5 s)$wave" "200 conns from 20 addresses, never read" - 127.0.0.1 127.0.0.3 \
          "${JAVA[@]}" -Xmx256m -cp "$CP" dev.hellonet.attack.AttackClient slowreader 127.0.0.1 "$PORT" \
            "$(seq -s, -f '127.0.0.%g' 30 49)" 200 $((SECONDS_LEGIT + 2))
      done
      stop_server
      ;;
    *) die "unknown attack '$s' (synflood, connflood, slowloris, slowreader)" ;;
  esac
done

echo
echo "legitimate client: $RATE requests/s for $SECONDS_LEGIT s, one fresh connection each, 2 s to answer;" \
  "server: 2 instances, defaults unless noted; $(nproc) cores"
echo
echo "| attack | size | legitimate answered | legitimate p99 | refused / closed by reason | server RSS before / peak / after |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
