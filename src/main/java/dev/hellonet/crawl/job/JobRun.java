package dev.hellonet.crawl.job;

import dev.hellonet.config.HellonetConfig.CrawlerConfig;
import dev.hellonet.crawl.extract.UrlNormalizer;
import dev.hellonet.crawl.fetch.BodySink;
import dev.hellonet.crawl.fetch.Budget;
import dev.hellonet.crawl.fetch.FetchException;
import dev.hellonet.crawl.fetch.FetchResult;
import dev.hellonet.crawl.fetch.Fetcher;
import dev.hellonet.crawl.fetch.RetryAfter;
import dev.hellonet.net.HttpUris;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs one crawl job to its end and holds its rooms together: {@link TargetChecks} (DNS, policy, robots.txt),
 * {@link Scheduler} (caps, turns, retries), {@link PageWork} (parsing, links, detail pages) and {@link Downloads}.
 * Here live what they share: the fetches in flight, one reading of each fetch's outcome ({@link FetchOutcome}),
 * redirects, and the count of unfinished pages and downloads that decides when the job is done. Every page and
 * download gets its own final result; the job ends when none is pending, or at once on cancel or deadline. Runs on
 * the crawler verticle's event loop.
 */
public final class JobRun {
  private final Vertx vertx;
  private final CrawlJob job;
  private final JobRequest request;
  private final CrawlerConfig config;
  private final Fetcher fetcher;
  private final CrawlerCounters counters;
  private final Budget pageMemory;
  private final Runnable onFinish;

  private final TargetChecks checks;
  private final HostPacing pacing;
  private final Scheduler scheduler;
  private final Downloads downloads;
  private final PageWork pages;
  private final Set<Fetcher.InFlight> active = new HashSet<>();
  private int outstanding;
  /** True while the seeds are being added: the job must not count as done before the last one is in. */
  private boolean seeding;
  private long deadlineTimer = -1;
  /** Tasks launched whose work (fetch, then parse) is not over yet: a hand-over waits for them. */
  private int launched;
  /** Set by a hand-over: no task is launched any more; completed once none is in flight. */
  private Promise<Void> drained;

  public JobRun(Vertx vertx, CrawlJob job, NodeResources node, CrawlEvents events, Runnable onFinish) {
    job.journal.onFenced(this::abandonAndFinish);
    this.vertx = vertx;
    this.job = job;
    this.request = job.request;
    this.config = node.config();
    this.fetcher = node.fetcher();
    this.counters = node.counters();
    this.pageMemory = node.pageMemory();
    this.onFinish = onFinish;
    var politeness = config.limits().politeness();
    this.pacing = new HostPacing(Math.max(request.delayMs(), politeness.minDelayMs()), politeness.maxCrawlDelayMs(),
        politeness.maxPauseMs(), request.autoThrottle(), () -> System.nanoTime() / 1_000_000);
    job.politeness(pacing::toJson);
    this.scheduler = new Scheduler(vertx, new HostLimiter(request.concurrency(), request.perHostConcurrency()),
        pacing, request.retries(), () -> job.isRunning() && drained == null, this::launch);
    this.checks = new TargetChecks(vertx, node.policy(), node.parsePool(), config.userAgent(),
        request.respectRobots(), this::request, new TargetChecks.Slots() {
          @Override
          public Future<Void> slot(String key) {
            return scheduler.slot(key);
          }

          @Override
          public void release(String key) {
            scheduler.release(key);
          }

          @Override
          public void crawlDelay(String origin, long ms) {
            pacing.crawlDelay(origin, ms);
          }
        }, TargetChecks.SYSTEM);
    this.downloads = new Downloads(vertx, this, job, node, config.downloadDir().resolve(job.id).toString());
    this.pages = new PageWork(node.parsePool(), this, job, counters, downloads, config.limits(), node.records(),
        node.parseGate(), events);
  }

  public void start() {
    startDeadline(request.deadlineMs());
    seeding = true;
    pages.seed();
    seeding = false;
    job.journal.start();
    finishIfDone();
  }

  /**
   * Goes on with a job loaded from its store ({@link CrawlJob#restore}): every page and download not final starts again,
   * the deadline counts from the job's creation.
   */
  public void resume() {
    java.util.Map<io.vertx.core.json.JsonObject, String> waiting = job.restoredWaiting;
    job.restoredWaiting = java.util.Map.of();
    long left = request.deadlineMs() <= 0 ? 0 : request.deadlineMs() - job.elapsedMs();
    if (request.deadlineMs() > 0 && left <= 0) {
      stop("deadline of " + request.deadlineMs() + " ms exceeded");
      return;
    }
    startDeadline(left);
    seeding = true;
    if (job.pages.isEmpty()) {
      pages.seed(); // its owner stopped before the seeds were first written: they are the same seeds again
    } else {
      pages.resume(waiting);
    }
    downloads.resume();
    seeding = false;
    job.journal.start();
    finishIfDone();
  }

  private void startDeadline(long ms) {
    if (ms > 0) {
      deadlineTimer = vertx.setTimer(ms, id -> {
        deadlineTimer = -1;
        stop("deadline of " + request.deadlineMs() + " ms exceeded");
      });
    }
  }

  private void cancelDeadline() {
    if (deadlineTimer != -1) {
      vertx.cancelTimer(deadlineTimer);
      deadlineTimer = -1;
    }
  }

  /**
   * Hands the job over on a graceful stop: no new fetch starts, the fetches in flight finish and are taken in (for at
   * most {@code timeoutMs}; those still going then are cut and stay pending, to be fetched by the next owner), and the
   * job as it is then is written. Completes once written; the job is not this node's any more. If the job ends while
   * it drains, it ends as usual.
   */
  public Future<Void> handOver(long timeoutMs) {
    if (!job.isRunning()) {
      return Future.succeededFuture();
    }
    drained = Promise.promise();
    checkDrained();
    long timer = vertx.setTimer(Math.max(1, timeoutMs), t -> drained.tryComplete());
    return drained.future().compose(v -> {
      vertx.cancelTimer(timer);
      if (job.status != CrawlJob.Status.RUNNING) {
        return Future.succeededFuture();
      }
      detach();
      return job.journal.flush();
    }).eventually(() -> {
      job.journal.close();
      return Future.succeededFuture();
    });
  }

  /** Stops the job's writes once it has ended (after its last flush). */
  public void closeJournal() {
    job.journal.close();
  }

  /** Another owner has the job: stop everything here at once and write nothing more. */
  public void abandon() {
    job.journal.close();
    detach();
  }

  /** What the verticle does when it learns from a write that the job is someone else's: drop it. */
  private Runnable onLost = () -> { };

  /** What to do when a write finds the job taken over by another owner (after this run has let go of it). */
  public void onLost(Runnable action) {
    this.onLost = action;
  }

  private void abandonAndFinish() {
    detach();
    onLost.run();
  }

  private void detach() {
    cancelDeadline();
    job.detach();
    scheduler.clear();
    for (Fetcher.InFlight f : List.copyOf(active)) {
      f.abort(FetchException.Kind.CANCELLED, "handed over to another node");
    }
  }

  private void checkDrained() {
    if (drained != null && launched == 0 && active.isEmpty()) {
      drained.tryComplete();
    }
  }

  /** The job this run runs. */
  public CrawlJob job() {
    return job;
  }

  /** Cancels the job: no new requests, in-flight ones aborted, everything unfinished marked cancelled. */
  public void stop(String reason) {
    if (!job.isRunning()) {
      return;
    }
    for (PageRecord page : job.pages) {
      if (!page.isFinal()) {
        page.status = PageRecord.Status.CANCELLED;
        page.error = reason;
        PageWork.finishTiming(page);
        job.journal.page(page);
      }
    }
    for (DownloadRecord d : job.downloads) {
      if (!d.isFinal()) {
        d.status = DownloadRecord.Status.CANCELLED;
        d.error = reason;
        job.journal.download(d);
      }
    }
    scheduler.clear();
    for (Fetcher.InFlight f : List.copyOf(active)) {
      f.abort(FetchException.Kind.CANCELLED, reason);
    }
    end(CrawlJob.Status.CANCELLED, reason);
  }

  private void end(CrawlJob.Status status, String reason) {
    cancelDeadline();
    job.finish(status, reason);
    onFinish.run();
    if (drained != null) {
      drained.tryComplete();
    }
  }

  private void finishIfDone() {
    if (job.isRunning() && outstanding == 0 && !seeding) {
      end(CrawlJob.Status.COMPLETED, null);
    }
  }

  /** A new page or download is pending: count it and start checking its target. */
  void begin(Task task) {
    outstanding++;
    prepare(task);
  }

  /** A download is pending but not yet ready to be checked (its file is looked for first). */
  void hold() {
    outstanding++;
  }

  /** A pending page or download reached its final status. */
  void settled() {
    outstanding--;
    finishIfDone();
  }

  /** Vets the task's target and robots.txt, then queues it for a slot. */
  void prepare(Task task) {
    checks.vet(task).onComplete(v -> {
      if (!job.isRunning()) {
        return;
      }
      TargetChecks.Verdict verdict = v.result();
      if (verdict.go()) {
        scheduler.enqueue(task);
      } else if (verdict.error()) {
        fail(task, null, verdict.reason());
      } else {
        skip(task, verdict.reason());
      }
    });
  }

  /** Runs one attempt of a task that the scheduler gave a slot. */
  private void launch(Task task) {
    String origin = task.origin();
    long launchedAt = System.nanoTime();
    task.attempt++;
    launched++;
    Future<InetAddress> address = checks.address(task.host());
    Future<FetchResult> fetched;
    BodySink body = null;
    if (task.isPage()) {
      pages.attempting(task.page);
      // Page bodies count against the node's page memory from their first byte until they are parsed.
      body = BodySink.inMemory(config.maxBodyBytes()).drawingFrom(pageMemory);
      BodySink sink = body;
      fetched = address.compose(a -> fetch(task.uri, a, sink));
    } else {
      fetched = address.compose(a -> downloads.fetch(task, a));
    }
    BodySink held = body;
    // The slot is held until the page is parsed too, so that parsing paces fetching and parsed-but-waiting pages
    // can never pile up in memory.
    fetched.transform(ar -> job.isRunning()
            ? handle(task, FetchOutcome.of(ar.result(), ar.cause()), (System.nanoTime() - launchedAt) / 1_000_000)
            : Future.<Void>succeededFuture())
        .onComplete(done -> {
          if (held != null) {
            held.release();
          }
          launched--;
          scheduler.release(origin);
          checkDrained();
        });
  }

  /** One reading of a fetch's outcome for pages and downloads alike; completes when the page's work is done. */
  private Future<Void> handle(Task task, FetchOutcome outcome, long latencyMs) {
    if (outcome.failure() != null && outcome.failure().limitKey() != null) {
      job.limited(outcome.failure().limitKey(), 1);
    }
    pace(task.origin(), outcome, latencyMs);
    if (task.isPage()) {
      task.page.bytes = outcome.bytes();
      if (outcome.httpStatus() != null) {
        task.page.httpStatus = outcome.httpStatus();
      }
    } else {
      task.download.bytes = outcome.bytes();
      if (outcome.httpStatus() != null) {
        task.download.httpStatus = outcome.httpStatus();
      }
    }
    switch (outcome.kind()) {
      case SUCCESS -> {
        if (task.isPage()) {
          return pages.fetched(task, outcome.result());
        }
        downloads.fetched(task);
      }
      case REDIRECT -> redirect(task, outcome.result());
      case RETRIABLE -> {
        if (!scheduler.retry(task)) {
          fail(task, outcome);
        }
      }
      case FAILED -> fail(task, outcome);
    }
    return Future.succeededFuture();
  }

  /** Tells the origin's pacing how it answered: overloaded, failing, or fine. */
  private void pace(String origin, FetchOutcome outcome, long latencyMs) {
    if (outcome.httpStatus() != null) {
      pacing.responded(origin, latencyMs, outcome.kind() == FetchOutcome.Kind.SUCCESS);
    }
    if (outcome.overloaded()) {
      pacing.overloaded(origin, RetryAfter.millis(outcome.result() == null ? null : outcome.result().retryAfter(),
          java.time.Instant.now()));
    } else if (outcome.kind() == FetchOutcome.Kind.RETRIABLE) {
      pacing.failed(origin);
    } else if (outcome.httpStatus() != null) {
      pacing.answered(origin);
    }
  }

  private void fail(Task task, FetchOutcome outcome) {
    String error = outcome.error() + task.attemptsNote();
    if (task.isPage()) {
      pages.finish(task.page, outcome.pageStatus(), error);
    } else {
      downloads.finish(task.download, outcome.downloadStatus(), error);
    }
  }

  private void fail(Task task, Integer httpStatus, String error) {
    if (task.isPage()) {
      task.page.httpStatus = httpStatus;
      pages.finish(task.page, PageRecord.Status.ERROR, error);
    } else {
      task.download.httpStatus = httpStatus;
      downloads.finish(task.download, DownloadRecord.Status.ERROR, error);
    }
  }

  private void skip(Task task, String reason) {
    if (task.isPage()) {
      pages.finish(task.page, PageRecord.Status.SKIPPED, reason);
    } else {
      downloads.finish(task.download, DownloadRecord.Status.SKIPPED, reason);
    }
  }

  /** Follows a redirect by preparing the task again for the new URL, unless it may not be followed. */
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
    if (task.isPage() && !pages.mayRedirect(task, r.status(), next)) {
      return;
    }
    task.redirectTo(next);
    prepare(task);
  }

  /** A fetch whose body bytes count towards the job's and the node's totals. */
  Future<FetchResult> fetch(URI uri, InetAddress address, BodySink sink) {
    if (!job.isRunning()) {
      return Future.failedFuture(new FetchException(FetchException.Kind.CANCELLED, job.error, 0));
    }
    return request(uri, address, sink).andThen(ar -> {
      long bytes = ar.succeeded() ? ar.result().bytes() : ar.cause() instanceof FetchException e ? e.bytes() : 0;
      job.bytes += bytes;
      counters.bytes.add(bytes);
    });
  }

  /** One GET to a vetted address, counted in flight and aborted with the job. */
  private Future<FetchResult> request(URI uri, InetAddress address, BodySink sink) {
    Fetcher.InFlight f = fetcher.get(uri, server(address, uri), request.timeoutMs(), sink);
    active.add(f);
    countInFlight(1);
    return f.result().andThen(ar -> {
      active.remove(f);
      countInFlight(-1);
      checkDrained();
    });
  }

  private void countInFlight(int delta) {
    job.inFlight += delta;
    counters.inFlight.add(delta);
  }

  private static SocketAddress server(InetAddress address, URI uri) {
    return SocketAddress.inetSocketAddress(HttpUris.port(uri), address.getHostAddress());
  }
}
