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
                            ParseGate parseGate) {
  /** The node's budgets, sized from the configuration. */
  public static NodeResources create(CrawlerConfig config, Fetcher fetcher, TargetPolicy policy,
                                     WorkerExecutor parsePool, CrawlerCounters counters) {
    return new NodeResources(config, fetcher, policy, parsePool, counters,
        new Budget("crawler.maxPageBytesInFlight", config.limits().maxPageBytesInFlight(), true),
        new Budget("crawler.maxDownloadBytesOnDisk", config.limits().maxDownloadBytesOnDisk(), false),
        new Budget("crawler.maxRecordsKept", config.limits().maxRecordsKept(), false),
        // HTML parsed at once: a thirty-second of the heap (a document takes 10-20 times its bytes).
        new ParseGate(Runtime.getRuntime().maxMemory() / 32));
  }
}
