package dev.hellonet.crawl.job;

import dev.hellonet.counters.SingleWriterCounter;
import io.vertx.core.json.JsonObject;

/** The crawler's live counters, written only by the crawler verticle's event loop and read from anywhere. */
public final class CrawlerCounters {
  final SingleWriterCounter jobsStarted = new SingleWriterCounter();
  final SingleWriterCounter jobsFinished = new SingleWriterCounter();
  final SingleWriterCounter pagesFetched = new SingleWriterCounter();
  final SingleWriterCounter pagesFailed = new SingleWriterCounter();
  final SingleWriterCounter pagesSkipped = new SingleWriterCounter();
  final SingleWriterCounter downloads = new SingleWriterCounter();
  final SingleWriterCounter bytes = new SingleWriterCounter();
  final SingleWriterCounter inFlight = new SingleWriterCounter();

  /** A job was created. */
  public void jobStarted() {
    jobsStarted.add(1);
  }

  /** A job reached its end. */
  public void jobFinished() {
    jobsFinished.add(1);
  }

  public JsonObject snapshot() {
    long started = jobsStarted.get();
    long finished = jobsFinished.get();
    return new JsonObject()
        .put("jobsStarted", started)
        .put("jobsRunning", started - finished)
        .put("jobsFinished", finished)
        .put("pagesFetched", pagesFetched.get())
        .put("pagesFailed", pagesFailed.get())
        .put("pagesSkipped", pagesSkipped.get())
        .put("downloads", downloads.get())
        .put("bytes", bytes.get())
        .put("inFlight", inFlight.get());
  }
}
