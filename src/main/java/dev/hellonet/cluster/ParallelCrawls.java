package dev.hellonet.cluster;

import dev.hellonet.bus.Addresses;
import dev.hellonet.config.ConfigLoader;
import dev.hellonet.config.HellonetConfig;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.crawl.CrawlerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark of crawler instances: deploys {@code --instances} crawlers behind the router (as a node does), starts
 * {@code --jobs} crawls of the same site at once through the public address, waits for all and prints one JSON line
 * with the pages per second over all jobs. One job runs on one instance's event loop; several jobs spread over the
 * instances, so CPU-heavy crawling (parsing, extraction) uses as many cores as there are instances.
 *
 * <pre>java -cp hellonet.jar dev.hellonet.cluster.ParallelCrawls [--instances N] [--jobs N] [--concurrency N] URL</pre>
 */
public final class ParallelCrawls {
  private ParallelCrawls() {}

  public static void main(String[] args) throws Exception {
    int instances = 1;
    int jobs = 4;
    int concurrency = 32;
    String url = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--instances" -> instances = Integer.parseInt(args[++i]);
        case "--jobs" -> jobs = Integer.parseInt(args[++i]);
        case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
        default -> url = args[i];
      }
    }
    if (url == null || instances < 1 || jobs < 1 || concurrency < 1) {
      System.err.println("usage: ParallelCrawls [--instances N] [--jobs N] [--concurrency N] URL");
      System.exit(2);
    }
    HellonetConfig config = ConfigLoader.load(System.getenv());
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(instances,
        Runtime.getRuntime().availableProcessors())));
    try {
      ClusterView cluster = ClusterView.of(vertx);
      AtomicInteger index = new AtomicInteger();
      CounterRegistry registry = new CounterRegistry("bench");
      int n = instances;
      await(vertx.deployVerticle(() -> new CrawlerVerticle(config.crawler(), registry,
          config.events().crawlProgressEveryPages(), CrawlRouterVerticle.owner(cluster, index.getAndIncrement()), n),
          new DeploymentOptions().setInstances(n)));
      await(vertx.deployVerticle(new CrawlRouterVerticle(cluster, instances)));
      JsonObject request = new JsonObject().put("urls", new JsonArray().add(url)).put("concurrency", concurrency)
          .put("perHostConcurrency", concurrency).put("maxDepth", 100).put("maxPages", 100_000).put("retries", 0);
      long start = System.nanoTime();
      List<String> ids = new ArrayList<>();
      for (int j = 0; j < jobs; j++) {
        ids.add(((JsonObject) await(vertx.eventBus().request(Addresses.CRAWL_START, request)).body())
            .getString("id"));
      }
      long ok = 0;
      long failed = 0;
      for (String id : ids) {
        JsonObject job;
        do {
          Thread.sleep(20);
          job = (JsonObject) await(vertx.eventBus().request(Addresses.CRAWL_GET, new JsonObject().put("id", id)))
              .body();
        } while (job.getString("status").equals("running"));
        ok += job.getJsonObject("stats").getInteger("ok");
        failed += job.getJsonObject("stats").getInteger("failed");
      }
      long ms = Math.max(1, (System.nanoTime() - start) / 1_000_000);
      System.out.println(new JsonObject().put("instances", instances).put("jobs", jobs).put("ok", ok)
          .put("failed", failed).put("elapsedMs", ms).put("pagesPerSecond", Math.round(ok * 1000.0 / ms)).encode());
    } finally {
      await(vertx.close());
    }
    System.exit(0);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(600, TimeUnit.SECONDS);
  }
}
