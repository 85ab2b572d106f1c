#!/usr/bin/env node
// A hellonet client in plain Node.js 20 (standard library only: net and fetch).
//
// 1. Opens several TCP connections to the hello server at once, pipelines requests on each (all written before any
//    reply is read), and checks every reply: one per request, well formed ("Hello World<N>"), increasing on each
//    connection, and no number seen twice across all connections.
// 2. Optionally starts a crawl over the REST API, polls the job until it ends, and prints its items.
//
// Exits 0 when every check passed, 1 on any failure (reason on stderr), 2 on bad arguments.
//
//   node hello_client.mjs --host 127.0.0.1 --port 9000 --connections 8 --requests 1000 \
//       --http http://127.0.0.1:8080 --crawl-url https://example.org/ --field 'title=title::text'
import net from "node:net";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";

const REPLY = /^Hello World([1-9][0-9]*)\r?$/;

/** A check that did not hold, or a server that did not answer as documented. */
class Failure extends Error {}

function oneConnection(host, port, requests, timeoutMs) {
  return new Promise((resolve, reject) => {
    const numbers = [];
    let pending = "";
    let settled = false;
    const socket = net.connect({ host, port });
    const fail = (message) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(new Failure(message));
    };
    socket.setTimeout(timeoutMs, () => fail(`no reply for ${timeoutMs} ms after ${numbers.length} of ${requests}`));
    socket.on("connect", () => {
      // Pipelining: every request goes out before the first reply is read; then half-close.
      socket.end("hello\n".repeat(requests));
    });
    socket.setEncoding("latin1");
    socket.on("data", (chunk) => {
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (numbers.length === requests) return fail(`unexpected bytes after the last reply: ${JSON.stringify(line)}`);
        const m = REPLY.exec(line);
        if (!m) return fail(`malformed reply ${numbers.length + 1}: ${JSON.stringify(line)}`);
        const n = BigInt(m[1]);
        if (numbers.length && n <= numbers[numbers.length - 1]) {
          return fail(`numbers on one connection must increase: ${numbers[numbers.length - 1]} then ${n}`);
        }
        numbers.push(n);
      }
    });
    socket.on("error", (e) => fail(`connection to ${host}:${port}: ${e.message}`));
    socket.on("close", () => {
      if (settled) return;
      if (pending.length) return fail(`the stream ended inside a line: ${JSON.stringify(pending)}`);
      if (numbers.length !== requests) return fail(`connection closed after ${numbers.length} of ${requests} replies`);
      settled = true;
      resolve(numbers);
    });
  });
}

async function helloCheck(o) {
  const results = await Promise.all(Array.from({ length: o.connections },
    () => oneConnection(o.host, o.port, o.requests, o.timeoutMs)));
  const numbers = results.flat();
  const distinct = new Set(numbers);
  const expected = o.connections * o.requests;
  const min = numbers.reduce((a, b) => (b < a ? b : a));
  const max = numbers.reduce((a, b) => (b > a ? b : a));
  console.log(`connections: ${o.connections}, requests: ${expected}, replies: ${numbers.length}, `
    + `distinct numbers: ${distinct.size} (min ${min}, max ${max})`);
  if (numbers.length !== expected) throw new Failure(`expected ${expected} replies, got ${numbers.length}`);
  if (distinct.size !== numbers.length) {
    throw new Failure(`${numbers.length - distinct.size} numbers were handed out twice`);
  }
}

async function httpJson(method, url, body, token) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = "Bearer " + token;
  let response;
  try {
    response = await fetch(url, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    throw new Failure(`${method} ${url} failed: ${e.cause?.message || e.message}`);
  }
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Failure(`${method} ${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  if (!response.ok) throw new Failure(`${method} ${url} answered ${response.status}: ${json.error}: ${json.message}`);
  return { status: response.status, headers: response.headers, json };
}

async function crawl(o) {
  const base = o.http.replace(/\/+$/, "");
  const fields = o.fields.length ? Object.fromEntries(o.fields) : { title: "title::text" };
  const request = { urls: [o.crawlUrl], concurrency: o.concurrency, maxDepth: o.maxDepth, extract: { fields } };
  if (o.items) request.extract.items = o.items;
  const started = await httpJson("POST", base + "/api/crawls", request, o.token);
  if (started.status !== 202) throw new Failure(`POST /api/crawls answered ${started.status}, expected 202`);
  let job = started.json;
  const jobUrl = new URL(started.headers.get("location") || "/api/crawls/" + job.id, base + "/").href;
  console.log(`crawl ${job.id}: started`);
  const deadline = Date.now() + o.crawlTimeoutMs;
  while (job.status === "running") {
    if (Date.now() > deadline) throw new Failure(`crawl ${job.id} still running after ${o.crawlTimeoutMs} ms`);
    await sleep(200);
    job = (await httpJson("GET", jobUrl, undefined, o.token)).json;
  }
  const s = job.stats;
  console.log(`crawl ${job.id}: ${job.status}, ${s.pages} pages (${s.ok} ok, ${s.failed} failed), `
    + `${job.items.length} items`);
  job.items.forEach((item, i) => {
    const sorted = Object.fromEntries(Object.keys(item).sort().map((k) => [k, item[k]]));
    console.log(`item ${i + 1}: ${JSON.stringify(sorted)}`);
  });
  if (job.status !== "completed") throw new Failure(`crawl ended ${job.status}: ${job.error}`);
  if (s.ok === 0) {
    const errors = [...new Set(job.pages.map((p) => p.error || p.status))].sort();
    throw new Failure(`no page was fetched: ${errors.join("; ")}`);
  }
}

function options() {
  const usage = "usage: node hello_client.mjs [--host H] [--port P] [--connections N] [--requests N] [--timeout S]\n"
    + "  [--http URL] [--token T] [--crawl-url URL] [--items SELECTOR] [--field NAME=SELECTOR]...\n"
    + "  [--concurrency N] [--max-depth N] [--crawl-timeout S]";
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "9000" },
        connections: { type: "string", default: "4" },
        requests: { type: "string", default: "100" },
        timeout: { type: "string", default: "10" },
        http: { type: "string" },
        token: { type: "string", default: process.env.HELLONET_API_TOKEN },
        "crawl-url": { type: "string" },
        items: { type: "string" },
        field: { type: "string", multiple: true, default: [] },
        concurrency: { type: "string", default: "4" },
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
  const fields = values.field.map((f) => {
    const eq = f.indexOf("=");
    if (eq <= 0 || !f.slice(eq + 1).trim()) {
      console.error(`--field: write name=selector; got ${JSON.stringify(f)}`);
      process.exit(2);
    }
    return [f.slice(0, eq).trim(), f.slice(eq + 1).trim()];
  });
  return {
    host: values.host, port: int("port", 1), connections: int("connections", 1), requests: int("requests", 1),
    timeoutMs: Number(values.timeout) * 1000, http: values.http || `http://${values.host}:8080`, token: values.token,
    crawlUrl: values["crawl-url"], items: values.items, fields, concurrency: int("concurrency", 1),
    maxDepth: int("max-depth", 0), crawlTimeoutMs: Number(values["crawl-timeout"]) * 1000,
  };
}

const o = options();
try {
  await helloCheck(o);
  if (o.crawlUrl) await crawl(o);
  console.log("OK");
} catch (e) {
  console.error(`FAILED: ${e instanceof Failure ? e.message : e.stack || e}`);
  process.exitCode = 1;
}
