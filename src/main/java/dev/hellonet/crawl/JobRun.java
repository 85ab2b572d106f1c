package dev.hellonet.crawl;

import dev.hellonet.config.HellonetConfig.CrawlerConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs one crawl job to its end: vets and resolves each target, reads robots.txt once per origin, schedules fetches
 * under the job's global and per-host caps, retries with backoff, follows redirects, links and detail pages, extracts
 * items and downloads files. Every page and download gets its own final result; the job ends when none is pending, or
 * at once on cancel or deadline. Runs entirely on the crawler verticle's event loop; only large parses go to workers.
 */
final class JobRun {
  /** Pages at least this big are parsed on a worker thread rather than the event loop. */
  static final int INLINE_PARSE_LIMIT = 64 * 1024;
  private static final long ROBOTS_MAX_BYTES = 512 * 1024;
  private static final int ROBOTS_MAX_REDIRECTS = 5;
  private static final long BACKOFF_BASE_MS = 100;
  private static final long BACKOFF_MAX_MS = 5_000;

  private final Vertx vertx;
  private final CrawlJob job;
  private final JobRequest request;
  private final CrawlerConfig config;
  private final Fetcher fetcher;
  private final TargetPolicy policy;
  private final CrawlerCounters counters;
  private final CrawlEvents events;
  private final Runnable onFinish;

  private final HostLimiter limiter;
  private final Map<String, ArrayDeque<Task>> ready = new LinkedHashMap<>();
  private final Map<String, PageRecord> pageByUrl = new HashMap<>();
  private final Set<String> seedHosts = new HashSet<>();
  private final Map<String, Future<InetAddress>> targets = new HashMap<>();
  private final Map<String, Future<RobotsRules>> robots = new HashMap<>();
  private final Set<Fetcher.InFlight> active = new HashSet<>();
  private final Set<Long> timers = new HashSet<>();
  private final Map<String, JsonObject> detailByUrl = new HashMap<>();
  private final Map<String, List<JsonObject>> detailWaiters = new HashMap<>();
  private final Set<String> downloadUrls = new HashSet<>();
  private final DownloadNames names = new DownloadNames();
  private final String downloadDir;
  private Future<Void> downloadDirReady;
  private int outstanding;
  /** True while the seeds are being added: the job must not count as done before the last one is in. */
  private boolean seeding;
  private long deadlineTimer = -1;

  /** A page fetch or a download, across its retries and redirects. */
  private static final class Task {
    final PageRecord page;
    final DownloadRecord download;
    final JsonObject item;
    String url;
    URI uri;
    int attempt;
    int redirects;
    final List<String> chain = new ArrayList<>();

    Task(PageRecord page, DownloadRecord download, JsonObject item, String url) {
      this.page = page;
      this.download = download;
      this.item = item;
      this.url = url;
      this.uri = URI.create(url);
      chain.add(url);
    }

    String host() {
      return uri.getHost();
    }

    /** Caps and robots.txt are per origin; two ports on one host are two origins. */
    String origin() {
      return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    String pathAndQuery() {
      String p = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      return uri.getRawQuery() == null ? p : p + "?" + uri.getRawQuery();
    }
  }

  JobRun(Vertx vertx, CrawlJob job, CrawlerConfig config, Fetcher fetcher, TargetPolicy policy,
         CrawlerCounters counters, CrawlEvents events, Runnable onFinish) {
    this.vertx = vertx;
    this.job = job;
    this.request = job.request;
    this.config = config;
    this.fetcher = fetcher;
    this.policy = policy;
    this.counters = counters;
    this.events = events;
    this.onFinish = onFinish;
    this.limiter = new HostLimiter(request.concurrency(), request.perHostConcurrency());
    this.downloadDir = config.downloadDir().resolve(job.id).toString();
  }

  void start() {
    if (request.deadlineMs() > 0) {
      deadlineTimer = vertx.setTimer(request.deadlineMs(), id -> {
        deadlineTimer = -1;
        stop("deadline of " + request.deadlineMs() + " ms exceeded");
      });
    }
    seeding = true;
    List<String> seeds = new ArrayList<>();
    for (String raw : request.urls()) {
      String url = UrlNormalizer.normalize(raw);
      if (url != null) {
        seeds.add(url);
        seedHosts.add(URI.create(url).getHost());
      }
    }
    for (String url : seeds) {
      if (pageByUrl.containsKey(url)) {
        continue;
      }
      if (job.pages.size() >= request.maxPages()) {
        PageRecord skipped = new PageRecord(url, 0, true);
        job.pages.add(skipped);
        skipped.status = PageRecord.Status.SKIPPED;
        skipped.error = "maxPages (" + request.maxPages() + ") reached";
        counters.pagesSkipped.add(1);
        continue;
      }
      addPage(url, 0, true);
    }
    seeding = false;
    finishIfDone();
  }

  /** Cancels the job: no new requests, in-flight ones aborted, everything unfinished marked cancelled. */
  void stop(String reason) {
    if (!job.isRunning()) {
      return;
    }
    for (PageRecord page : job.pages) {
      if (!page.isFinal()) {
        page.status = PageRecord.Status.CANCELLED;
        page.error = reason;
        finishTiming(page);
      }
    }
    for (DownloadRecord d : job.downloads) {
      if (!d.isFinal()) {
        d.status = DownloadRecord.Status.CANCELLED;
        d.error = reason;
      }
    }
    ready.clear();
    timers.forEach(vertx::cancelTimer);
    timers.clear();
    for (Fetcher.InFlight f : List.copyOf(active)) {
      f.abort(FetchException.Kind.CANCELLED, reason);
    }
    end(CrawlJob.Status.CANCELLED, reason);
  }

  private void end(CrawlJob.Status status, String reason) {
    if (deadlineTimer != -1) {
      vertx.cancelTimer(deadlineTimer);
      deadlineTimer = -1;
    }
    job.finish(status, reason);
    onFinish.run();
  }

  private void finishIfDone() {
    if (job.isRunning() && outstanding == 0 && !seeding) {
      end(CrawlJob.Status.COMPLETED, null);
    }
  }

  // ---- pages -------------------------------------------------------------------------------------------------

  /** Records a page (the caller checked the page cap and de-duplication) and starts working on it. */
  private PageRecord addPage(String url, int depth, boolean crawl) {
    PageRecord page = new PageRecord(url, depth, crawl);
    job.pages.add(page);
    pageByUrl.put(url, page);
    outstanding++;
    prepare(new Task(page, null, null, url));
    return page;
  }

  private boolean pageCapReached() {
    return job.pages.size() >= request.maxPages();
  }

  private void finishPage(PageRecord page, PageRecord.Status status, String error) {
    if (page.isFinal()) {
      return;
    }
    page.status = status;
    page.error = error;
    finishTiming(page);
    switch (status) {
      case OK -> counters.pagesFetched.add(1);
      case ERROR, TIMEOUT -> counters.pagesFailed.add(1);
      case SKIPPED -> counters.pagesSkipped.add(1);
      default -> { }
    }
    events.pageFinished();
    List<JsonObject> waiting = detailWaiters.remove(page.url);
    if (waiting != null) {
      JsonObject detail = detailByUrl.get(page.url);
      for (JsonObject item : waiting) {
        mergeDetail(item, detail);
        itemDone(item, page.url);
      }
    }
    outstanding--;
    finishIfDone();
  }

  private static void finishTiming(PageRecord page) {
    if (page.startedNanos != 0) {
      page.elapsedMs = (System.nanoTime() - page.startedNanos) / 1_000_000;
    }
  }

  // ---- preparing: target policy, robots.txt, then the ready queue ------------------------------------------

  /** Vets the task's target, checks robots.txt, then queues it for a slot. */
  private void prepare(Task task) {
    target(task.host()).onComplete(t -> {
      if (!job.isRunning()) {
        return;
      }
      if (t.failed()) {
        if (t.cause() instanceof FetchException unresolvable) {
          fail(task, null, unresolvable.getMessage());
        } else {
          skip(task, t.cause().getMessage());
        }
        return;
      }
      if (!request.respectRobots()) {
        enqueue(task);
        return;
      }
      robots(task).onComplete(r -> {
        if (!job.isRunning()) {
          return;
        }
        String refusal = r.succeeded() ? r.result().refusal(task.pathAndQuery()) : null;
        if (refusal != null) {
          skip(task, refusal + " for " + task.url);
        } else {
          enqueue(task);
        }
      });
    });
  }

  private void skip(Task task, String reason) {
    if (task.page != null) {
      finishPage(task.page, PageRecord.Status.SKIPPED, reason);
    } else {
      finishDownload(task.download, DownloadRecord.Status.SKIPPED, reason);
    }
  }

  /** The vetted address of {@code host}, resolved once per job; fails with the policy's reason when denied. */
  private Future<InetAddress> target(String host) {
    return targets.computeIfAbsent(host, h -> {
      String bare = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
      Future<List<InetAddress>> resolved = vertx.executeBlocking(() -> List.of(InetAddress.getAllByName(bare)), false);
      return resolved.transform(ar -> {
        if (ar.failed()) {
          // A name that does not resolve is an error of the page; a refusal by the policy (below) is a skip.
          return Future.failedFuture(new FetchException(FetchException.Kind.CONNECT,
              "cannot resolve " + h + ": " + ar.cause().getMessage(), 0));
        }
        List<InetAddress> addresses = ar.result();
        String refusal = policy.check(bare, addresses);
        if (refusal != null) {
          return Future.failedFuture(refusal);
        }
        // Prefer IPv4: "localhost" often lists ::1 first while test and bench servers bind 127.0.0.1.
        InetAddress chosen = addresses.stream().filter(a -> a instanceof java.net.Inet4Address).findFirst()
            .orElse(addresses.get(0));
        return Future.succeededFuture(chosen);
      });
    });
  }

  private Future<RobotsRules> robots(Task task) {
    String origin = task.origin();
    return robots.computeIfAbsent(origin, o -> fetchRobots(URI.create(o + "/robots.txt"), 0));
  }

  /** robots.txt: 2xx is parsed, 4xx and network failures allow everything, 5xx refuses the origin (RFC 9309). */
  private Future<RobotsRules> fetchRobots(URI uri, int hops) {
    return target(uri.getHost()).compose(address -> {
      BodySink sink = BodySink.inMemory(ROBOTS_MAX_BYTES);
      Fetcher.InFlight f = fetcher.get(uri, server(address, uri), request.timeoutMs(), sink);
      active.add(f);
      countInFlight(1);
      return f.result().eventually(() -> {
        active.remove(f);
        countInFlight(-1);
        return Future.succeededFuture();
      }).compose(r -> {
        if (r.status() >= 300 && r.status() < 400 && r.location() != null && hops < ROBOTS_MAX_REDIRECTS) {
          String next = UrlNormalizer.normalize(uri.toString(), r.location());
          return next == null ? Future.succeededFuture(RobotsRules.allowAll()) : fetchRobots(URI.create(next), hops + 1);
        }
        if (r.status() >= 200 && r.status() < 300) {
          return Future.succeededFuture(RobotsRules.parse(r.body().toString(), config.userAgent()));
        }
        if (r.status() >= 500) {
          return Future.succeededFuture(RobotsRules.disallowAll(
              "robots.txt of " + uri.getRawAuthority() + " answered HTTP " + r.status() + ", so the site is treated as disallowed"));
        }
        return Future.succeededFuture(RobotsRules.allowAll());
      });
    }).recover(e -> Future.succeededFuture(RobotsRules.allowAll()));
  }

  private static SocketAddress server(InetAddress address, URI uri) {
    int port = uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
    return SocketAddress.inetSocketAddress(port, address.getHostAddress());
  }

  // ---- scheduling ----------------------------------------------------------------------------------------------

  private void enqueue(Task task) {
    ready.computeIfAbsent(task.origin(), o -> new ArrayDeque<>()).add(task);
    pump();
  }

  /**
   * Starts queued tasks while the caps allow, one per origin per pass; an origin just served moves to the back, so
   * that origins take turns for freed slots and a busy one does not crowd out the others.
   */
  private void pump() {
    boolean launched = true;
    while (launched && limiter.hasRoom() && !ready.isEmpty() && job.isRunning()) {
      launched = false;
      Iterator<Map.Entry<String, ArrayDeque<Task>>> origins = ready.entrySet().iterator();
      List<Task> toLaunch = new ArrayList<>();
      List<Map.Entry<String, ArrayDeque<Task>>> served = new ArrayList<>();
      while (origins.hasNext() && limiter.hasRoom()) {
        Map.Entry<String, ArrayDeque<Task>> e = origins.next();
        if (limiter.hasRoom(e.getKey())) {
          limiter.acquire(e.getKey());
          toLaunch.add(e.getValue().poll());
          origins.remove();
          served.add(e);
        }
      }
      for (Map.Entry<String, ArrayDeque<Task>> e : served) {
        if (!e.getValue().isEmpty()) {
          ready.put(e.getKey(), e.getValue());
        }
      }
      for (Task task : toLaunch) {
        launched = true;
        launch(task);
      }
    }
  }

  private void launch(Task task) {
    String origin = task.origin();
    task.attempt++;
    Future<InetAddress> address = target(task.host());
    Future<FetchResult> fetched;
    if (task.page != null) {
      task.page.attempts++;
      if (task.page.startedNanos == 0) {
        task.page.startedNanos = System.nanoTime();
      }
      fetched = address.compose(a -> fetch(task, a, BodySink.inMemory(config.maxBodyBytes())));
    } else {
      task.download.attempts++;
      fetched = address.compose(a -> download(task, a));
    }
    fetched.onComplete(ar -> {
      limiter.release(origin);
      if (job.isRunning()) {
        if (task.page != null) {
          pageFetched(task, ar.result(), ar.cause());
        } else {
          downloadFetched(task, ar.result(), ar.cause());
        }
      }
      pump();
    });
  }

  private Future<FetchResult> fetch(Task task, InetAddress address, BodySink sink) {
    if (!job.isRunning()) {
      return Future.failedFuture(new FetchException(FetchException.Kind.CANCELLED, job.error, 0));
    }
    Fetcher.InFlight f = fetcher.get(task.uri, server(address, task.uri), request.timeoutMs(), sink);
    active.add(f);
    countInFlight(1);
    return f.result().andThen(ar -> {
      active.remove(f);
      countInFlight(-1);
      long bytes = ar.succeeded() ? ar.result().bytes() : ((FetchException) ar.cause()).bytes();
      job.bytes += bytes;
      counters.bytes.add(bytes);
    });
  }

  private void countInFlight(int delta) {
    job.inFlight += delta;
    counters.inFlight.add(delta);
  }

  /** Retries after exponential backoff with jitter when attempts remain; returns false when they are used up. */
  private boolean retry(Task task) {
    if (task.attempt > request.retries()) {
      return false;
    }
    long base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS << Math.min(20, task.attempt - 1));
    long delay = Math.max(1, (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble())));
    long[] id = new long[1];
    id[0] = vertx.setTimer(delay, t -> {
      timers.remove(id[0]);
      if (job.isRunning()) {
        enqueue(task);
      }
    });
    timers.add(id[0]);
    return true;
  }

  /** Follows a redirect by re-queuing the task for the new URL; false (with the task finished) when it may not. */
  private void redirect(Task task, FetchResult r) {
    String next = UrlNormalizer.normalize(task.url, r.location());
    String refusal = null;
    if (next == null) {
      refusal = "redirect to an unsupported URL: " + r.location();
    } else if (task.chain.contains(next)) {
      refusal = "redirect loop: " + String.join(" -> ", task.chain) + " -> " + next;
    } else if (task.redirects >= config.maxRedirects()) {
      refusal = "more than " + config.maxRedirects() + " redirects (crawler.maxRedirects)";
    }
    if (refusal != null) {
      fail(task, r.status(), refusal);
      return;
    }
    URI nextUri = URI.create(next);
    if (task.page != null) {
      if (request.scope() == JobRequest.Scope.SAME_HOST && task.page.crawl && !task.page.detail
          && !seedHosts.contains(nextUri.getHost())) {
        task.page.httpStatus = r.status();
        finishPage(task.page, PageRecord.Status.SKIPPED, "redirect to " + next + " leaves scope same-host");
        return;
      }
      PageRecord other = pageByUrl.get(next);
      if (other != null && other != task.page) {
        task.page.httpStatus = r.status();
        task.page.finalUrl = next;
        finishPage(task.page, PageRecord.Status.SKIPPED, "redirects to " + next + ", which is crawled as its own page");
        return;
      }
      pageByUrl.put(next, task.page);
      task.page.finalUrl = next;
    }
    task.redirects++;
    task.chain.add(next);
    task.url = next;
    task.uri = nextUri;
    task.attempt = 0;
    prepare(task);
  }

  private void fail(Task task, Integer httpStatus, String error) {
    if (task.page != null) {
      task.page.httpStatus = httpStatus;
      finishPage(task.page, PageRecord.Status.ERROR, error);
    } else {
      task.download.httpStatus = httpStatus;
      finishDownload(task.download, DownloadRecord.Status.ERROR, error);
    }
  }

  private void pageFetched(Task task, FetchResult r, Throwable failure) {
    PageRecord page = task.page;
    if (failure != null) {
      FetchException e = failure instanceof FetchException fe ? fe
          : new FetchException(FetchException.Kind.IO, String.valueOf(failure.getMessage()), 0);
      page.bytes = e.bytes();
      if (e.retriable() && retry(task)) {
        return;
      }
      finishPage(page, switch (e.kind()) {
        case TIMEOUT -> PageRecord.Status.TIMEOUT;
        case CANCELLED -> PageRecord.Status.CANCELLED;
        default -> PageRecord.Status.ERROR;
      }, e.getMessage() + attemptsNote(task));
      return;
    }
    page.httpStatus = r.status();
    page.bytes = r.bytes();
    if (r.status() >= 300 && r.status() < 400 && r.location() != null) {
      redirect(task, r);
      return;
    }
    if (r.status() >= 500) {
      if (!retry(task)) {
        finishPage(page, PageRecord.Status.ERROR, "HTTP " + r.status() + attemptsNote(task));
      }
      return;
    }
    if (r.status() < 200 || r.status() >= 300) {
      finishPage(page, PageRecord.Status.ERROR, "HTTP " + r.status());
      return;
    }
    if (!Extractor.isHtml(r.contentType())) {
      finishPage(page, PageRecord.Status.OK, null);
      return;
    }
    boolean wantLinks = page.crawl && page.depth < request.maxDepth();
    String base = task.url;
    Future<ParsedPage> parsed = r.bytes() < INLINE_PARSE_LIMIT
        ? Future.succeededFuture(Extractor.parse(r.body(), r.contentType(), base, request.extract(), wantLinks, true))
        : vertx.executeBlocking(() -> Extractor.parse(r.body(), r.contentType(), base, request.extract(), wantLinks,
            true), false);
    parsed.onComplete(ar -> {
      if (!job.isRunning()) {
        return;
      }
      if (ar.failed()) {
        finishPage(page, PageRecord.Status.ERROR, "cannot parse HTML: " + ar.cause().getMessage());
        return;
      }
      apply(page, base, ar.result());
      finishPage(page, PageRecord.Status.OK, null);
    });
  }

  private static String attemptsNote(Task task) {
    return task.attempt > 1 ? " (after " + task.attempt + " attempts)" : "";
  }

  /** Takes in what a parsed page yielded: its items (following their detail links), links and detail fields. */
  private void apply(PageRecord page, String base, ParsedPage parsed) {
    page.title = parsed.title();
    if (parsed.detail() != null) {
      detailByUrl.put(page.url, parsed.detail());
    }
    if (!page.crawl) {
      return;
    }
    ExtractSpec spec = request.extract();
    for (JsonObject item : parsed.items()) {
      job.items.add(item);
      if (spec.follow() != null) {
        String link = UrlNormalizer.normalize(base, item.getString(spec.follow()));
        if (link != null) {
          requestDetail(link, item, page.depth + 1, base);
          continue;
        }
        mergeDetail(item, null);
      }
      itemDone(item, base);
    }
    for (String link : parsed.links()) {
      if (pageByUrl.containsKey(link) || pageCapReached()) {
        continue;
      }
      if (request.scope() == JobRequest.Scope.SAME_HOST && !seedHosts.contains(URI.create(link).getHost())) {
        continue;
      }
      addPage(link, page.depth + 1, true);
    }
  }

  /** Gets the detail fields for {@code item} from the page at {@code url}: already read, pending, or fetched now. */
  private void requestDetail(String url, JsonObject item, int depth, String base) {
    JsonObject known = detailByUrl.get(url);
    PageRecord page = pageByUrl.get(url);
    if (known != null || (page != null && page.isFinal())) {
      mergeDetail(item, known);
      itemDone(item, base);
      return;
    }
    if (page == null) {
      if (pageCapReached()) {
        mergeDetail(item, null);
        itemDone(item, base);
        return;
      }
      detailWaiters.computeIfAbsent(url, u -> new ArrayList<>()).add(item);
      addPage(url, depth, false).detail = true;
      return;
    }
    page.detail = true;
    detailWaiters.computeIfAbsent(url, u -> new ArrayList<>()).add(item);
  }

  private void mergeDetail(JsonObject item, JsonObject detail) {
    for (String name : request.extract().detail().keySet()) {
      item.put(name, detail == null ? null : detail.getValue(name));
    }
  }

  /** An item has all its fields: start its download, if the job asked for one. */
  private void itemDone(JsonObject item, String base) {
    if (request.downloadField() == null) {
      return;
    }
    String url = UrlNormalizer.normalize(base, item.getString(request.downloadField()));
    if (url == null) {
      return;
    }
    if (!downloadUrls.add(url)) {
      DownloadRecord duplicate = new DownloadRecord(url, null);
      duplicate.status = DownloadRecord.Status.SKIPPED;
      duplicate.error = "same URL as an earlier download of this job";
      job.downloads.add(duplicate);
      return;
    }
    DownloadRecord record = new DownloadRecord(url, names.claim(url));
    job.downloads.add(record);
    outstanding++;
    Task task = new Task(null, record, item, url);
    vertx.fileSystem().exists(finalPath(record)).onComplete(ar -> {
      if (!job.isRunning()) {
        return;
      }
      if (ar.succeeded() && ar.result()) {
        finishDownload(record, DownloadRecord.Status.SKIPPED, "file exists: " + finalPath(record));
      } else {
        prepare(task);
      }
    });
  }

  // ---- downloads -------------------------------------------------------------------------------------------------

  private String finalPath(DownloadRecord record) {
    return downloadDir + "/" + record.file;
  }

  /** Streams the body into {@code <file>.part}, renamed to the final name once complete; never held in memory. */
  private Future<FetchResult> download(Task task, InetAddress address) {
    FileSystem fs = vertx.fileSystem();
    if (downloadDirReady == null) {
      downloadDirReady = fs.mkdirs(downloadDir);
    }
    String part = finalPath(task.download) + ".part";
    return downloadDirReady
        .compose(v -> fs.open(part, new OpenOptions().setWrite(true).setCreate(true).setTruncateExisting(true)))
        .compose(file -> fetch(task, address, BodySink.toFile(file, config.maxDownloadBytes()))
            .transform(ar -> closeDownload(file, part, task, ar.result(), ar.cause())));
  }

  private Future<FetchResult> closeDownload(AsyncFile file, String part, Task task, FetchResult r, Throwable failure) {
    FileSystem fs = vertx.fileSystem();
    Future<Void> closed = file.close().recover(e -> Future.succeededFuture());
    boolean keep = failure == null && r.status() >= 200 && r.status() < 300 && job.isRunning();
    Future<Void> settled = keep
        ? closed.compose(v -> fs.move(part, finalPath(task.download)))
        : closed.compose(v -> fs.delete(part)).recover(e -> Future.succeededFuture());
    Promise<FetchResult> out = Promise.promise();
    settled.onComplete(ar -> {
      if (failure != null) {
        out.fail(failure);
      } else if (ar.failed()) {
        out.fail(new FetchException(FetchException.Kind.IO, "cannot store the file: " + ar.cause().getMessage(),
            r.bytes()));
      } else {
        out.complete(r);
      }
    });
    return out.future();
  }

  private void downloadFetched(Task task, FetchResult r, Throwable failure) {
    DownloadRecord d = task.download;
    if (failure != null) {
      FetchException e = failure instanceof FetchException fe ? fe
          : new FetchException(FetchException.Kind.IO, String.valueOf(failure.getMessage()), 0);
      d.bytes = e.bytes();
      if (e.retriable() && retry(task)) {
        return;
      }
      finishDownload(d, e.kind() == FetchException.Kind.CANCELLED ? DownloadRecord.Status.CANCELLED
          : DownloadRecord.Status.ERROR, e.getMessage() + attemptsNote(task));
      return;
    }
    d.httpStatus = r.status();
    d.bytes = r.bytes();
    if (r.status() >= 300 && r.status() < 400 && r.location() != null) {
      redirect(task, r);
      return;
    }
    if (r.status() >= 500 && retry(task)) {
      return;
    }
    if (r.status() < 200 || r.status() >= 300) {
      finishDownload(d, DownloadRecord.Status.ERROR, "HTTP " + r.status() + attemptsNote(task));
      return;
    }
    counters.downloads.add(1);
    finishDownload(d, DownloadRecord.Status.OK, null);
  }

  private void finishDownload(DownloadRecord d, DownloadRecord.Status status, String error) {
    if (d.isFinal()) {
      return;
    }
    d.status = status;
    d.error = error;
    outstanding--;
    finishIfDone();
  }
}
