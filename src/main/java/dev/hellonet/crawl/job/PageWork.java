package dev.hellonet.crawl.job;

import dev.hellonet.config.HellonetConfig.CrawlerLimits;
import dev.hellonet.crawl.extract.ExtractSpec;
import dev.hellonet.crawl.extract.Extractor;
import dev.hellonet.crawl.extract.ParsedPage;
import dev.hellonet.crawl.extract.UrlNormalizer;
import dev.hellonet.crawl.fetch.Budget;
import dev.hellonet.crawl.fetch.FetchResult;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pages of one job: which are recorded (caps, de-duplication, scope), how a fetched page is parsed and what it
 * yields (items, links, detail fields), and how items wait for their detail page before they are complete.
 * Event-loop confined; parsing runs off the event loop.
 */
final class PageWork {
  private final WorkerExecutor parsePool;
  private final CrawlerLimits limits;
  private final Budget records;
  private final ParseGate parseGate;
  private final CrawlEvents events;
  private int detailPages;
  private final JobRun run;
  private final CrawlJob job;
  private final JobRequest request;
  private final CrawlerCounters counters;
  private final Downloads downloads;
  private final Map<String, PageRecord> pageByUrl = new HashMap<>();
  private final Set<String> seedHosts = new HashSet<>();
  private final Map<String, JsonObject> detailByUrl = new HashMap<>();
  private final Map<String, List<JsonObject>> detailWaiters = new HashMap<>();

  PageWork(WorkerExecutor parsePool, JobRun run, CrawlJob job, CrawlerCounters counters, Downloads downloads,
           CrawlerLimits limits, Budget records, ParseGate parseGate, CrawlEvents events) {
    this.parsePool = parsePool;
    this.events = events;
    this.parseGate = parseGate;
    this.records = records;
    this.limits = limits;
    this.run = run;
    this.job = job;
    this.request = job.request;
    this.counters = counters;
    this.downloads = downloads;
  }

  /** Records the seed URLs (normalised, de-duplicated, up to maxPages) and starts them. */
  void seed() {
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
      if (!records.take(1)) {
        job.limited(records.key(), 1);
        continue;
      }
      if (capReached()) {
        PageRecord skipped = new PageRecord(url, 0, true);
        record(skipped);
        skipped.status = PageRecord.Status.SKIPPED;
        skipped.error = "maxPages (" + request.maxPages() + ") reached";
        counters.pagesSkipped.add(1);
        continue;
      }
      add(url, 0, true, null);
    }
  }

  /** Appends a page to the job's pages, in the place a window finds it, and has it written. */
  private void record(PageRecord page) {
    page.seq = job.pages.size();
    job.pages.add(page);
    job.journal.page(page);
  }

  /**
   * Takes in a job loaded from its store (its pages, items and what they wait for are in {@code job} already) and
   * starts again every page not yet final: those waiting, and those in flight when the last owner stopped.
   */
  void resume(Map<JsonObject, String> waiting) {
    for (String raw : request.urls()) {
      String url = UrlNormalizer.normalize(raw);
      if (url != null) {
        seedHosts.add(URI.create(url).getHost());
      }
    }
    for (PageRecord page : job.pages) {
      pageByUrl.put(page.url, page);
      if (page.finalUrl != null) {
        pageByUrl.putIfAbsent(page.finalUrl, page);
      }
      if (page.detailFields != null) {
        detailByUrl.put(page.url, page.detailFields);
      }
      if (page.detail && !page.crawl) {
        detailPages++;
      }
    }
    waiting.forEach((item, url) -> detailWaiters.computeIfAbsent(url, u -> new ArrayList<>()).add(item));
    for (PageRecord page : job.pages) {
      if (!page.isFinal()) {
        run.begin(Task.page(page));
      }
    }
  }

  /**
   * Records a page (the caller checked the page cap and de-duplication, and took its record) and starts working on
   * it.
   */
  private PageRecord add(String url, int depth, boolean crawl, String referrer) {
    PageRecord page = new PageRecord(url, depth, crawl);
    page.referrer = referrer;
    record(page);
    pageByUrl.put(url, page);
    run.begin(Task.page(page));
    return page;
  }

  private boolean capReached() {
    return job.pages.size() >= request.maxPages();
  }

  /** Counts an attempt of the page and starts its clock on the first one. */
  void attempting(PageRecord page) {
    page.attempts++;
    if (page.startedNanos == 0) {
      page.startedNanos = System.nanoTime();
    }
  }

  /** Gives the page its final status, completes the items waiting for its detail fields, and settles it. */
  void finish(PageRecord page, PageRecord.Status status, String error) {
    if (page.isFinal()) {
      return;
    }
    page.status = status;
    page.error = error;
    finishTiming(page);
    job.journal.page(page);
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
        downloads.itemDone(item, page.url);
      }
    }
    run.settled();
  }

  static void finishTiming(PageRecord page) {
    if (page.startedNanos != 0) {
      page.elapsedMs = (System.nanoTime() - page.startedNanos) / 1_000_000;
    }
  }

  /**
   * Whether a redirect of the page to {@code next} may be followed; if not, the page is finished (skipped) here.
   * Pages crawled under scope same-host stay on the seeds' hosts, and a URL already recorded is not fetched twice.
   */
  boolean mayRedirect(Task task, int httpStatus, String next) {
    PageRecord page = task.page;
    if (request.scope() == JobRequest.Scope.SAME_HOST && page.crawl && !page.detail
        && !seedHosts.contains(URI.create(next).getHost())) {
      page.httpStatus = httpStatus;
      finish(page, PageRecord.Status.SKIPPED, "redirect to " + next + " leaves scope same-host");
      return false;
    }
    PageRecord other = pageByUrl.get(next);
    if (other != null && other != page) {
      page.httpStatus = httpStatus;
      page.finalUrl = next;
      finish(page, PageRecord.Status.SKIPPED, "redirects to " + next + ", which is crawled as its own page");
      return false;
    }
    pageByUrl.put(next, page);
    page.finalUrl = next;
    job.journal.page(page);
    return true;
  }

  /**
   * A page answered 2xx: parse it when it is HTML (on the parse pool, whatever its size: selector evaluation cost
   * depends on the page's structure, not only its bytes), take in what it yields, and finish it. Completes when done.
   */
  Future<Void> fetched(Task task, FetchResult r) {
    PageRecord page = task.page;
    if (!Extractor.isHtml(r.contentType())) {
      finish(page, PageRecord.Status.OK, null);
      return Future.succeededFuture();
    }
    boolean wantLinks = page.crawl && page.depth < request.maxDepth();
    String base = task.url;
    long size = r.bytes();
    Future<ParsedPage> parsed = parseGate.admit(size)
        .compose(v -> parsePool.executeBlocking(() -> Extractor.parse(r.body(), r.contentType(), base,
            request.extract(), wantLinks, true, limits.maxItemsPerPage()), false))
        .andThen(ar -> parseGate.done(size));
    return parsed.andThen(ar -> {
      if (!job.isRunning()) {
        return;
      }
      if (ar.failed()) {
        finish(page, PageRecord.Status.ERROR, "cannot parse HTML: " + ar.cause().getMessage());
        return;
      }
      apply(page, base, ar.result());
      finish(page, PageRecord.Status.OK, null);
    }).transform(ar -> Future.succeededFuture());
  }

  /** Takes in what a parsed page yielded: its items (following their detail links), links and detail fields. */
  private void apply(PageRecord page, String base, ParsedPage parsed) {
    page.title = parsed.title();
    if (parsed.detail() != null) {
      detailByUrl.put(page.url, parsed.detail());
      page.detailFields = parsed.detail();
    }
    if (!page.crawl) {
      return;
    }
    ExtractSpec spec = request.extract();
    if (parsed.itemsDropped() > 0) {
      job.limited("crawler.maxItemsPerPage", parsed.itemsDropped());
    }
    int index = -1;
    for (JsonObject item : parsed.items()) {
      index++;
      if (job.items.size() >= limits.maxItemsPerJob()) {
        job.limited("crawler.maxItemsPerJob", 1);
        continue;
      }
      if (!records.take(1)) {
        job.limited(records.key(), 1);
        continue;
      }
      job.items.add(item);
      job.journal.itemAdded(item, page.url, index);
      if (spec.follow() != null) {
        String link = UrlNormalizer.normalize(base, item.getString(spec.follow()));
        if (link != null) {
          requestDetail(link, item, page.depth + 1, base, page.url);
          continue;
        }
        mergeDetail(item, null);
      }
      downloads.itemDone(item, base);
    }
    for (String link : parsed.links()) {
      if (pageByUrl.containsKey(link) || capReached()) {
        continue;
      }
      if (request.scope() == JobRequest.Scope.SAME_HOST && !seedHosts.contains(URI.create(link).getHost())) {
        continue;
      }
      if (!records.take(1)) {
        job.limited(records.key(), 1);
        continue;
      }
      add(link, page.depth + 1, true, page.url);
    }
  }

  /** Gets the detail fields for {@code item} from the page at {@code url}: already read, pending, or fetched now. */
  private void requestDetail(String url, JsonObject item, int depth, String base, String referrer) {
    JsonObject known = detailByUrl.get(url);
    PageRecord page = pageByUrl.get(url);
    if (known != null || (page != null && page.isFinal())) {
      mergeDetail(item, known);
      downloads.itemDone(item, base);
      return;
    }
    if (page == null) {
      boolean overDetailCap = detailPages >= limits.maxDetailPagesPerJob();
      boolean noRecord = !capReached() && !overDetailCap && !records.take(1);
      if (capReached() || overDetailCap || noRecord) {
        if (overDetailCap) {
          job.limited("crawler.maxDetailPagesPerJob", 1);
        } else if (noRecord) {
          job.limited(records.key(), 1);
        }
        mergeDetail(item, null);
        downloads.itemDone(item, base);
        return;
      }
      detailPages++;
      detailWaiters.computeIfAbsent(url, u -> new ArrayList<>()).add(item);
      job.journal.itemWaiting(item, url);
      PageRecord detailPage = new PageRecord(url, depth, false);
      detailPage.detail = true;
      detailPage.referrer = referrer;
      record(detailPage);
      pageByUrl.put(url, detailPage);
      run.begin(Task.page(detailPage));
      return;
    }
    page.detail = true;
    job.journal.page(page);
    detailWaiters.computeIfAbsent(url, u -> new ArrayList<>()).add(item);
    job.journal.itemWaiting(item, url);
  }

  private void mergeDetail(JsonObject item, JsonObject detail) {
    for (String name : request.extract().detail().keySet()) {
      item.put(name, detail == null ? null : detail.getValue(name));
    }
    job.journal.itemChanged(item);
  }
}
