package dev.hellonet.crawl.job;

import dev.hellonet.bus.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Publishes one job's progress on {@link Addresses#CRAWL_PROGRESS}: its state changes, and every
 * {@code everyPages} pages that reach a final status, so that a client can follow a crawl without polling.
 */
public final class CrawlEvents {
  static final String STATE = "state";
  static final String PAGES = "pages";

  private final EventBus bus;
  private final CrawlJob job;
  private final int everyPages;
  /** Put before the job's id in events: its owner when a router names jobs by owner, else nothing. */
  private final String idPrefix;
  private int finishedPages;

  /** {@code idPrefix}: put before the job's id in every event (its owner when a router names jobs by owner, or ""). */
  public CrawlEvents(EventBus bus, CrawlJob job, int everyPages, String idPrefix) {
    this.bus = bus;
    this.job = job;
    this.everyPages = everyPages;
    this.idPrefix = idPrefix;
  }

  /** The job started, or ended (completed or cancelled). */
  public void stateChanged() {
    publish(STATE);
  }

  /** A page reached its final status; publishes on every {@code everyPages}-th while the job runs. */
  void pageFinished() {
    finishedPages++;
    // Once the job has ended its state event says everything; a late page must not follow it.
    if (finishedPages % everyPages == 0 && job.isRunning()) {
      publish(PAGES);
    }
  }

  private void publish(String event) {
    bus.publish(Addresses.CRAWL_PROGRESS, new JsonObject().put("event", event)
        .put("job", job.summary().put("id", idPrefix + job.id())));
  }
}
