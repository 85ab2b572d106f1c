#!/usr/bin/env python3
"""A hellonet client in plain Python (standard library only).

1. Opens several TCP connections to the hello server at once (asyncio), pipelines requests on each (all of them are
   written before any reply is read), and checks every reply: one per request, well formed ("Hello World<N>"),
   increasing on each connection, and no number seen twice across all connections.
2. Optionally starts a crawl over the REST API (urllib, in a worker thread so the event loop never blocks), polls the
   job until it ends, and prints its items.

Exits 0 when every check passed, 1 on any failure (with the reason on stderr), 2 on bad arguments.

    python3 hello_client.py --host 127.0.0.1 --port 9000 --connections 8 --requests 1000 \
        --http http://127.0.0.1:8080 --crawl-url https://example.org/ --field title='title::text'
"""
import argparse
import asyncio
import json
import os
import re
import sys
import urllib.error
import urllib.request

REPLY = re.compile(rb"^Hello World([1-9][0-9]*)\r?\n$")


class Failure(Exception):
    """A check that did not hold, or a server that did not answer as documented."""


async def one_connection(host, port, requests, timeout):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        # Pipelining: every request goes out before the first reply is read.
        writer.write(b"hello\n" * requests)
        await writer.drain()
        numbers = []
        for i in range(requests):
            line = await asyncio.wait_for(reader.readline(), timeout)
            if not line:
                raise Failure(f"connection closed after {i} of {requests} replies")
            m = REPLY.match(line)
            if not m:
                raise Failure(f"malformed reply {i + 1}: {line!r}")
            n = int(m.group(1))
            if numbers and n <= numbers[-1]:
                raise Failure(f"numbers on one connection must increase: {numbers[-1]} then {n}")
            numbers.append(n)
        # Half-close: the server answers what it has and closes; nothing more may arrive.
        writer.write_eof()
        extra = await asyncio.wait_for(reader.read(), timeout)
        if extra:
            raise Failure(f"unexpected bytes after the last reply: {extra[:80]!r}")
        return numbers
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass


async def hello_check(args):
    results = await asyncio.gather(*(one_connection(args.host, args.port, args.requests, args.timeout)
                                     for _ in range(args.connections)))
    numbers = [n for per_connection in results for n in per_connection]
    distinct = set(numbers)
    expected = args.connections * args.requests
    print(f"connections: {args.connections}, requests: {expected}, replies: {len(numbers)}, "
          f"distinct numbers: {len(distinct)} (min {min(numbers)}, max {max(numbers)})", flush=True)
    if len(numbers) != expected:
        raise Failure(f"expected {expected} replies, got {len(numbers)}")
    if len(distinct) != len(numbers):
        raise Failure(f"{len(numbers) - len(distinct)} numbers were handed out twice")


def http_json(method, url, body=None, token=None, timeout=10):
    """One REST call; returns (status, headers, JSON). An error answer becomes a Failure naming its code and message."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Accept": "application/json"})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as e:
        text = e.read().decode(errors="replace")
        try:
            err = json.loads(text)
            detail = f'{err.get("error")}: {err.get("message")}'
        except ValueError:
            detail = text[:200]
        raise Failure(f"{method} {url} answered {e.code}: {detail}") from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise Failure(f"{method} {url} failed: {e}") from None


async def crawl(args):
    base = args.http.rstrip("/")
    request = {"urls": [args.crawl_url], "concurrency": args.concurrency, "maxDepth": args.max_depth}
    fields = dict(args.field) if args.field else {"title": "title::text"}
    request["extract"] = {"fields": fields}
    if args.items:
        request["extract"]["items"] = args.items
    status, headers, job = await asyncio.to_thread(http_json, "POST", base + "/api/crawls", request, args.token)
    if status != 202:
        raise Failure(f"POST /api/crawls answered {status}, expected 202")
    location = headers.get("Location") or "/api/crawls/" + job["id"]
    job_url = location if location.startswith("http") else base + location
    print(f"crawl {job['id']}: started", flush=True)
    deadline = asyncio.get_running_loop().time() + args.crawl_timeout
    while job["status"] == "running":
        if asyncio.get_running_loop().time() > deadline:
            raise Failure(f"crawl {job['id']} still running after {args.crawl_timeout} s")
        await asyncio.sleep(0.2)
        _, _, job = await asyncio.to_thread(http_json, "GET", job_url, None, args.token)
    stats = job["stats"]
    print(f"crawl {job['id']}: {job['status']}, {stats['pages']} pages ({stats['ok']} ok, {stats['failed']} failed), "
          f"{len(job['items'])} items", flush=True)
    for i, item in enumerate(job["items"], 1):
        print(f"item {i}: {json.dumps(item, ensure_ascii=False, sort_keys=True)}", flush=True)
    if job["status"] != "completed":
        raise Failure(f"crawl ended {job['status']}: {job.get('error')}")
    if stats["ok"] == 0:
        errors = sorted({p.get("error") or p["status"] for p in job["pages"]})
        raise Failure(f"no page was fetched: {'; '.join(map(str, errors))}")


def field(text):
    name, sep, selector = text.partition("=")
    if not sep or not name.strip() or not selector.strip():
        raise argparse.ArgumentTypeError(f"write name=selector; got {text!r}")
    return name.strip(), selector.strip()


def main():
    p = argparse.ArgumentParser(description="hellonet client: pipelined hello requests, then a crawl over REST")
    p.add_argument("--host", default="127.0.0.1", help="hello server host (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=9000, help="hello server TCP port (default 9000)")
    p.add_argument("--connections", type=int, default=4, help="connections opened at once (default 4)")
    p.add_argument("--requests", type=int, default=100, help="requests pipelined per connection (default 100)")
    p.add_argument("--timeout", type=float, default=10, help="seconds to wait for a connection or a reply")
    p.add_argument("--http", default=None, help="REST API base URL (default http://HOST:8080)")
    p.add_argument("--token", default=os.environ.get("HELLONET_API_TOKEN"),
                   help="bearer token for POST (default: $HELLONET_API_TOKEN)")
    p.add_argument("--crawl-url", help="start a crawl of this URL after the hello check (none: no crawl)")
    p.add_argument("--items", help="CSS selector of the items on a page (default: each page is one item)")
    p.add_argument("--field", type=field, action="append", metavar="NAME=SELECTOR",
                   help="a field of each item, repeatable (default title=title::text)")
    p.add_argument("--concurrency", type=int, default=4, help="crawl concurrency (default 4)")
    p.add_argument("--max-depth", type=int, default=0, help="crawl link depth (default 0: only the URL)")
    p.add_argument("--crawl-timeout", type=float, default=60, help="seconds to wait for the crawl (default 60)")
    args = p.parse_args()
    if args.connections < 1 or args.requests < 1:
        p.error("--connections and --requests must be at least 1")
    args.http = args.http or f"http://{args.host}:8080"

    async def run():
        await hello_check(args)
        if args.crawl_url:
            await crawl(args)

    try:
        asyncio.run(run())
    except (Failure, OSError, asyncio.TimeoutError) as e:
        print(f"FAILED: {e or type(e).__name__}", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
