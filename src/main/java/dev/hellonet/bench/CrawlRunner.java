package dev.hellonet.bench;

import dev.hellonet.bus.Addresses;
import dev.hellonet.config.ConfigLoader;
import dev.hellonet.config.HellonetConfig;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.crawl.CrawlerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Command-line crawl for benchmarks: deploys the crawler verticle alone, runs one job over the event bus exactly as
 * users do, prints a one-line JSON summary and optionally writes the URLs of the pages fetched OK to a file.
 *
 * <pre>java -cp hellonet.jar dev.hellonet.bench.CrawlRunner [--concurrency N] [--max-depth N] [--max-pages N]
 *     [--runs N] [--urls-out FILE] URL...</pre>
 * With {@code --runs N} the same crawl runs N times in one JVM and each run is reported (the first includes JIT
 * warm-up).
 */
public final class CrawlRunner {
  private CrawlRunner() {}

  public static void main(String[] args) throws Exception {
    int concurrency = 64;
    int maxDepth = 100;
    int maxPages = 100_000;
    int runs = 1;
    Path urlsOut = null;
    JsonArray urls = new JsonArray();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
        case "--max-depth" -> maxDepth = Integer.parseInt(args[++i]);
        case "--max-pages" -> maxPages = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--urls-out" -> urlsOut = Path.of(args[++i]);
        default -> urls.add(args[i]);
      }
    }
    if (urls.isEmpty()) {
      System.err.println("usage: CrawlRunner [--concurrency N] [--max-depth N] [--max-pages N] [--runs N] "
          + "[--urls-out FILE] URL...");
      System.exit(2);
    }
    HellonetConfig config = ConfigLoader.load(System.getenv());
    Vertx vertx = Vertx.vertx();
    try {
      await(vertx.deployVerticle(new CrawlerVerticle(config.crawler(), new CounterRegistry("bench"))), 30);
      JsonObject request = new JsonObject().put("urls", urls).put("concurrency", concurrency)
          .put("perHostConcurrency", concurrency).put("maxDepth", maxDepth).put("maxPages", maxPages)
          .put("retries", 0);
      for (int run = 1; run <= runs; run++) {
        JsonObject job = crawl(vertx, request);
        JsonObject stats = job.getJsonObject("stats");
        long ms = Math.max(1, stats.getLong("elapsedMs"));
        System.out.println(new JsonObject().put("run", run).put("status", job.getString("status"))
            .put("pages", stats.getInteger("pages")).put("ok", stats.getInteger("ok"))
            .put("failed", stats.getInteger("failed")).put("bytes", stats.getLong("bytes")).put("elapsedMs", ms)
            .put("pagesPerSecond", Math.round(stats.getInteger("ok") * 1000.0 / ms)).encode());
        if (urlsOut != null && run == runs) {
          List<String> ok = new ArrayList<>();
          int total = job.getJsonObject("window").getJsonObject("totals").getInteger("pages");
          for (int offset = 0; offset < total; offset += CrawlerVerticle.MAX_WINDOW) {
            JsonObject window = (JsonObject) await(vertx.eventBus().request(Addresses.CRAWL_GET, new JsonObject()
                .put("id", job.getString("id")).put("offset", offset).put("limit", CrawlerVerticle.MAX_WINDOW)), 30)
                .body();
            for (Object p : window.getJsonArray("pages")) {
              JsonObject page = (JsonObject) p;
              if (page.getString("status").equals("ok")) {
                ok.add(page.getString("url"));
              }
            }
          }
          Files.write(urlsOut, ok);
        }
      }
    } finally {
      await(vertx.close(), 30);
    }
    System.exit(0);
  }

  private static JsonObject crawl(Vertx vertx, JsonObject request) throws Exception {
    String id = ((JsonObject) await(vertx.eventBus().request(Addresses.CRAWL_START, request), 30).body())
        .getString("id");
    JsonObject ask = new JsonObject().put("id", id);
    while (true) {
      JsonObject job = (JsonObject) await(vertx.eventBus().request(Addresses.CRAWL_LIST, new JsonObject()
          .put("limit", 1)), 30).body();
      JsonObject summary = job.getJsonArray("jobs").getJsonObject(0);
      if (!summary.getString("status").equals("running")) {
        return (JsonObject) await(vertx.eventBus().request(Addresses.CRAWL_GET, ask), 30).body();
      }
      Thread.sleep(20);
    }
  }

  private static <T> T await(Future<T> f, int seconds) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }
}
