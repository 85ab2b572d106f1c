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
  /** Its place in the job's downloads, set when it is added. */
  int seq = -1;
  /** Where the complete file lives: the node that wrote it and its path there (null until it is complete). */
  String node;
  String path;
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

  /** The row of a job's download in the store. */
  io.vertx.sqlclient.Tuple toRow(String jobId) {
    return io.vertx.sqlclient.Tuple.tuple().addValue(jobId).addValue(seq).addValue(url).addValue(file)
        .addValue(status.name().toLowerCase(Locale.ROOT)).addValue(httpStatus).addValue(bytes).addValue(attempts)
        .addValue(error).addValue(node).addValue(path);
  }

  /** A download as the store holds it. */
  static DownloadRecord from(io.vertx.sqlclient.Row row) {
    DownloadRecord d = new DownloadRecord(row.getString("url"), row.getString("file"));
    d.seq = row.getInteger("seq");
    d.status = Status.valueOf(row.getString("status").toUpperCase(Locale.ROOT));
    d.httpStatus = row.getInteger("http_status");
    d.bytes = row.getLong("bytes");
    d.attempts = row.getInteger("attempts");
    d.error = row.getString("error");
    d.node = row.getString("node");
    d.path = row.getString("path");
    return d;
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
