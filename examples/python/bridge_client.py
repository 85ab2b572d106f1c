#!/usr/bin/env python3
"""Follows a crawl over hellonet's TCP event bus bridge, in plain Python (standard library only: asyncio streams).

The bridge speaks Vert.x's TCP event bus bridge protocol: every frame is a 4-byte big-endian length, then that many
bytes of UTF-8 JSON. This client

1. connects, subscribes to the crawl progress events (hellonet.crawler.progress) and the counters publication
   (hellonet.counters),
2. starts a crawl with a request to hellonet.crawler.start and prints its progress events as they are published,
   without polling,
3. when the crawl has ended, fetches the job (hellonet.crawler.get) and prints its items,
4. prints the first counters publication it received.

Exits 0 when the crawl completed, 1 on any failure (with the reason on stderr), 2 on bad arguments, 130 on Ctrl-C.

    python3 bridge_client.py --host 127.0.0.1 --port 7000 --crawl-url https://example.org/ --field title='title::text'
"""
import argparse
import asyncio
import itertools
import json
import os
import signal
import struct
import sys

PROGRESS = "hellonet.crawler.progress"
COUNTERS = "hellonet.counters"
CRAWL_START = "hellonet.crawler.start"
CRAWL_GET = "hellonet.crawler.get"
MAX_FRAME = 16 * 1024 * 1024


class Failure(Exception):
    """The bridge refused something, did not answer in time, or a check did not hold."""


class Bridge:
    """One connection to the bridge: requests matched to replies by reply address, publications queued per address."""

    def __init__(self, reader, writer, token):
        self.reader = reader
        self.writer = writer
        self.token = token
        self.replies = {}
        self.subscriptions = {}
        self.ids = itertools.count(1)
        self.error = None

    @classmethod
    async def connect(cls, host, port, token, timeout):
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        return cls(reader, writer, token)

    async def send_frame(self, frame):
        if self.token:
            frame.setdefault("headers", {})["token"] = self.token
        data = json.dumps(frame).encode("utf-8")
        self.writer.write(struct.pack(">I", len(data)) + data)
        await self.writer.drain()

    async def read_frames(self):
        """Runs until the connection ends: hands each frame to whoever waits for it, then the reason to all of them."""
        try:
            while True:
                try:
                    (length,) = struct.unpack(">I", await self.reader.readexactly(4))
                    if length > MAX_FRAME:
                        raise Failure(f"frame of {length} bytes announced; refusing it")
                    frame = json.loads(await self.reader.readexactly(length))
                except asyncio.IncompleteReadError:
                    raise Failure("the bridge closed the connection") from None
                self.dispatch(frame)
        except (Failure, OSError, ValueError) as e:
            self.error = e
            for waiter in self.replies.values():
                if not waiter.done():
                    waiter.set_exception(e)
            for queue in self.subscriptions.values():
                queue.put_nowait(e)

    @staticmethod
    async def next_publication(queue):
        item = await queue.get()
        if isinstance(item, Exception):
            raise item
        return item

    def dispatch(self, frame):
        kind, address = frame.get("type"), frame.get("address")
        waiter = self.replies.pop(address, None)
        if waiter is not None:
            if kind == "err":
                waiter.set_exception(Failure(f"{frame.get('message')}: {frame.get('reason') or frame}"))
            else:
                waiter.set_result(frame)
        elif kind == "message" and address in self.subscriptions:
            self.subscriptions[address].put_nowait(frame.get("body"))
        elif kind == "err":
            # An err that answers no request: the connection itself was refused something.
            raise Failure(f"the bridge refused a frame: {frame.get('message')}: {frame.get('reason') or frame}")

    async def request(self, address, body, timeout):
        if self.error:
            raise self.error
        reply_address = f"py.{next(self.ids)}"
        waiter = asyncio.get_running_loop().create_future()
        self.replies[reply_address] = waiter
        await self.send_frame({"type": "send", "address": address, "replyAddress": reply_address, "body": body,
                               "headers": {"timeout": int(timeout * 1000)}})
        try:
            return (await asyncio.wait_for(waiter, timeout)).get("body")
        except asyncio.TimeoutError:
            raise Failure(f"no reply from {address} within {timeout} s") from None
        finally:
            self.replies.pop(reply_address, None)

    async def subscribe(self, address):
        queue = asyncio.Queue()
        self.subscriptions[address] = queue
        await self.send_frame({"type": "register", "address": address})
        return queue

    async def close(self):
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except OSError:
            pass


def crawl_request(args):
    request = {"urls": [args.crawl_url], "maxDepth": args.max_depth}
    request["extract"] = {"fields": dict(args.field) if args.field else {"title": "title::text"}}
    if args.items:
        request["extract"]["items"] = args.items
    return request


async def follow_crawl(bridge, progress, args):
    """Starts the crawl, prints its progress as it is published, then prints its items."""
    job = await bridge.request(CRAWL_START, crawl_request(args), args.timeout)
    job_id = job["id"]
    print(f"crawl {job_id}: started", flush=True)

    async def until_ended():
        while True:
            event = await Bridge.next_publication(progress)
            state = event["job"]
            if state["id"] != job_id:
                continue  # another client's crawl
            stats = state["stats"]
            print(f"progress {job_id}: {event['event']} {state['status']}, "
                  f"{stats['ok'] + stats['failed'] + stats['skipped']} pages final, {stats['items']} items", flush=True)
            if state["status"] != "running":
                return state

    try:
        await asyncio.wait_for(until_ended(), args.crawl_timeout)
    except asyncio.TimeoutError:
        raise Failure(f"crawl {job_id} still running after {args.crawl_timeout} s") from None
    job = await bridge.request(CRAWL_GET, {"id": job_id}, args.timeout)
    stats = job["stats"]
    print(f"crawl {job_id}: {job['status']}, {stats['pages']} pages ({stats['ok']} ok, {stats['failed']} failed), "
          f"{len(job['items'])} items", flush=True)
    for i, item in enumerate(job["items"], 1):
        print(f"item {i}: {json.dumps(item, ensure_ascii=False, sort_keys=True)}", flush=True)
    if job["status"] != "completed":
        raise Failure(f"crawl ended {job['status']}: {job.get('error')}")
    return job


async def first_counters(counters, timeout):
    """The first counters publication: the node publishes one every counters.publishIntervalMs."""
    try:
        snapshot = await asyncio.wait_for(Bridge.next_publication(counters), timeout)
    except asyncio.TimeoutError:
        raise Failure(f"no counters publication within {timeout} s") from None
    return snapshot


async def run(args):
    bridge = await Bridge.connect(args.host, args.port, args.token, args.timeout)
    print(f"connected to {args.host}:{args.port}", flush=True)
    reader = asyncio.create_task(bridge.read_frames())
    try:
        progress = await bridge.subscribe(PROGRESS)
        counters = await bridge.subscribe(COUNTERS)
        # Both run at once; if the bridge refuses something or closes the connection, the reader fails them both.
        _, snapshot = await asyncio.gather(follow_crawl(bridge, progress, args), first_counters(counters, args.timeout))
        crawler = snapshot.get("crawler", {}).get("total", {})
        hello = snapshot.get("hello", {}).get("total", {})
        print(f"counters from {snapshot.get('node')}: hello replies {hello.get('replies')}, "
              f"crawl jobs started {crawler.get('jobsStarted')}", flush=True)
    finally:
        reader.cancel()
        await bridge.close()


def field(text):
    name, sep, selector = text.partition("=")
    if not sep or not name.strip() or not selector.strip():
        raise argparse.ArgumentTypeError(f"write name=selector; got {text!r}")
    return name.strip(), selector.strip()


def main():
    p = argparse.ArgumentParser(description="hellonet over the TCP event bus bridge: follow a crawl, read counters")
    p.add_argument("--host", default="127.0.0.1", help="bridge host (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7000, help="bridge port (default 7000, bridge.port)")
    p.add_argument("--token", default=os.environ.get("HELLONET_API_TOKEN"),
                   help="the API token, sent on every frame (default: $HELLONET_API_TOKEN)")
    p.add_argument("--timeout", type=float, default=10, help="seconds to wait for a connection or a reply")
    p.add_argument("--crawl-url", required=True, help="the URL to crawl")
    p.add_argument("--items", help="CSS selector of the items on a page (default: each page is one item)")
    p.add_argument("--field", type=field, action="append", metavar="NAME=SELECTOR",
                   help="a field of each item, repeatable (default title=title::text)")
    p.add_argument("--max-depth", type=int, default=0, help="crawl link depth (default 0: only the URL)")
    p.add_argument("--crawl-timeout", type=float, default=60, help="seconds to wait for the crawl (default 60)")
    args = p.parse_args()
    # Ctrl-C must reach us even when started with SIGINT ignored (a background job of a non-interactive shell).
    signal.signal(signal.SIGINT, signal.default_int_handler)

    try:
        asyncio.run(run(args))
    except KeyboardInterrupt:
        # asyncio.run has cancelled the tasks and closed the connection on its way out.
        print("cancelled", file=sys.stderr)
        return 130
    except (Failure, OSError, asyncio.TimeoutError) as e:
        print(f"FAILED: {e or type(e).__name__}", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
