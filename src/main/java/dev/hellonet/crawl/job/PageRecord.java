package dev.hellonet.crawl.job;

import io.vertx.core.json.JsonObject;

/** One page of a job as reported (schema CrawlPage): pending until it reaches a final status. Event-loop confined. */
final class PageRecord {
  /** Page outcomes; {@code PENDING} only while the job runs. */
  enum Status { PENDING, OK, ERROR, TIMEOUT, CANCELLED, SKIPPED }

  final String url;
  final int depth;
  /** Its place in the job's pages (what a window pages through), set when it is added. */
  int seq = -1;
  /** The page whose link (or item) led here; null for a seed. */
  String referrer;
  /** The detail fields this page yielded, when items wait for them; kept so that a takeover still has them. */
  JsonObject detailFields;
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

  /** The row of a job's page in the store. */
  io.vertx.sqlclient.Tuple toRow(String jobId) {
    return io.vertx.sqlclient.Tuple.tuple().addValue(jobId).addValue(seq).addValue(url).addValue(depth)
        .addValue(referrer).addValue(crawl).addValue(detail).addValue(statusName()).addValue(httpStatus)
        .addValue(finalUrl).addValue(bytes).addValue(attempts).addValue(elapsedMs).addValue(title).addValue(error)
        .addValue(detailFields);
  }

  /** A page as the store holds it. */
  static PageRecord from(io.vertx.sqlclient.Row row) {
    PageRecord p = new PageRecord(row.getString("url"), row.getInteger("depth"), row.getBoolean("crawl"));
    p.seq = row.getInteger("seq");
    p.referrer = row.getString("referrer");
    p.detail = row.getBoolean("detail");
    p.status = Status.valueOf(row.getString("status").toUpperCase(java.util.Locale.ROOT));
    p.httpStatus = row.getInteger("http_status");
    p.finalUrl = row.getString("final_url");
    p.bytes = row.getLong("bytes");
    p.attempts = row.getInteger("attempts");
    p.elapsedMs = row.getLong("elapsed_ms");
    p.title = row.getString("title");
    p.error = row.getString("error");
    p.detailFields = PgCrawlStore.json(row.getValue("detail_fields"));
    return p;
  }

  private String statusName() {
    return status.name().toLowerCase(java.util.Locale.ROOT);
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
