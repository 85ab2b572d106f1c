package dev.hellonet.crawl.job;

import io.vertx.core.json.JsonObject;

import java.util.Locale;

/** One file a job downloads, as reported (schema CrawlDownload). Event-loop confined. */
final class DownloadRecord {
  /** Download outcomes; {@code PENDING} only while the job runs. */
  enum Status { PENDING, OK, ERROR, SKIPPED, CANCELLED }

  final String url;
  /** The file name under the job's download directory. */
  final String file;
  Status status = Status.PENDING;
  Integer httpStatus;
  long bytes;
  int attempts;
  String error;

  DownloadRecord(String url, String file) {
    this.url = url;
    this.file = file;
  }

  boolean isFinal() {
    return status != Status.PENDING;
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("url", url)
        .put("file", file)
        .put("status", status.name().toLowerCase(Locale.ROOT))
        .put("httpStatus", httpStatus)
        .put("attempts", attempts)
        .put("bytes", bytes)
        .put("error", error);
  }
}
