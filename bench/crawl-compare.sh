#!/usr/bin/env bash
# Crawl benchmark: hellonet's crawler against Scrapy on the same generated static site, served by nginx on loopback,
# at the same concurrency, in the same run. Both must find the same set of pages. hellonet runs twice: with its jobs
# in memory (crawler.store=memory) and written to PostgreSQL as they run (crawler.store=postgres, on a throwaway
# server started here), side by side.
#   bench/crawl-compare.sh [PAGES (3000)] [CONCURRENCY (64)] [HELLONET_RUNS (3)]
#   CRAWL_STORES="memory postgres" (default) picks the stores; SKIP_SCRAPY=1 leaves Scrapy out.
# Needs nginx and python3-scrapy (Debian packages), and PostgreSQL's server binaries (/usr/lib/postgresql/*/bin) for
# the postgres store. Everything it starts listens on 127.0.0.1 only and is stopped on exit; its files live in a
# temporary directory that is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES=${1:-3000}
CONCURRENCY=${2:-64}
RUNS=${3:-3}

# Debian's Scrapy lives in the system Python, which may not be the python3 first on PATH (pyenv and the like).
SCRAPY_PYTHON=${SCRAPY_PYTHON:-/usr/bin/python3}
STORES=${CRAWL_STORES:-memory postgres}
SKIP_SCRAPY=${SKIP_SCRAPY:-0}
missing=()
command -v nginx >/dev/null || missing+=(nginx)
[ "$SKIP_SCRAPY" = 1 ] || "$SCRAPY_PYTHON" -c 'import scrapy' 2>/dev/null || missing+=(python3-scrapy)
[ ${#missing[@]} -eq 0 ] || bench/apt-install.sh "${missing[@]}"
[ "$SKIP_SCRAPY" = 1 ] || "$SCRAPY_PYTHON" -c 'import scrapy' 2>/dev/null \
  || { echo "crawl-compare: $SCRAPY_PYTHON still cannot import scrapy" >&2; exit 1; }
PG_BIN=""
if [[ " $STORES " == *" postgres "* ]]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$PG_BIN/initdb" ] || { echo "crawl-compare: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin" \
    "(install postgresql, or CRAWL_STORES=memory)" >&2; exit 1; }
fi

WORK=$(mktemp -d /tmp/hellonet-crawl-bench.XXXXXX)
chmod 755 "$WORK"  # nginx workers run as an unprivileged user and must read the site
NGINX_PID=""
PG_UP=""
# The server refuses to run as root: it runs as the postgres user then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; fi
  if [ -n "$PG_UP" ]; then as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

./hellonet build
python3 bench/crawl-site.py "$WORK/site" "$PAGES" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$WORK/nginx"
sed -e "s|@DIR@|$WORK/nginx|g" -e "s|@SITE@|$WORK/site|g" -e "s|@PORT@|$PORT|g" bench/crawl-nginx.conf > "$WORK/nginx/nginx.conf"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!
URL="http://127.0.0.1:$PORT/"
for _ in $(seq 1 100); do
  python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$URL" 2>/dev/null && break
  sleep 0.1
done

echo "site: $PAGES pages at $URL (nginx $(nginx -v 2>&1 | sed 's|.*/||')), concurrency $CONCURRENCY" >&2
# A throwaway PostgreSQL on loopback for crawler.store=postgres: trust for local connections only, durable commits
# (fsync and synchronous_commit on, as on a real server); its data is thrown away on exit.
PG_ENV=()
if [ -n "$PG_BIN" ]; then
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  mkdir -p "$WORK/pg"
  [ "$(id -u)" != 0 ] || chown postgres "$WORK/pg"
  as_pg "$PG_BIN/initdb" -D "$WORK/pg" -U postgres -A trust --no-sync -E UTF8 --locale=C >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -w -l "$WORK/pg/server.log" \
    -o "-h 127.0.0.1 -p $PG_PORT -k $WORK/pg -c synchronous_commit=on" start >/dev/null
  PG_UP=1
  as_pg "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE hellonet" >/dev/null
  PG_ENV=(HELLONET_SEQUENCE_POSTGRES_HOST=127.0.0.1 HELLONET_SEQUENCE_POSTGRES_PORT="$PG_PORT"
          HELLONET_SEQUENCE_POSTGRES_USER=postgres HELLONET_SEQUENCE_POSTGRES_DATABASE=hellonet
          HELLONET_SEQUENCE_POSTGRES_SSLMODE=disable HELLONET_SEQUENCE_STORE=postgres HELLONET_CRAWLER_STORE=postgres)
  env "${PG_ENV[@]}" ./hellonet java -cp target/hellonet.jar dev.hellonet.Main init >&2
  echo "store: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT" >&2
fi

# The site is on loopback, which the crawler denies unless crawler.allow names it.
HN_OUTS=()
for store in $STORES; do
  extra=()
  [ "$store" = postgres ] && extra=("${PG_ENV[@]}")
  out=$(env HELLONET_CRAWLER_ALLOW=127.0.0.0/8 "${extra[@]}" ./hellonet java --enable-native-access=ALL-UNNAMED \
    -XX:+UseParallelGC -cp target/hellonet.jar dev.hellonet.bench.CrawlRunner \
    --concurrency "$CONCURRENCY" --runs "$RUNS" --urls-out "$WORK/hellonet-$store.txt" "$URL")
  echo "$store: $out" >&2
  HN_OUTS+=("$store" "$out")
  sort -u "$WORK/hellonet-$store.txt" > "$WORK/hellonet-$store.sorted"
  FOUND=$(wc -l < "$WORK/hellonet-$store.sorted")
  [ "$FOUND" -eq "$PAGES" ] || { echo "crawl-compare: hellonet ($store) found $FOUND pages, expected $PAGES" >&2; exit 1; }
done
SC_OUT='{}'
if [ "$SKIP_SCRAPY" != 1 ]; then
  SC_OUT=$("$SCRAPY_PYTHON" bench/crawl_spider.py "$URL" "$CONCURRENCY" "$WORK/scrapy.txt" 2>"$WORK/scrapy.log" | tail -1)
  echo "$SC_OUT" >&2
  sort -u "$WORK/scrapy.txt" > "$WORK/scrapy.sorted"
  first=$(set -- $STORES; echo "$1")
  if ! cmp -s "$WORK/hellonet-$first.sorted" "$WORK/scrapy.sorted"; then
    echo "crawl-compare: the crawlers found different pages:" >&2
    diff "$WORK/hellonet-$first.sorted" "$WORK/scrapy.sorted" | head -20 >&2
    exit 1
  fi
fi

python3 - "$SC_OUT" "$PAGES" "$CONCURRENCY" "${HN_OUTS[@]}" <<'PY'
import json, sys
scrapy = json.loads(sys.argv[1])
pages, conc = sys.argv[2], sys.argv[3]
stores = {sys.argv[i]: [json.loads(l) for l in sys.argv[i + 1].splitlines() if l.strip()]
          for i in range(4, len(sys.argv), 2)}
who = "Every crawler" if scrapy else "Every hellonet run"
print(f"{who} found the same {pages} pages (concurrency {conc}).\n")
print("| crawler | store | run | pages | elapsed | pages/s | vs memory | vs Scrapy |")
print("|---|---|---|---|---|---|---|---|")
sp = scrapy.get("pagesPerSecond")
memory = {r["run"]: r["pagesPerSecond"] for r in stores.get("memory", [])}
for store, runs in stores.items():
    for r in runs:
        label = "first (cold JVM)" if r["run"] == 1 else f"{r['run']} (same JVM)"
        vm = f"{r['pagesPerSecond'] / memory[r['run']]:.0%}" if r["run"] in memory else "-"
        vs = f"{r['pagesPerSecond'] / sp:.1f}x" if sp else "-"
        print(f"| hellonet | {store} | {label} | {r['ok']} | {r['elapsedMs']} ms | {r['pagesPerSecond']} | {vm} | {vs} |")
if sp:
    print(f"| Scrapy | - | 1 | {scrapy['pages']} | {round(scrapy['elapsedSeconds'] * 1000)} ms | {sp} | - | 1.0x |")
PY
