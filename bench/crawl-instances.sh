#!/usr/bin/env bash
# Crawler instances benchmark: pages/s of several crawls at once with crawler.instances=1 and with N, on the same
# generated static site served by nginx on loopback, in one run.
#   bench/crawl-instances.sh [PAGES (2000)] [JOBS (4)] [INSTANCES (cores)] [ROUNDS (2)]
# Every job crawls the whole site; one job runs on one instance, so more instances let the jobs use more cores. Each
# setting runs ROUNDS times, alternating, in one fresh JVM per run. Needs nginx. Listens on 127.0.0.1 only; removes
# its temporary directory on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES=${1:-2000}
JOBS=${2:-4}
INSTANCES=${3:-$(nproc)}
ROUNDS=${4:-2}
command -v nginx >/dev/null || bench/apt-install.sh nginx

WORK=$(mktemp -d /tmp/hellonet-crawl-instances.XXXXXX)
chmod 755 "$WORK"
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

echo "site: $PAGES pages at $URL, $JOBS jobs at once, 1 instance against $INSTANCES, $ROUNDS round(s)" >&2
echo "| round | crawler.instances | jobs | pages | elapsed | pages/s |"
echo "|---|---|---|---|---|---|"
for r in $(seq 1 "$ROUNDS"); do
  for n in 1 "$INSTANCES"; do
    # The site is on loopback, which the crawler denies unless crawler.allow names it.
    out=$(HELLONET_CRAWLER_ALLOW=127.0.0.0/8 ./hellonet java --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -cp target/hellonet.jar \
      dev.hellonet.cluster.ParallelCrawls --instances "$n" --jobs "$JOBS" --concurrency 32 "$URL")
    python3 - "$out" "$r" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
print(f"| {sys.argv[2]} | {d['instances']} | {d['jobs']} | {d['ok']} | {d['elapsedMs']} ms | {d['pagesPerSecond']} |")
PY
  done
done
