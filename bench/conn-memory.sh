#!/usr/bin/env bash
# bench/conn-memory.sh: resident memory per open hello connection, for the capacity model in docs/scaling.md.
#
#   bench/conn-memory.sh [CONNECTIONS (8000)]
#
# Starts one node (1 hello instance) on loopback port BENCH_MEMORY_PORT [19400], opens CONNECTIONS connections that
# each send one request and read the reply and then stay open (idle, as keep-alive clients do), and reports the
# node's RSS before, with everything open, and the difference per connection. Python's asyncio is the client.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-8000}
PORT=${BENCH_MEMORY_PORT:-19400}
"$ROOT/hellonet" build >/dev/null
TMP=$(mktemp -d /tmp/hellonet-memory.XXXXXX)
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
env -u HELLONET_CONFIG HELLONET_HELLO_HOST=127.0.0.1 HELLONET_HELLO_PORT=$PORT HELLONET_HELLO_INSTANCES=1 \
  HELLONET_HTTP_HOST=127.0.0.1 HELLONET_HTTP_PORT=0 HELLONET_SEQUENCE_FILE="$TMP/sequence" \
  HELLONET_PROTECTION_NEWCONNECTIONSPERSECOND=1000000 HELLONET_PROTECTION_NEWCONNECTIONSBURST=1000000 \
  "$ROOT/hellonet" run >"$TMP/log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do grep -q 'hellonet ready' "$TMP/log" && break; sleep 0.1; done
python3 - "$PORT" "$N" "$PID" <<'PY'
import asyncio, sys, time
port, n, pid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))

async def main():
    # A warm-up round trips through the whole path first, so the baseline includes the code that serves a connection.
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(b"hi\n"); await r.readline(); w.close()
    time.sleep(2)
    before = rss_kib()
    conns = []
    sem = asyncio.Semaphore(200)
    async def one():
        async with sem:
            r, w = await asyncio.open_connection("127.0.0.1", port)
            w.write(b"hi\n")
            line = await r.readline()
            assert line.startswith(b"Hello World"), line
            conns.append((r, w))
    await asyncio.gather(*(one() for _ in range(n)))
    time.sleep(2)
    after = rss_kib()
    print(f"connections {len(conns)}: RSS {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB with all open, "
          f"{(after - before) * 1024 / len(conns) / 1024:.1f} KiB per connection")
    for _, w in conns:
        w.close()
asyncio.run(main())
PY
