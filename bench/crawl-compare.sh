#!/usr/bin/env bash
# Crawl benchmark: hellonet's crawler against Scrapy on the same generated static site, served by nginx on loopback,
# at the same concurrency, in the same run. Both must find the same set of pages.
#   bench/crawl-compare.sh [PAGES (3000)] [CONCURRENCY (64)] [HELLONET_RUNS (3)]
# Needs nginx and python3-scrapy (Debian packages). Everything it starts listens on 127.0.0.1 only and is stopped on
# exit; its files live in a temporary directory that is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES=${1:-3000}
CONCURRENCY=${2:-64}
RUNS=${3:-3}

# Debian's Scrapy lives in the system Python, which may not be the python3 first on PATH (pyenv and the like).
SCRAPY_PYTHON=${SCRAPY_PYTHON:-/usr/bin/python3}
missing=()
command -v nginx >/dev/null || missing+=(nginx)
"$SCRAPY_PYTHON" -c 'import scrapy' 2>/dev/null || missing+=(python3-scrapy)
[ ${#missing[@]} -eq 0 ] || bench/apt-install.sh "${missing[@]}"
"$SCRAPY_PYTHON" -c 'import scrapy' 2>/dev/null || { echo "crawl-compare: $SCRAPY_PYTHON still cannot import scrapy" >&2; exit 1; }

WORK=$(mktemp -d /tmp/hellonet-crawl-bench.XXXXXX)
chmod 755 "$WORK"  # nginx workers run as an unprivileged user and must read the site
NGINX_PID=""
cleanup() {
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; fi
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
# The site is on loopback, which the crawler denies unless crawler.allow names it.
HN_OUT=$(HELLONET_CRAWLER_ALLOW=127.0.0.0/8 ./hellonet java --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -cp target/hellonet.jar dev.hellonet.bench.CrawlRunner \
  --concurrency "$CONCURRENCY" --runs "$RUNS" --urls-out "$WORK/hellonet.txt" "$URL")
echo "$HN_OUT" >&2
SC_OUT=$("$SCRAPY_PYTHON" bench/crawl_spider.py "$URL" "$CONCURRENCY" "$WORK/scrapy.txt" 2>"$WORK/scrapy.log" | tail -1)
echo "$SC_OUT" >&2

sort -u "$WORK/hellonet.txt" > "$WORK/hellonet.sorted"
sort -u "$WORK/scrapy.txt" > "$WORK/scrapy.sorted"
if ! cmp -s "$WORK/hellonet.sorted" "$WORK/scrapy.sorted"; then
  echo "crawl-compare: the crawlers found different pages:" >&2
  diff "$WORK/hellonet.sorted" "$WORK/scrapy.sorted" | head -20 >&2
  exit 1
fi
FOUND=$(wc -l < "$WORK/hellonet.sorted")
[ "$FOUND" -eq "$PAGES" ] || { echo "crawl-compare: both found $FOUND pages, expected $PAGES" >&2; exit 1; }

python3 - "$HN_OUT" "$SC_OUT" "$PAGES" "$CONCURRENCY" <<'PY'
import json, sys
runs = [json.loads(l) for l in sys.argv[1].splitlines() if l.strip()]
scrapy = json.loads(sys.argv[2])
pages, conc = sys.argv[3], sys.argv[4]
print(f"Both crawlers found the same {pages} pages (concurrency {conc}).\n")
print("| crawler | run | pages | elapsed | pages/s | vs Scrapy |")
print("|---|---|---|---|---|---|")
sp = scrapy["pagesPerSecond"]
for r in runs:
    label = "first (cold JVM)" if r["run"] == 1 else f"{r['run']} (same JVM)"
    print(f"| hellonet | {label} | {r['ok']} | {r['elapsedMs']} ms | {r['pagesPerSecond']} | {r['pagesPerSecond'] / sp:.1f}x |")
print(f"| Scrapy | 1 | {scrapy['pages']} | {round(scrapy['elapsedSeconds'] * 1000)} ms | {sp} | 1.0x |")
PY
