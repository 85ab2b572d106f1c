// The hellonet dashboard: short polling over the REST API (the same JSON any client gets), rendered with DOM calls
// only (never innerHTML with server data: crawled items are untrusted text).
"use strict";

(function () {
  const COUNTERS_EVERY_MS = 1000;
  const JOBS_EVERY_MS = 2000;
  const STATUS_EVERY_MS = 10000;
  const WATCH_EVERY_MS = 700;
  const $ = (id) => document.getElementById(id);
  const number = new Intl.NumberFormat();

  /** An error answer of the API ({"error", "message", "details"}) or a failure to reach it. */
  class ApiError extends Error {
    constructor(status, code, message, details) {
      super(message);
      this.status = status;
      this.code = code;
      this.details = Array.isArray(details) ? details : [];
    }
  }

  async function api(method, path, body) {
    const init = { method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, "unreachable", "cannot reach the server (" + e.message + ")", []);
    }
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch (e) {
      json = null;
    }
    if (!response.ok) {
      if (json && typeof json.error === "string") {
        throw new ApiError(response.status, json.error, json.message || json.error, json.details);
      }
      throw new ApiError(response.status, "http_" + response.status,
        "HTTP " + response.status + " " + response.statusText + " from " + method + " " + path, []);
    }
    if (json === null) throw new ApiError(response.status, "bad_response", "the server's answer is not JSON", []);
    return json;
  }

  // Details are free-form; the API's validation details are {"field", "problem"}.
  function describeDetail(d) {
    if (typeof d === "string") return d;
    if (d && typeof d === "object") {
      const what = d.problem || d.message || d.error;
      if (d.field && what) return d.field + ": " + what;
      return Object.entries(d).map(([k, v]) => k + ": " + (typeof v === "string" ? v : JSON.stringify(v))).join(", ");
    }
    return JSON.stringify(d);
  }

  function showError(el, err, context) {
    if (!err) {
      el.hidden = true;
      el.replaceChildren();
      return;
    }
    const head = document.createElement("p");
    const strong = document.createElement("strong");
    strong.textContent = context + ": ";
    head.append(strong, err.message);
    if (err.status) {
      const code = document.createElement("code");
      code.className = "error-code";
      code.textContent = err.status + " " + err.code;
      head.append(" ", code);
    }
    el.replaceChildren(head);
    if (err.details && err.details.length) {
      const list = document.createElement("ul");
      for (const d of err.details) {
        const li = document.createElement("li");
        li.textContent = describeDetail(d);
        list.append(li);
      }
      el.append(list);
    }
    el.hidden = false;
  }

  // One banner for the background polls; each poll clears only its own error.
  const pollErrors = new Map();
  function pollFailed(name, err) {
    if (err) pollErrors.set(name, err); else pollErrors.delete(name);
    const first = pollErrors.entries().next();
    showError($("api-error"), first.done ? null : first.value[1], first.done ? "" : first.value[0]);
  }

  function loop(name, everyMs, task) {
    const run = async () => {
      try {
        await task();
        pollFailed(name, null);
      } catch (e) {
        pollFailed(name, e instanceof ApiError ? e : new ApiError(0, "client", String(e && e.message || e), []));
      }
      setTimeout(run, everyMs);
    };
    run();
  }

  // --- counters --------------------------------------------------------------------------------------------------

  /** A role's summed figures: {"hello": {"total": {...}, "instances": [...]}} (the event-bus snapshot's shape). */
  function totals(snapshot, role) {
    const section = snapshot && snapshot[role];
    if (!section || typeof section !== "object") return null;
    return section.total || section.totals || section;
  }

  // Counter names that are reasons a connection was refused or cut: closedRateLimit, rejectedFoo, rejections.bar...
  const REASON_KEY = /^(closed|rejected|rejections?|refused|dropped)([A-Z].*)$/;
  const kebab = (s) => s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/([A-Z])([A-Z][a-z])/g, "$1-$2").toLowerCase();

  function rejectionReasons(hello) {
    const reasons = [];
    for (const [key, value] of Object.entries(hello || {})) {
      const m = REASON_KEY.exec(key);
      if (m && typeof value === "number") reasons.push([kebab(m[2]), value]);
      else if (/^(rejections?|rejected)$/i.test(key) && value && typeof value === "object") {
        for (const [reason, count] of Object.entries(value)) {
          if (typeof count === "number") reasons.push([kebab(reason), count]);
        }
      }
    }
    // Before flood protection, over-long requests are the only refusal the server counts.
    if (reasons.length === 0 && typeof (hello || {}).badRequests === "number") {
      reasons.push(["bad-requests", hello.badRequests]);
    }
    return reasons.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }

  const chart = new LineChart($("rps-chart"), { windowSeconds: 60 });
  let previous = null; // {t, replies}

  function setText(id, value) {
    const el = $(id);
    const text = typeof value === "number" ? number.format(value) : value == null ? "–" : String(value);
    if (el.textContent !== text) el.textContent = text;
    // The raw figure, unformatted, for scripts and tests.
    if (typeof value === "number") el.dataset.value = String(value); else delete el.dataset.value;
  }

  async function refreshCounters() {
    const snapshot = await api("GET", "/api/counters");
    const hello = totals(snapshot, "hello") || {};
    const t = typeof snapshot.time === "number" ? snapshot.time : Date.now();
    const replies = typeof hello.replies === "number" ? hello.replies : null;
    setText("replies-total", replies);
    setText("requests-total", hello.requests);
    setText("conn-open", hello.connectionsActive);
    setText("conn-accepted", hello.connectionsAccepted);
    setText("conn-closed", hello.connectionsClosed);
    if (replies !== null) {
      // The same snapshot twice (no new time) is not a new sample; a restarted node (fewer replies) restarts the rate.
      if (previous && t > previous.t && replies >= previous.replies) {
        const rate = ((replies - previous.replies) * 1000) / (t - previous.t);
        chart.push(t, rate);
        updateChartFigures(rate);
      }
      if (!previous || t > previous.t || replies < previous.replies) previous = { t, replies };
    }
    renderRejections(rejectionReasons(hello));
    renderNodes(snapshot.cluster && Array.isArray(snapshot.cluster.nodes) ? snapshot.cluster.nodes : []);
    const crawler = totals(snapshot, "crawler") || {};
    setText("crawler-running", crawler.jobsRunning);
    setText("crawler-inflight", crawler.inFlight);
    setText("crawler-fetched", crawler.pagesFetched);
    setText("crawler-failed", crawler.pagesFailed);
    renderStatus();
  }

  function updateChartFigures(rate) {
    const canvas = $("rps-chart");
    const rounded = Math.round(rate);
    const peak = Math.round(chart.max());
    canvas.dataset.points = String(chart.samples.length);
    canvas.dataset.last = String(rounded);
    canvas.dataset.max = String(peak);
    canvas.setAttribute("aria-label", "Replies per second over the last minute: now " + number.format(rounded)
      + ", peak " + number.format(peak));
    setText("rps-now", rounded);
    setText("rps-peak", peak);
  }

  function renderRejections(reasons) {
    const body = $("rejections").tBodies[0];
    const rows = reasons.map(([reason, count]) => {
      const tr = document.createElement("tr");
      tr.dataset.reason = reason;
      const name = document.createElement("td");
      name.textContent = reason;
      const value = document.createElement("td");
      value.className = "num" + (count > 0 ? " nonzero" : "");
      value.textContent = number.format(count);
      tr.append(name, value);
      return tr;
    });
    if (rows.length === 0) {
      const tr = document.createElement("tr");
      tr.className = "empty";
      const td = document.createElement("td");
      td.colSpan = 2;
      td.textContent = "none reported";
      tr.append(td);
      rows.push(tr);
    }
    body.replaceChildren(...rows);
  }

  // Every node of the cluster (one when standalone): live ones first, then unreachable, then departed.
  function renderNodes(nodes) {
    const order = { live: 0, unreachable: 1, departed: 2 };
    const rows = nodes.slice().sort((a, b) => (order[a.state] ?? 3) - (order[b.state] ?? 3)
        || String(a.node).localeCompare(String(b.node))).map((n) => {
      const tr = document.createElement("tr");
      tr.dataset.state = n.state;
      const name = document.createElement("td");
      name.textContent = n.node || n.id;
      name.title = n.id;
      const state = document.createElement("td");
      state.textContent = n.state;
      if (n.state === "departed" && n.final === false) {
        // Killed or crashed after its last publish: what it served since then is in no total, and the page says so.
        tr.dataset.final = "false";
        state.textContent = "departed; figures as of " + (typeof n.time === "number"
          ? new Date(n.time).toLocaleTimeString() : "its last publish") + ", may be short";
        state.title = "left without a final publish (killed?): replies after that time are not counted";
      }
      const replies = document.createElement("td");
      replies.className = "num";
      const r = totals(n, "hello");
      replies.textContent = r && typeof r.replies === "number" ? number.format(r.replies) : "–";
      tr.append(name, state, replies);
      return tr;
    });
    if (rows.length) $("nodes").tBodies[0].replaceChildren(...rows);
  }

  // --- status ----------------------------------------------------------------------------------------------------

  function duration(ms) {
    const s = Math.floor(ms / 1000);
    if (s < 60) return s + " s";
    const m = Math.floor(s / 60);
    if (m < 60) return m + " min " + (s % 60) + " s";
    const h = Math.floor(m / 60);
    return h < 48 ? h + " h " + (m % 60) + " min" : Math.floor(h / 24) + " d " + (h % 24) + " h";
  }

  // The status is fetched now and then; the uptime shown runs on between fetches.
  let status = null;
  let statusAt = 0;

  async function refreshStatus() {
    status = await api("GET", "/api/status");
    statusAt = Date.now();
    renderStatus();
  }

  function renderStatus() {
    if (!status) return;
    const parts = [];
    if (status.version) parts.push("version " + status.version);
    if (typeof status.uptimeMs === "number") parts.push("up " + duration(status.uptimeMs + Date.now() - statusAt));
    if (typeof status.transport === "string") parts.push("transport " + status.transport);
    if (status.accepting === false) parts.push("shutting down");
    const el = $("node-status");
    el.textContent = parts.join(" · ") || "connected";
    const warnings = (status.kernelDefences && status.kernelDefences.warnings) || [];
    const box = $("kernel-warnings");
    const lines = Array.isArray(warnings) ? warnings.map((w) => (typeof w === "string" ? w : JSON.stringify(w))) : [];
    if (lines.join("\n") !== box.dataset.shown) {
      box.dataset.shown = lines.join("\n");
      const list = document.createElement("ul");
      for (const line of lines) {
        const li = document.createElement("li");
        li.textContent = line;
        list.append(li);
      }
      const head = document.createElement("strong");
      head.textContent = "Kernel defences: ";
      box.replaceChildren(head, lines.length + " warning" + (lines.length > 1 ? "s" : ""), list);
      box.hidden = lines.length === 0;
    }
  }

  // --- crawl jobs --------------------------------------------------------------------------------------------------

  function done(stats) {
    return (stats.ok || 0) + (stats.failed || 0) + (stats.skipped || 0) + (stats.cancelled || 0);
  }

  function cell(text, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    if (text instanceof Node) td.append(text); else td.textContent = text;
    return td;
  }

  function jobRow(job) {
    const stats = job.stats || {};
    const tr = document.createElement("tr");
    tr.dataset.id = job.id;
    tr.dataset.status = job.status;
    if (job.id === watched) tr.className = "selected";

    const view = document.createElement("button");
    view.type = "button";
    view.className = "link";
    view.textContent = job.id;
    view.title = "show this job's items";
    view.addEventListener("click", () => watch(job.id));

    const badge = document.createElement("span");
    badge.className = "badge " + job.status;
    badge.textContent = job.status;
    if (job.error) badge.title = job.error;

    const progress = document.createElement("progress");
    const total = stats.pages || 0;
    progress.max = Math.max(total, 1);
    progress.value = job.status === "running" ? done(stats) : progress.max;
    progress.setAttribute("aria-label", "pages done for " + job.id);
    progress.textContent = done(stats) + " of " + total;

    const actions = document.createElement("td");
    if (job.status === "running") {
      const cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "small";
      cancel.textContent = "Cancel";
      cancel.setAttribute("aria-label", "cancel " + job.id);
      cancel.addEventListener("click", () => cancelJob(job.id, cancel));
      actions.append(cancel);
    }

    tr.append(cell(view), cell(badge), cell(progress),
      cell(number.format(done(stats)) + " / " + number.format(total), "num"),
      cell(number.format(stats.items || 0), "num"), cell(number.format(stats.failed || 0), "num"),
      cell(duration(stats.elapsedMs || 0), "num"), actions);
    return tr;
  }

  async function refreshJobs() {
    const list = await api("GET", "/api/crawls?limit=20");
    const jobs = Array.isArray(list.jobs) ? list.jobs : [];
    const body = $("jobs").tBodies[0];
    if (jobs.length === 0) {
      const tr = document.createElement("tr");
      tr.className = "empty";
      tr.append(cell("no crawl jobs yet"));
      tr.firstChild.colSpan = 8;
      body.replaceChildren(tr);
    } else {
      body.replaceChildren(...jobs.map(jobRow));
    }
  }

  async function cancelJob(id, button) {
    button.disabled = true;
    try {
      await api("DELETE", "/api/crawls/" + encodeURIComponent(id));
      pollFailed("Cancel " + id, null);
    } catch (e) {
      pollFailed("Cancel " + id, e);
    }
    refreshJobs().catch(() => {});
    if (id === watched) refreshWatched().catch(() => {});
  }

  // --- the watched job's items ------------------------------------------------------------------------------------

  let watched = null;
  let watchTimer = null;
  let shownColumns = [];
  let shownItems = 0;

  function watch(id) {
    watched = id;
    shownColumns = [];
    shownItems = 0;
    $("items").tHead.replaceChildren();
    $("items").tBodies[0].replaceChildren();
    for (const tr of $("jobs").tBodies[0].rows) tr.classList.toggle("selected", tr.dataset.id === id);
    clearTimeout(watchTimer);
    refreshWatched().catch(() => {});
  }

  async function refreshWatched() {
    const id = watched;
    let job;
    try {
      job = await api("GET", "/api/crawls/" + encodeURIComponent(id));
      pollFailed("Job " + id, null);
    } catch (e) {
      if (id !== watched) return;
      pollFailed("Job " + id, e);
      if (e.status === 404) return; // evicted or never existed: stop watching
      watchTimer = setTimeout(() => refreshWatched().catch(() => {}), WATCH_EVERY_MS * 3);
      return;
    }
    if (id !== watched) return;
    renderItems(job);
    if (job.status === "running") {
      watchTimer = setTimeout(() => refreshWatched().catch(() => {}), WATCH_EVERY_MS);
    }
  }

  function isLink(value) {
    return typeof value === "string" && /^https?:\/\/\S+$/i.test(value);
  }

  function renderItems(job) {
    const items = Array.isArray(job.items) ? job.items : [];
    const stats = job.stats || {};
    const status = $("items-status");
    status.dataset.id = job.id;
    status.dataset.status = job.status;
    status.textContent = job.id + " " + job.status + ": " + number.format(items.length) + " item"
      + (items.length === 1 ? "" : "s") + ", " + number.format(done(stats)) + " of " + number.format(stats.pages || 0)
      + " pages done" + (stats.failed ? ", " + number.format(stats.failed) + " failed" : "")
      + (job.error ? " (" + job.error + ")" : "");

    const columns = [...shownColumns];
    for (const item of items) for (const key of Object.keys(item)) if (!columns.includes(key)) columns.push(key);
    const table = $("items");
    if (columns.length !== shownColumns.length) {
      // A new field appeared (e.g. a detail field): rebuild with the wider header.
      shownColumns = columns;
      shownItems = 0;
      const head = document.createElement("tr");
      const hash = document.createElement("th");
      hash.scope = "col";
      hash.className = "num";
      hash.textContent = "#";
      head.append(hash);
      for (const c of columns) {
        const th = document.createElement("th");
        th.scope = "col";
        th.textContent = c;
        head.append(th);
      }
      table.tHead.replaceChildren(head);
      table.tBodies[0].replaceChildren();
    }
    // Items only ever get appended while a job runs, so only the new ones are drawn.
    for (let i = shownItems; i < items.length; i++) {
      const tr = document.createElement("tr");
      tr.className = "item";
      tr.append(cell(String(i + 1), "num"));
      for (const c of shownColumns) {
        const value = items[i][c];
        if (isLink(value)) {
          const a = document.createElement("a");
          a.href = value;
          a.rel = "noopener noreferrer nofollow";
          a.target = "_blank";
          a.textContent = value;
          tr.append(cell(a));
        } else {
          tr.append(cell(value == null ? "–" : String(value), value == null ? "missing" : ""));
        }
      }
      table.tBodies[0].append(tr);
    }
    shownItems = items.length;
  }

  // --- the form --------------------------------------------------------------------------------------------------

  class FormError extends Error {}

  function integerField(form, name, into) {
    const raw = form.elements[name].value.trim();
    if (raw === "") return;
    if (!/^-?\d+$/.test(raw)) throw new FormError(name + ": must be a whole number; got \"" + raw + "\"");
    into[name] = Number(raw);
  }

  function requestFromForm(form) {
    const urls = form.elements.urls.value.split(/\s*\n\s*/).map((u) => u.trim()).filter(Boolean);
    if (urls.length === 0) throw new FormError("urls: at least one URL");
    const request = { urls };
    integerField(form, "concurrency", request);
    integerField(form, "maxDepth", request);
    integerField(form, "maxPages", request);
    const items = form.elements.items.value.trim();
    const fields = {};
    form.elements.fields.value.split("\n").forEach((line, i) => {
      if (!line.trim()) return;
      const eq = line.indexOf("=");
      if (eq <= 0) throw new FormError("fields, line " + (i + 1) + ": write name = selector; got \"" + line.trim() + "\"");
      fields[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    });
    if (Object.keys(fields).length > 0) {
      request.extract = { fields };
      if (items) request.extract.items = items;
    } else if (items) {
      throw new FormError("fields: an item selector needs at least one name = selector field");
    }
    return request;
  }

  $("crawl-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const errorBox = $("form-error");
    const submit = $("crawl-submit");
    let request;
    try {
      request = requestFromForm(form);
    } catch (e) {
      showError(errorBox, new ApiError(0, "form", e.message, []), "Check the form");
      return;
    }
    submit.disabled = true;
    submit.textContent = "Starting…";
    try {
      const job = await api("POST", "/api/crawls", request);
      showError(errorBox, null);
      watch(job.id);
      renderItems(job);
      refreshJobs().catch(() => {});
    } catch (e) {
      showError(errorBox, e, "The crawl was not started");
    } finally {
      submit.disabled = false;
      submit.textContent = "Start crawl";
    }
  });

  loop("Counters", COUNTERS_EVERY_MS, refreshCounters);
  loop("Crawl jobs", JOBS_EVERY_MS, refreshJobs);
  loop("Status", STATUS_EVERY_MS, refreshStatus);
})();
