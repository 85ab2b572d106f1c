package dev.hellonet.testing;

import io.vertx.core.json.JsonObject;

/** The one wait for a crawl job to end, whatever the test reads it through (the event bus, the HTTP API). */
public final class CrawlJobs {
  private CrawlJobs() {}

  /** Reads the job once; it may check what it read (against a schema, say) and throw. */
  @FunctionalInterface
  public interface Reader {
    JsonObject read() throws Exception;
  }

  /**
   * Reads the job until its status is no longer {@code running} and returns that read; fails after {@code seconds}
   * naming the job, its status and stats as last read.
   */
  public static JsonObject awaitFinished(Reader read, long seconds) throws Exception {
    JsonObject[] last = {null};
    Await.until(() -> !"running".equals((last[0] = read.read()).getString("status")), seconds, () -> "job "
        + (last[0] == null ? "?" : last[0].getString("id") + " ends; still " + last[0].getString("status")
        + ", stats " + last[0].getJsonObject("stats")));
    return last[0];
  }
}
