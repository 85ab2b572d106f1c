package dev.hellonet.crawl.job;

import dev.hellonet.config.HellonetConfig.CrawlerConfig;
import dev.hellonet.crawl.fetch.Budget;
import dev.hellonet.crawl.fetch.Fetcher;
import dev.hellonet.crawl.policy.TargetPolicy;
import io.vertx.core.WorkerExecutor;

/**
 * What every job of one crawler verticle shares: its configuration, the HTTP client, the target policy, the parse
 * pool, the counters, and the node-wide ceilings (page bodies held in memory, download bytes on disk, records kept in
 * the history).
 */
public record NodeResources(CrawlerConfig config, Fetcher fetcher, TargetPolicy policy, WorkerExecutor parsePool,
                            CrawlerCounters counters, Budget pageMemory, Budget disk, Budget records,
                            ParseGate parseGate, String name) {
  /** The node's budgets, sized from the configuration: the whole node's for one instance. */
  public static NodeResources create(CrawlerConfig config, Fetcher fetcher, TargetPolicy policy,
                                     WorkerExecutor parsePool, CrawlerCounters counters) {
    return create(config, fetcher, policy, parsePool, counters, 1);
  }

  /**
   * One instance's share of the node's budgets when {@code shares} crawler instances run in this JVM: each budget is
   * event-loop confined, so instances on different event loops cannot share one, and each takes an equal part.
   */
  public static NodeResources create(CrawlerConfig config, Fetcher fetcher, TargetPolicy policy,
                                     WorkerExecutor parsePool, CrawlerCounters counters, int shares) {
    return create(config, fetcher, policy, parsePool, counters, shares, "local");
  }

  /** As above; {@code name} names this crawler (its owner name) where a job records which node wrote its files. */
  public static NodeResources create(CrawlerConfig config, Fetcher fetcher, TargetPolicy policy,
                                     WorkerExecutor parsePool, CrawlerCounters counters, int shares, String name) {
    return new NodeResources(config, fetcher, policy, parsePool, counters,
        new Budget("crawler.maxPageBytesInFlight", config.limits().maxPageBytesInFlight() / shares, true),
        new Budget("crawler.maxDownloadBytesOnDisk", config.limits().maxDownloadBytesOnDisk() / shares, false),
        new Budget("crawler.maxRecordsKept", config.limits().maxRecordsKept() / shares, false),
        // HTML parsed at once: a thirty-second of the heap (a document takes 10-20 times its bytes).
        new ParseGate(Runtime.getRuntime().maxMemory() / 32 / shares), name);
  }
}
