package dev.hellonet.crawl.job;

import dev.hellonet.crawl.extract.UrlNormalizer;
import dev.hellonet.crawl.fetch.BodySink;
import dev.hellonet.crawl.fetch.Budget;
import dev.hellonet.crawl.fetch.FetchException;
import dev.hellonet.crawl.fetch.FetchResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * The files one job downloads: one per complete item that names a link, de-duplicated by URL, under a safe unique
 * name, streamed into {@code .<name>.part} and renamed once complete, never held in memory. Event-loop confined.
 */
final class Downloads {
  private final Vertx vertx;
  private final JobRun run;
  private final CrawlJob job;
  private final CrawlerCounters counters;
  private final long maxBytes;
  private final int maxDownloads;
  /** This job's download bytes (crawler.maxDownloadBytesPerJob), and the node's on disk. */
  private final Budget jobBytes;
  private final Budget disk;
  private final Budget records;
  private final String dir;
  /** The node that writes this job's files, recorded with each (a takeover elsewhere may not reach them). */
  private final String node;
  private int started;
  private final Set<String> urls = new HashSet<>();
  private final DownloadNames names = new DownloadNames();
  private Future<Void> dirReady;

  Downloads(Vertx vertx, JobRun run, CrawlJob job, NodeResources node, String dir) {
    this.vertx = vertx;
    this.run = run;
    this.job = job;
    this.counters = node.counters();
    this.maxBytes = node.config().maxDownloadBytes();
    this.maxDownloads = node.config().limits().maxDownloadsPerJob();
    this.jobBytes = new Budget("crawler.maxDownloadBytesPerJob", node.config().limits().maxDownloadBytesPerJob(),
        false);
    this.disk = node.disk();
    this.records = node.records();
    this.dir = dir;
    this.node = node.name();
  }

  /** An item has all its fields: start its download, if the job asked for one. */
  void itemDone(JsonObject item, String base) {
    String field = job.request.downloadField();
    if (field == null) {
      return;
    }
    String url = UrlNormalizer.normalize(base, item.getString(field));
    if (url == null) {
      return;
    }
    if (!records.take(1)) {
      job.limited(records.key(), 1);
      return;
    }
    if (!urls.add(url)) {
      DownloadRecord duplicate = new DownloadRecord(url, null);
      duplicate.status = DownloadRecord.Status.SKIPPED;
      duplicate.error = "same URL as an earlier download of this job";
      record(duplicate);
      return;
    }
    if (started >= maxDownloads) {
      records.give(1);
      job.limited("crawler.maxDownloadsPerJob", 1);
      return;
    }
    started++;
    DownloadRecord record = new DownloadRecord(url, names.claim(url));
    record(record);
    start(record);
  }

  private void record(DownloadRecord d) {
    d.seq = job.downloads.size();
    job.downloads.add(d);
    job.journal.download(d);
  }

  /**
   * Takes in the downloads of a job loaded from its store: their URLs and names stay claimed, and each one not final,
   * or final but whose file this node cannot reach (another node's disk, not a shared volume), is fetched again.
   */
  void resume() {
    for (DownloadRecord d : job.downloads) {
      urls.add(d.url);
      if (d.file != null) {
        names.take(d.file);
        started++;
      }
    }
    for (DownloadRecord d : job.downloads) {
      if (d.file == null) {
        continue;
      }
      if (!d.isFinal()) {
        start(d);
      } else if (d.status == DownloadRecord.Status.OK) {
        run.hold();
        vertx.fileSystem().exists(finalPath(d)).onComplete(ar -> {
          if (ar.succeeded() && ar.result()) {
            run.settled();
          } else if (job.isRunning()) {
            d.status = DownloadRecord.Status.PENDING;
            d.node = null;
            d.path = null;
            job.journal.download(d);
            run.prepare(Task.download(d));
          }
        });
      }
    }
  }

  private void start(DownloadRecord record) {
    Task task = Task.download(record);
    run.hold();
    vertx.fileSystem().exists(finalPath(record)).onComplete(ar -> {
      if (!job.isRunning()) {
        return;
      }
      if (ar.succeeded() && ar.result()) {
        finish(record, DownloadRecord.Status.SKIPPED, "file exists: " + finalPath(record));
      } else {
        run.prepare(task);
      }
    });
  }

  private String finalPath(DownloadRecord record) {
    return dir + "/" + record.file;
  }

  /** Streams the body into {@code <file>.part}, renamed to the final name once complete. */
  Future<FetchResult> fetch(Task task, InetAddress address) {
    task.download.attempts++;
    FileSystem fs = vertx.fileSystem();
    if (dirReady == null) {
      dirReady = fs.mkdirs(dir);
    }
    // A leading dot: DownloadNames never gives one to a file, so no download (not even one named "a.part") can be
    // the temporary file of another.
    String part = dir + "/." + task.download.file + ".part";
    return dirReady
        .compose(v -> fs.open(part, new OpenOptions().setWrite(true).setCreate(true).setTruncateExisting(true)))
        .compose(file -> {
          BodySink sink = BodySink.toFile(file, maxBytes).drawingFrom(jobBytes).drawingFrom(disk);
          return run.fetch(task.uri, address, sink)
              .transform(ar -> close(file, part, task, sink, ar.result(), ar.cause()));
        });
  }

  private Future<FetchResult> close(AsyncFile file, String part, Task task, BodySink sink, FetchResult r,
                                    Throwable failure) {
    FileSystem fs = vertx.fileSystem();
    Future<Void> closed = file.close().recover(e -> Future.succeededFuture());
    boolean keep = failure == null && r.status() >= 200 && r.status() < 300 && job.isRunning();
    Future<Void> settled = keep
        ? closed.compose(v -> fs.move(part, finalPath(task.download)))
        : closed.compose(v -> fs.delete(part)).recover(e -> Future.succeededFuture());
    Promise<FetchResult> out = Promise.promise();
    settled.onComplete(ar -> {
      if (keep && ar.succeeded()) {
        job.diskBytes += sink.bytes(); // kept until the job leaves the history
      } else {
        sink.release(); // the file is gone: its bytes are free again
      }
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

  /** The file is complete and in place. */
  void fetched(Task task) {
    counters.downloads.add(1);
    task.download.node = node;
    task.download.path = finalPath(task.download);
    finish(task.download, DownloadRecord.Status.OK, null);
  }

  void finish(DownloadRecord d, DownloadRecord.Status status, String error) {
    if (d.isFinal()) {
      return;
    }
    d.status = status;
    d.error = error;
    job.journal.download(d);
    run.settled();
  }
}
