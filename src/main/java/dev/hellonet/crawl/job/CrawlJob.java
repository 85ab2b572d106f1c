package dev.hellonet.crawl.job;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The state of one crawl job as users see it (schema Crawl): status, timestamps, pages, items, downloads, stats. */
public final class CrawlJob {
  /** Job lifecycle: running until every page and download is final, or until cancelled or past its deadline. */
  enum Status { RUNNING, COMPLETED, CANCELLED }

  final String id;
  final JobRequest request;
  final Instant createdAt;
  private final long startNanos;
  /** Where its changes go: nowhere (memory) or its store; set by the run. */
  JobJournal journal;
  /** Handed over or lost to another owner: this node no longer runs it, whatever its status says. */
  private boolean detached;
  Status status = Status.RUNNING;
  Instant finishedAt;
  private long elapsedMs = -1;
  /** Why the job stopped early ("cancelled by request", "deadline ... exceeded"), else null. */
  String error;
  final List<PageRecord> pages = new ArrayList<>();
  final List<JsonObject> items = new ArrayList<>();
  final List<DownloadRecord> downloads = new ArrayList<>();
  int inFlight;
  long bytes;
  /** Bytes of this job's completed downloads on disk, given back to the node's disk budget when it is evicted. */
  long diskBytes;
  /** What each ceiling cut off: items, detail pages or downloads not taken, transfers cut short; by config key. */
  final Map<String, Long> limited = new LinkedHashMap<>();
  private java.util.function.Supplier<JsonObject> politeness = () -> null;

  public CrawlJob(String id, JobRequest request) {
    this(id, request, Instant.now());
  }

  /** A job created at {@code createdAt} (earlier when it is taken over): its elapsed time counts from then. */
  CrawlJob(String id, JobRequest request, Instant createdAt) {
    this.id = id;
    this.request = request;
    this.createdAt = createdAt;
    this.startNanos = System.nanoTime() - Math.max(0, java.time.Duration.between(createdAt, Instant.now()).toNanos());
    this.journal = JobJournal.none(this);
  }

  /** Items waiting for a detail page, of a job loaded from its store; handed to its run when it resumes. */
  java.util.Map<JsonObject, String> restoredWaiting = java.util.Map.of();

  /**
   * A job taken over from {@code store} as it was written last, with its journal to that store under the new lease
   * epoch; its run goes on with {@link JobRun#resume()}. Throws {@link InvalidRequestException} if this node cannot
   * accept the job's request (a lower {@code crawler.maxConcurrency}).
   */
  public static CrawlJob restore(PgCrawlStore.Loaded l, int maxConcurrency, io.vertx.core.Vertx vertx,
                                 PgCrawlStore store) {
    CrawlJob job = new CrawlJob(l.id(), JobRequest.parse(l.request(), maxConcurrency), l.createdAt());
    job.journal = JobJournal.to(vertx, store, job, l.epoch());
    l.pages().forEach(row -> job.pages.add(PageRecord.from(row)));
    java.util.Map<JsonObject, String> waiting = new java.util.IdentityHashMap<>();
    l.items().forEach(row -> {
      JsonObject item = PgCrawlStore.json(row.getValue("fields"));
      JobJournal.ItemMeta meta = new JobJournal.ItemMeta(row.getInteger("seq"), row.getString("page_url"),
          row.getInteger("page_index"));
      meta.waitingFor = row.getString("waiting_for");
      job.items.add(item);
      job.journal.itemLoaded(item, meta);
      if (meta.waitingFor != null) {
        waiting.put(item, meta.waitingFor);
      }
    });
    l.downloads().forEach(row -> job.downloads.add(DownloadRecord.from(row)));
    JsonObject stats = l.summary() == null ? null : l.summary().getJsonObject("stats");
    if (stats != null) {
      job.bytes = stats.getLong("bytes", 0L);
      JsonObject limited = stats.getJsonObject("limited", new JsonObject());
      limited.forEach(e -> job.limited.put(e.getKey(), ((Number) e.getValue()).longValue()));
    }
    job.restoredWaiting = waiting;
    return job;
  }

  /** Writes this new job's changes to {@code store} under lease epoch {@code epoch}. */
  public void writeTo(io.vertx.core.Vertx vertx, PgCrawlStore store, long epoch) {
    journal = JobJournal.to(vertx, store, this, epoch);
  }

  /** The lease epoch its writes carry (0 in memory). */
  public long epoch() {
    return journal.epoch();
  }

  /** This same owner took the job's lease again (after a late renewal): later writes carry {@code epoch}. */
  public void epoch(long epoch) {
    journal.epoch(epoch);
  }

  /** Writes every change until now to the job's store; completes once committed (at once in memory). */
  public Future<Void> flush() {
    return journal.flush();
  }

  /** Whether the job's status is running, whether or not this node still runs it. */
  public boolean statusRunning() {
    return status == Status.RUNNING;
  }

  /** This node stops running the job (handed over, or taken over by another owner); it is not finished. */
  void detach() {
    detached = true;
  }

  /** Counts {@code n} things a ceiling ({@code key}, a configuration key) kept out of the job. */
  /** Where the job's politeness figures come from (its run's pacing); none until the run starts. */
  void politeness(java.util.function.Supplier<JsonObject> figures) {
    this.politeness = figures;
  }

  void limited(String key, long n) {
    limited.merge(key, n, Long::sum);
  }

  /** Pages, items and downloads this job holds, counted against {@code crawler.maxRecordsKept}. */
  public long records() {
    return (long) pages.size() + items.size() + downloads.size();
  }

  /** Bytes of completed downloads this job keeps on disk. */
  public long diskBytes() {
    return diskBytes;
  }

  /** The job's id, {@code j-<time>-<random>}. */
  public String id() {
    return id;
  }

  public boolean isRunning() {
    return status == Status.RUNNING && !detached;
  }

  void finish(Status end, String reason) {
    status = end;
    error = reason;
    finishedAt = Instant.now();
    elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static <T> List<T> slice(List<T> all, int offset, int limit) {
    int from = Math.min(offset, all.size());
    return all.subList(from, (int) Math.min(all.size(), (long) from + limit));
  }

  long elapsedMs() {
    return elapsedMs >= 0 ? elapsedMs : (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** The job as listed: status and stats, without its pages, items and downloads. */
  public JsonObject summary() {
    return toJson(0, 0, false);
  }

  /**
   * The job with one window of its pages, items and downloads: those from {@code offset}, at most {@code limit} of
   * each, and the totals, so that a huge job is read in pages rather than copied whole on the event loop.
   */
  public JsonObject window(int offset, int limit) {
    return toJson(offset, limit, true);
  }

  private JsonObject toJson(int offset, int limit, boolean full) {
    int ok = 0, failed = 0, skipped = 0, cancelled = 0, pending = 0;
    for (PageRecord p : pages) {
      switch (p.status) {
        case OK -> ok++;
        case ERROR, TIMEOUT -> failed++;
        case SKIPPED -> skipped++;
        case CANCELLED -> cancelled++;
        case PENDING -> pending++;
      }
    }
    int downloaded = 0;
    for (DownloadRecord d : downloads) {
      if (d.status == DownloadRecord.Status.OK) {
        downloaded++;
      }
    }
    JsonObject stats = new JsonObject()
        .put("pages", pages.size())
        .put("ok", ok)
        .put("failed", failed)
        .put("skipped", skipped)
        .put("cancelled", cancelled)
        .put("pending", pending)
        .put("items", items.size())
        .put("downloads", downloaded)
        .put("bytes", bytes)
        .put("inFlight", inFlight)
        .put("elapsedMs", elapsedMs())
        .put("limited", new JsonObject(new LinkedHashMap<>(limited)));
    JsonObject polite = politeness.get();
    if (polite != null) {
      stats.put("politeness", polite);
    }
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("status", status.name().toLowerCase(Locale.ROOT))
        .put("createdAt", createdAt.toString())
        .put("finishedAt", finishedAt == null ? null : finishedAt.toString())
        .put("error", error)
        .put("stats", stats);
    if (full) {
      JsonArray p = new JsonArray();
      slice(pages, offset, limit).forEach(page -> p.add(page.toJson()));
      JsonArray i = new JsonArray();
      slice(items, offset, limit).forEach(item -> i.add(item.copy()));
      JsonArray d = new JsonArray();
      slice(downloads, offset, limit).forEach(download -> d.add(download.toJson()));
      json.put("pages", p).put("items", i).put("downloads", d)
          .put("window", new JsonObject().put("offset", offset).put("limit", limit)
              .put("totals", new JsonObject().put("pages", pages.size()).put("items", items.size())
                  .put("downloads", downloads.size())));
    }
    return json;
  }
}
