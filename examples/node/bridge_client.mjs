#!/usr/bin/env node
// Follows a crawl over hellonet's TCP event bus bridge, in plain Node.js 20 (standard library only: net).
//
// The bridge speaks Vert.x's TCP event bus bridge protocol: every frame is a 4-byte big-endian length, then that many
// bytes of UTF-8 JSON. This client
// 1. connects, subscribes to the crawl progress events (hellonet.crawler.progress) and the counters publication
//    (hellonet.counters),
// 2. starts a crawl with a request to hellonet.crawler.start and prints its progress events as they are published,
//    without polling,
// 3. when the crawl has ended, fetches the job (hellonet.crawler.get) and prints its items,
// 4. prints the first counters publication it received.
//
// Exits 0 when the crawl completed, 1 on any failure (reason on stderr), 2 on bad arguments, 130 on Ctrl-C.
//
//   node bridge_client.mjs --host 127.0.0.1 --port 7000 --crawl-url https://example.org/ --field 'title=title::text'
import net from "node:net";
import { parseArgs } from "node:util";

const PROGRESS = "hellonet.crawler.progress";
const COUNTERS = "hellonet.counters";
const MAX_FRAME = 16 * 1024 * 1024;

/** The bridge refused something, did not answer in time, or a check did not hold. */
class Failure extends Error {}

/** Resolves with the promise's value, or fails with `message` after `ms`. */
function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Failure(message)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One connection to the bridge: requests matched to replies by reply address, publications handed to listeners. */
class Bridge {
  constructor(socket, token) {
    this.socket = socket;
    this.token = token;
    this.replies = new Map();
    this.listeners = new Map();
    this.nextId = 1;
    this.error = null;
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4) {
        const length = buffered.readUInt32BE(0);
        if (length > MAX_FRAME) return this.fail(new Failure(`frame of ${length} bytes announced; refusing it`));
        if (buffered.length < 4 + length) break;
        const frame = JSON.parse(buffered.subarray(4, 4 + length).toString("utf8"));
        buffered = buffered.subarray(4 + length);
        this.dispatch(frame);
      }
    });
    socket.on("close", () => this.fail(new Failure("the bridge closed the connection")));
    socket.on("error", (e) => this.fail(new Failure(`connection failed: ${e.message}`)));
  }

  static connect(host, port, token, timeoutMs) {
    return withTimeout(new Promise((resolve, reject) => {
      const socket = net.connect({ host, port }, () => {
        socket.removeListener("error", reject);
        resolve(new Bridge(socket, token));
      });
      socket.once("error", reject);
    }), timeoutMs, `cannot connect to ${host}:${port} within ${timeoutMs} ms`);
  }

  write(frame) {
    if (this.token) frame.headers = { ...frame.headers, token: this.token };
    const json = Buffer.from(JSON.stringify(frame), "utf8");
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(json.length);
    this.socket.write(Buffer.concat([prefix, json]));
  }

  dispatch(frame) {
    const waiter = this.replies.get(frame.address);
    if (waiter) {
      this.replies.delete(frame.address);
      if (frame.type === "err") waiter.reject(new Failure(`${frame.message}: ${frame.reason || JSON.stringify(frame)}`));
      else waiter.resolve(frame.body);
    } else if (frame.type === "message" && this.listeners.has(frame.address)) {
      this.listeners.get(frame.address)(frame.body);
    } else if (frame.type === "err") {
      // An err that answers no request: the connection itself was refused something.
      this.fail(new Failure(`the bridge refused a frame: ${frame.message}: ${frame.reason || JSON.stringify(frame)}`));
    }
  }

  /** Every pending request and every subscriber learns why the connection is over. */
  fail(error) {
    if (this.error) return;
    this.error = error;
    for (const waiter of this.replies.values()) waiter.reject(error);
    this.replies.clear();
    for (const [, onEnd] of this.enders ?? []) onEnd(error);
    this.socket.destroy();
  }

  request(address, body, timeoutMs) {
    if (this.error) return Promise.reject(this.error);
    const replyAddress = `node.${this.nextId++}`;
    const reply = new Promise((resolve, reject) => this.replies.set(replyAddress, { resolve, reject }));
    this.write({ type: "send", address, replyAddress, body, headers: { timeout: timeoutMs } });
    return withTimeout(reply, timeoutMs, `no reply from ${address} within ${timeoutMs} ms`)
      .finally(() => this.replies.delete(replyAddress));
  }

  /** Calls `onMessage` for each publication; `onEnd` if the connection ends first. */
  subscribe(address, onMessage, onEnd) {
    this.listeners.set(address, onMessage);
    (this.enders ??= new Map()).set(address, onEnd);
    this.write({ type: "register", address });
  }

  close() {
    this.error ??= new Failure("closed");
    this.socket.end();
  }
}

function crawlRequest(o) {
  const fields = o.fields.length ? Object.fromEntries(o.fields) : { title: "title::text" };
  const request = { urls: [o.crawlUrl], maxDepth: o.maxDepth, extract: { fields } };
  if (o.items) request.extract.items = o.items;
  return request;
}

/** Starts the crawl, prints its progress as it is published, then prints its items. */
async function followCrawl(bridge, progressEvents, o) {
  const job = await bridge.request("hellonet.crawler.start", crawlRequest(o), o.timeoutMs);
  console.log(`crawl ${job.id}: started`);
  const ended = (async () => {
    for await (const event of progressEvents) {
      const state = event.job;
      if (state.id !== job.id) continue; // another client's crawl
      const s = state.stats;
      console.log(`progress ${job.id}: ${event.event} ${state.status}, ${s.ok + s.failed + s.skipped} pages final, `
        + `${s.items} items`);
      if (state.status !== "running") return state;
    }
    throw bridge.error;
  })();
  await withTimeout(ended, o.crawlTimeoutMs, `crawl ${job.id} still running after ${o.crawlTimeoutMs} ms`);
  const full = await bridge.request("hellonet.crawler.get", { id: job.id }, o.timeoutMs);
  const s = full.stats;
  console.log(`crawl ${full.id}: ${full.status}, ${s.pages} pages (${s.ok} ok, ${s.failed} failed), `
    + `${full.items.length} items`);
  full.items.forEach((item, i) => {
    const sorted = Object.fromEntries(Object.keys(item).sort().map((k) => [k, item[k]]));
    console.log(`item ${i + 1}: ${JSON.stringify(sorted)}`);
  });
  if (full.status !== "completed") throw new Failure(`crawl ended ${full.status}: ${full.error}`);
}

/** Publications on `address` as an async iterator; events published before anyone reads are kept in order. */
function publications(bridge, address) {
  const queue = [];
  let wake = null;
  let end = null;
  bridge.subscribe(address, (body) => { queue.push(body); wake?.(); }, (error) => { end = error; wake?.(); });
  return {
    async *[Symbol.asyncIterator]() {
      while (true) {
        while (queue.length) yield queue.shift();
        if (end) throw end;
        await new Promise((resolve) => { wake = resolve; });
        wake = null;
      }
    },
  };
}

async function firstCounters(countersEvents, timeoutMs) {
  const first = (async () => {
    for await (const snapshot of countersEvents) return snapshot;
  })();
  return withTimeout(first, timeoutMs, `no counters publication within ${timeoutMs} ms`);
}

function options() {
  const usage = "usage: node bridge_client.mjs --crawl-url URL [--host H] [--port P] [--token T] [--timeout S]\n"
    + "  [--items SELECTOR] [--field NAME=SELECTOR]... [--max-depth N] [--crawl-timeout S]";
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "7000" },
        token: { type: "string", default: process.env.HELLONET_API_TOKEN },
        timeout: { type: "string", default: "10" },
        "crawl-url": { type: "string" },
        items: { type: "string" },
        field: { type: "string", multiple: true, default: [] },
        "max-depth": { type: "string", default: "0" },
        "crawl-timeout": { type: "string", default: "60" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    console.error(e.message + "\n" + usage);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const int = (name, min) => {
    const v = Number(values[name]);
    if (!Number.isInteger(v) || v < min) {
      console.error(`--${name}: must be a whole number >= ${min}; got ${JSON.stringify(values[name])}\n${usage}`);
      process.exit(2);
    }
    return v;
  };
  if (!values["crawl-url"]) {
    console.error(`--crawl-url is required\n${usage}`);
    process.exit(2);
  }
  const fields = values.field.map((f) => {
    const eq = f.indexOf("=");
    if (eq <= 0 || !f.slice(eq + 1).trim()) {
      console.error(`--field: write name=selector; got ${JSON.stringify(f)}`);
      process.exit(2);
    }
    return [f.slice(0, eq).trim(), f.slice(eq + 1).trim()];
  });
  return {
    host: values.host, port: int("port", 1), token: values.token, timeoutMs: Number(values.timeout) * 1000,
    crawlUrl: values["crawl-url"], items: values.items, fields, maxDepth: int("max-depth", 0),
    crawlTimeoutMs: Number(values["crawl-timeout"]) * 1000,
  };
}

const o = options();
let bridge;
process.on("SIGINT", () => {
  // Ctrl-C: drop the connection (the bridge unregisters this client's subscriptions) and leave.
  console.error("cancelled");
  bridge?.close();
  process.exit(130);
});
try {
  bridge = await Bridge.connect(o.host, o.port, o.token, o.timeoutMs);
  console.log(`connected to ${o.host}:${o.port}`);
  const progressEvents = publications(bridge, PROGRESS);
  const countersEvents = publications(bridge, COUNTERS);
  // Both at once: the crawl is followed while the counters publication is awaited.
  const [, snapshot] = await Promise.all([followCrawl(bridge, progressEvents, o), firstCounters(countersEvents, o.timeoutMs)]);
  const hello = snapshot.hello?.total ?? {};
  const crawler = snapshot.crawler?.total ?? {};
  console.log(`counters from ${snapshot.node}: hello replies ${hello.replies}, crawl jobs started ${crawler.jobsStarted}`);
  bridge.close();
  console.log("OK");
} catch (e) {
  console.error(`FAILED: ${e instanceof Failure ? e.message : e?.stack || e}`);
  bridge?.close();
  // Whatever still waits (a subscription, a timeout) has nothing more to say.
  process.exit(1);
}
