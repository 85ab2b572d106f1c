package dev.hellonet.crawl;

import dev.hellonet.bus.Addresses;
import dev.hellonet.config.HellonetConfig.CrawlerConfig;
import dev.hellonet.config.HellonetConfig.CrawlerLimits;
import dev.hellonet.config.HellonetConfig.Politeness;
import dev.hellonet.counters.CounterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Politeness as the site sees it: a loopback site that records when each request arrives. The gaps are measured by the
 * site, so they include whatever the crawler's own timers and the loopback add; the bounds allow a few milliseconds for
 * the request to travel (the crawler spaces the starts of its requests, the site sees their arrivals).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PolitenessTest {
  /** Arrival jitter allowed between two requests spaced by the crawler: timers and loopback, on a busy machine. */
  private static final long JITTER_MS = 50;

  @TempDir
  Path dir;

  /** One request as the site saw it. */
  private record Arrival(String path, long atMs) {}

  /** A loopback site: /robots.txt as given, /p/N pages, and whatever {@code special} answers first. */
  private static Future<HttpServer> site(Vertx vertx, String robots, List<Arrival> arrivals,
                                         Function<io.vertx.core.http.HttpServerRequest, Boolean> special) {
    return vertx.createHttpServer().requestHandler(req -> {
      if (!req.path().equals("/robots.txt")) {
        arrivals.add(new Arrival(req.path(), System.nanoTime() / 1_000_000));
      }
      if (special.apply(req)) {
        return;
      }
      if (req.path().equals("/robots.txt")) {
        req.response().putHeader("Content-Type", "text/plain").end(robots);
      } else {
        req.response().putHeader("Content-Type", "text/html").end("<html><body>" + req.path() + "</body></html>");
      }
    }).listen(0, "127.0.0.1");
  }

  private Future<JsonObject> crawl(Vertx vertx, int port, JsonObject request, Politeness politeness) {
    // The site is on loopback: this node's crawler may reach it, on purpose.
    CrawlerConfig config = new CrawlerConfig("hellonet-test/1.0", 64, 64 * 1024, 5, 20, dir.resolve("downloads"),
        256 * 1024, List.of("127.0.0.0/8"), List.of(), limits(politeness));
    List<String> urls = new ArrayList<>();
    for (Object u : request.getJsonArray("urls")) {
      urls.add("http://127.0.0.1:" + port + u);
    }
    JsonObject job = request.copy().put("urls", new JsonArray(urls));
    Promise<JsonObject> ended = Promise.promise();
    return vertx.eventBus().<JsonObject>consumer(Addresses.CRAWL_PROGRESS, m -> {
      if (!m.body().getJsonObject("job").getString("status").equals("running")) {
        ended.tryComplete(m.body().getJsonObject("job"));
      }
    }).completion()
        .compose(v -> vertx.deployVerticle(new CrawlerVerticle(config, new CounterRegistry("test"), 1)))
        .compose(d -> vertx.eventBus().request(Addresses.CRAWL_START, job))
        .compose(started -> ended.future());
  }

  private static CrawlerLimits limits(Politeness p) {
    CrawlerLimits d = CrawlerLimits.DEFAULTS;
    return new CrawlerLimits(d.parseThreads(), d.maxItemsPerPage(), d.maxItemsPerJob(), d.maxDetailPagesPerJob(),
        d.maxDownloadsPerJob(), d.maxDownloadBytesPerJob(), d.maxPageBytesInFlight(), d.maxDownloadBytesOnDisk(),
        d.maxRunningJobs(), d.maxRunningJobsPerClient(), d.maxRecordsKept(), p);
  }

  private static JsonArray pages(int n) {
    JsonArray urls = new JsonArray();
    for (int i = 1; i <= n; i++) {
      urls.add("/p/" + i);
    }
    return urls;
  }

  private static List<Long> gaps(List<Arrival> arrivals) {
    List<Arrival> sorted = new ArrayList<>(arrivals);
    sorted.sort((a, b) -> Long.compare(a.atMs(), b.atMs()));
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < sorted.size(); i++) {
      gaps.add(sorted.get(i).atMs() - sorted.get(i - 1).atMs());
    }
    return gaps;
  }

  @Test
  void robotsCrawlDelayOfOneSecondSpacesRequestsAtLeastASecondApart(Vertx vertx, VertxTestContext ctx) {
    List<Arrival> arrivals = Collections.synchronizedList(new ArrayList<>());
    site(vertx, "User-agent: *\nCrawl-delay: 1\n", arrivals, req -> false)
        .compose(s -> crawl(vertx, s.actualPort(), new JsonObject().put("urls", pages(4)).put("concurrency", 8)
            .put("perHostConcurrency", 8), Politeness.DEFAULTS))
        .onComplete(ctx.succeeding(job -> ctx.verify(() -> {
          assertEquals("completed", job.getString("status"), job.encode());
          assertEquals(4, arrivals.size(), arrivals.toString());
          for (long gap : gaps(arrivals)) {
            assertTrue(gap >= 1_000 - JITTER_MS, "requests " + gap + " ms apart, Crawl-delay is 1 s: " + arrivals);
          }
          ctx.completeNow();
        })));
  }

  @Test
  void aJobsDelayAndTheNodesFloorSpaceRequestsTheLargerWins(Vertx vertx, VertxTestContext ctx) {
    List<Arrival> arrivals = Collections.synchronizedList(new ArrayList<>());
    site(vertx, "", arrivals, req -> false)
        .compose(s -> crawl(vertx, s.actualPort(), new JsonObject().put("urls", pages(4)).put("delayMs", 100)
            .put("perHostConcurrency", 8), new Politeness(400, 30_000, 300_000)))
        .onComplete(ctx.succeeding(job -> ctx.verify(() -> {
          assertEquals(4, arrivals.size(), arrivals.toString());
          for (long gap : gaps(arrivals)) {
            assertTrue(gap >= 400 - JITTER_MS, "requests " + gap + " ms apart, the floor is 400 ms: " + arrivals);
          }
          assertEquals(400, job.getJsonObject("stats").getJsonObject("politeness").getLong("delayMs"), job.encode());
          ctx.completeNow();
        })));
  }

  @Test
  void tooManyRequestsWithRetryAfterTwoSecondsPausesTheHostForTwoSeconds(Vertx vertx, VertxTestContext ctx) {
    List<Arrival> arrivals = Collections.synchronizedList(new ArrayList<>());
    long[] refusedAt = {-1};
    site(vertx, "", arrivals, req -> {
      if (req.path().equals("/p/1") && refusedAt[0] < 0) {
        refusedAt[0] = System.nanoTime() / 1_000_000;
        req.response().setStatusCode(429).putHeader("Retry-After", "2").end();
        return true;
      }
      return false;
    }).compose(s -> crawl(vertx, s.actualPort(), new JsonObject().put("urls", pages(3)).put("perHostConcurrency", 1)
            .put("retries", 2), Politeness.DEFAULTS))
        .onComplete(ctx.succeeding(job -> ctx.verify(() -> {
          assertEquals("completed", job.getString("status"), job.encode());
          JsonObject stats = job.getJsonObject("stats");
          assertEquals(3, stats.getInteger("ok"), "the refused page was fetched again after the pause: " + job.encode());
          assertEquals(1, stats.getJsonObject("politeness").getInteger("throttled"), job.encode());
          assertTrue(refusedAt[0] > 0);
          for (Arrival a : arrivals) {
            if (a.atMs() > refusedAt[0]) {
              assertTrue(a.atMs() - refusedAt[0] >= 2_000 - JITTER_MS,
                  a.path() + " arrived " + (a.atMs() - refusedAt[0]) + " ms after a 429 with Retry-After: 2");
            }
          }
          assertEquals(4, arrivals.size(), "three pages, one of them twice: " + arrivals);
          ctx.completeNow();
        })));
  }
}
