package dev.hellonet.crawl.job;

import io.vertx.core.json.JsonObject;

/** One page of a job as reported (schema CrawlPage): pending until it reaches a final status. Event-loop confined. */
final class PageRecord {
  /** Page outcomes; {@code PENDING} only while the job runs. */
  enum Status { PENDING, OK, ERROR, TIMEOUT, CANCELLED, SKIPPED }

  final String url;
  final int depth;
  /** Whether the page was reached by crawling (its items and links count), as opposed to only as a detail page. */
  boolean crawl;
  /** Whether items wait for this page's detail fields. */
  boolean detail;
  Status status = Status.PENDING;
  Integer httpStatus;
  String finalUrl;
  long bytes;
  int attempts;
  long startedNanos;
  long elapsedMs;
  String title;
  String error;

  PageRecord(String url, int depth, boolean crawl) {
    this.url = url;
    this.depth = depth;
    this.crawl = crawl;
  }

  boolean isFinal() {
    return status != Status.PENDING;
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("url", url)
        .put("depth", depth)
        .put("status", status.name().toLowerCase(java.util.Locale.ROOT))
        .put("httpStatus", httpStatus)
        .put("finalUrl", finalUrl)
        .put("attempts", attempts)
        .put("bytes", bytes)
        .put("elapsedMs", elapsedMs)
        .put("title", title)
        .put("error", error);
  }
}
