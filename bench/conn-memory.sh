#!/usr/bin/env bash
# bench/conn-memory.sh: memory per open idle connection for hellonet, nginx and Redis, side by side, in one command.
#
#   bench/conn-memory.sh [--connections N (18000)] [--clients K (enough, at least 2)] [--servers hellonet,nginx,redis]
#                        [--out DIR] [--hold-seconds S (300)] [--open-seconds S (240)] [--warmup W (500)]
#                        [--settle-seconds S (15): wait after the last connection opened, before measuring]
#
# Each server in turn (alone on the machine's loopback) is started, warmed up with W connections opened and closed
# twice, measured idle, then made to hold N connections that each sent one request, read the reply and stay open
# (hellonet: "hi\n"; nginx: HTTP/1.1 keep-alive GET, `return 200`; Redis: PING), and measured again; the figures are
# the differences divided by N:
#   hellonet: live heap (jcmd GC.class_histogram, which runs a full GC first), direct memory and other native memory
#     (jcmd VM.native_memory summary, the JVM started with -XX:NativeMemoryTracking=summary; Netty's direct buffers
#     are in its "Other" category), and the classes that grew most;
#   every server: RSS (VmRSS; smaps_rollup private and anonymous pages, master and workers summed for nginx), Redis's
#     own used_memory, and the kernel's slab caches (/proc/slabinfo: TCP, sock_inode_cache, filp, dentry,
#     eventpoll_*; both ends of each connection are in this one kernel) and TCP buffer pages (/proc/net/sockstat).
# The clients are K Python processes (python3 bench/conn_memory.py client), each under its open-file limit, each
# binding its own loopback source addresses (127.1.0.0 and up, one per 25,000 connections, so ephemeral ports never
# run short). Every client stops after --hold-seconds whatever happens; everything started is stopped at the end.
# Servers and clients get their soft open-file limit raised to the hard one; a server needs N plus a margin under
# it, and the script says the largest N this machine allows if asked for more.
# Needs root for /proc/slabinfo. Installs nginx and redis-server from Debian's packages if missing.
# Ports: BENCH_HELLONET_PORT [19400]  BENCH_NGINX_PORT [19480]  BENCH_REDIS_PORT [19479]
# Output: a Markdown table on stdout; results.json, table.md and the servers' logs in DIR
# [bench/results/conn-memory-<UTC time>]. Docs: docs/benchmarks.md, figures in docs/performance.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}" in -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;; esac
missing=()
command -v nginx >/dev/null || missing+=(nginx)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v python3 >/dev/null || missing+=(python3)
[ ${#missing[@]} -eq 0 ] || "$ROOT/bench/apt-install.sh" "${missing[@]}"
jar="$ROOT/target/hellonet.jar"
if [ ! -f "$jar" ] || [ -n "$(cd "$ROOT" && find pom.xml src conf -newer "$jar" -print -quit)" ]; then
  echo "conn-memory: building target/hellonet.jar" >&2
  "$ROOT/hellonet" build
fi
# The older form, a bare count, still works.
case "${1:-}" in [0-9]*) set -- --connections "$@" ;; esac
exec python3 "$ROOT/bench/conn_memory.py" --root "$ROOT" "$@"
