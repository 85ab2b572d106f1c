package dev.hellonet.crawl;

import dev.hellonet.bus.Addresses;
import dev.hellonet.config.HellonetConfig.CrawlerConfig;
import dev.hellonet.config.HellonetConfig.CrawlerLimits;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.CrawlJobs;
import dev.hellonet.testing.TestConfig;
import dev.hellonet.testing.TestSite;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10: every resource a job can consume has a ceiling, per job and per node; reaching one ends that part of the
 * job, says so (a page or download status naming the key) and counts it in {@code stats.limited}, never an OOM.
 */
@ExtendWith(VertxExtension.class)
class CrawlerLimitsTest {
  @TempDir
  Path dir;
  private Vertx vertx;
  private TestSite site;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    site = TestSite.start(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    site.close();
  }

  private void deploy(int historySize, CrawlerLimits limits) throws Exception {
    Await.result(vertx.deployVerticle(new CrawlerVerticle(new CrawlerConfig("hellonet-test/1.0", 64, 1024 * 1024, 5,
        historySize, dir.resolve("downloads"), 1024 * 1024, TestConfig.LOOPBACK_TARGETS, List.of(), limits), new CounterRegistry("t"))));
  }

  private static CrawlerLimits limits(int itemsPerPage, int itemsPerJob, int detailPages, int downloads,
                                      long downloadBytes, long pageBytes, long disk, int running, int perClient) {
    return new CrawlerLimits(2, itemsPerPage, itemsPerJob, detailPages, downloads, downloadBytes, pageBytes, disk,
        running, perClient, 1_000_000);
  }

  private JsonObject start(JsonObject request, String client) throws Exception {
    DeliveryOptions options = new DeliveryOptions();
    if (client != null) {
      options.addHeader(Addresses.HEADER_CLIENT, client);
    }
    return (JsonObject) Await.result(vertx.eventBus().request(Addresses.CRAWL_START, request, options), 20).body();
  }

  private ReplyException refusedStart(JsonObject request, String client) {
    return assertThrows(ReplyException.class, () -> start(request, client));
  }

  private JsonObject finished(String id) throws Exception {
    return CrawlJobs.awaitFinished(() -> (JsonObject) Await.result(vertx.eventBus().request(Addresses.CRAWL_GET,
        new JsonObject().put("id", id))).body(), 20);
  }

  private static JsonObject downloadsOf(String... paths) {
    return new JsonObject().put("concurrency", 1).put("respectRobots", false)
        .put("extract", new JsonObject().put("items", ".item").put("fields", new JsonObject().put("f", "a::attr(href)")))
        .put("download", new JsonObject().put("field", "f"));
  }

  @Test
  void itemsDownloadsAndDownloadBytesStopAtTheJobsCeilings() throws Exception {
    // files are "content of /file/_many_10-i" (27-28 bytes): two fit in 60 bytes, the third is cut off
    deploy(20, limits(5, 8, 10, 4, 60, 1 << 20, 1 << 20, 16, 4));
    JsonObject request = downloadsOf().put("urls", new JsonArray().add(site.url("/many/10"))
        .add(site.url("/many/10/again")));
    JsonObject job = finished(start(request, null).getString("id"));

    assertEquals(8, job.getJsonArray("items").size(), job.encodePrettily());
    JsonObject limited = job.getJsonObject("stats").getJsonObject("limited");
    assertEquals(10, limited.getInteger("crawler.maxItemsPerPage"), "5 of each page's 10 items were read");
    assertEquals(2, limited.getInteger("crawler.maxItemsPerJob"), "8 of the 10 read were kept");
    assertEquals(4, limited.getInteger("crawler.maxDownloadsPerJob"), "4 of the 8 items' files were downloaded");
    JsonArray downloads = job.getJsonArray("downloads");
    assertEquals(4, downloads.size());
    // Which two fit depends on the order they ran in (their file checks race); two fit, two are cut off.
    int ok = 0;
    for (Object d : downloads) {
      JsonObject download = (JsonObject) d;
      if (download.getString("status").equals("ok")) {
        ok++;
      } else {
        assertEquals("error", download.getString("status"), download.encode());
        assertTrue(download.getString("error").contains("crawler.maxDownloadBytesPerJob"), download.encode());
      }
    }
    assertEquals(2, ok, downloads.encodePrettily());
    assertEquals(2, limited.getInteger("crawler.maxDownloadBytesPerJob"));
    try (var files = Files.list(dir.resolve("downloads").resolve(job.getString("id")))) {
      assertEquals(2, files.count(), "cut-off downloads leave no file");
    }
  }

  @Test
  void detailPagesStopAtTheJobsCeilingAndTheirItemsStayWithoutDetail() throws Exception {
    deploy(20, limits(100, 100, 1, 10, 1 << 20, 1 << 20, 1 << 20, 16, 4));
    JsonObject job = finished(start(new JsonObject().put("urls", new JsonArray().add(site.url("/later/beijing")))
        .put("concurrency", 1).put("extract", new JsonObject().put("items", "#showing-soon .item")
            .put("fields", new JsonObject().put("url", "h3 a::attr(href)")).put("follow", "url")
            .put("detail", new JsonObject().put("poster", "#mainpic img::attr(src)"))), null).getString("id"));
    JsonArray items = job.getJsonArray("items");
    assertEquals(TestSite.POSTERS, items.size());
    assertEquals(1, items.stream().filter(i -> ((JsonObject) i).getString("poster") != null).count(), items.encode());
    assertEquals(2, job.getJsonObject("stats").getJsonObject("limited").getInteger("crawler.maxDetailPagesPerJob"));
    assertEquals(2, job.getJsonArray("pages").size(), "the listing and one detail page");
  }

  @Test
  void runningJobsAreCappedPerNodeAndPerClient() throws Exception {
    deploy(20, limits(100, 100, 10, 10, 1 << 20, 1 << 20, 1 << 20, 3, 2));
    JsonObject slow = new JsonObject().put("urls", new JsonArray().add(site.url("/sleep/3000")));
    start(slow, "192.0.2.1");
    start(slow, "192.0.2.1");
    ReplyException perClient = refusedStart(slow, "192.0.2.1");
    assertEquals(Addresses.FAILURE_BUSY, perClient.failureCode());
    assertTrue(perClient.getMessage().contains("crawler.maxRunningJobsPerClient"), perClient.getMessage());
    start(slow, "192.0.2.2");
    ReplyException node = refusedStart(slow, "192.0.2.3");
    assertEquals(Addresses.FAILURE_BUSY, node.failureCode());
    assertTrue(node.getMessage().contains("crawler.maxRunningJobs"), node.getMessage());
  }

  @Test
  void pageBytesInFlightAreCappedNodeWideAndGivenBack() throws Exception {
    // 4 pages of 40 KB, each holding half its body for 300 ms: together more than the 64 KiB allowed
    deploy(20, limits(100, 100, 10, 10, 1 << 20, 64 * 1024, 1 << 20, 16, 4));
    JsonArray urls = new JsonArray();
    for (int i = 0; i < 4; i++) {
      urls.add(site.url("/slowbody/40000/" + i));
    }
    JsonObject job = finished(start(new JsonObject().put("urls", urls).put("concurrency", 4).put("retries", 5)
        .put("respectRobots", false), null).getString("id"));
    assertTrue(job.getJsonObject("stats").getJsonObject("limited").getInteger("crawler.maxPageBytesInFlight", 0) >= 1,
        job.encodePrettily());
    for (Object p : job.getJsonArray("pages")) {
      JsonObject page = (JsonObject) p;
      assertEquals("ok", page.getString("status"), "cut off for want of memory, then retried: " + page.encode());
    }
    // every byte was given back: the same pages one at a time all fit again
    JsonObject again = finished(start(new JsonObject().put("urls", urls).put("concurrency", 1)
        .put("respectRobots", false), null).getString("id"));
    assertEquals(4, again.getJsonObject("stats").getInteger("ok"), again.encodePrettily());
    assertFalse(again.getJsonObject("stats").getJsonObject("limited").containsKey("crawler.maxPageBytesInFlight"));
  }

  @Test
  void downloadBytesOnDiskAreCappedNodeWideAndFreedWithTheJobsThatLeaveTheHistory() throws Exception {
    // files are 27-28 bytes; 100 bytes on disk hold three
    deploy(1, limits(100, 100, 10, 100, 1 << 20, 1 << 20, 100, 16, 4));
    JsonObject first = finished(start(downloadsOf().put("urls", new JsonArray().add(site.url("/many/5"))), null)
        .getString("id"));
    long ok = first.getJsonArray("downloads").stream().filter(d -> ((JsonObject) d).getString("status").equals("ok"))
        .count();
    assertEquals(3, ok, first.encodePrettily());
    assertEquals(2, first.getJsonObject("stats").getJsonObject("limited").getInteger("crawler.maxDownloadBytesOnDisk"));
    Path firstDir = dir.resolve("downloads").resolve(first.getString("id"));
    assertTrue(Files.isDirectory(firstDir));

    // historySize 1: starting the next job evicts the first, whose files go and whose bytes are free again
    String second = start(downloadsOf().put("urls", new JsonArray().add(site.url("/many/3/b"))), null).getString("id");
    JsonObject job = finished(second);
    assertFalse(Files.exists(firstDir), "the evicted job's downloads were deleted");
    assertEquals(3, job.getJsonArray("downloads").stream()
        .filter(d -> ((JsonObject) d).getString("status").equals("ok")).count(), job.encodePrettily());
  }

  /** Issue 10: robots.txt fetches count against the job's caps: many origins do not mean as many connections. */
  @Test
  void robotsTxtFetchesCountAgainstTheJobsConcurrency() throws Exception {
    deploy(20, CrawlerLimits.DEFAULTS);
    java.util.concurrent.atomic.AtomicInteger now = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger robots = new java.util.concurrent.atomic.AtomicInteger();
    List<io.vertx.core.http.HttpServer> servers = new java.util.ArrayList<>();
    JsonArray urls = new JsonArray();
    try {
      for (int i = 0; i < 24; i++) {
        io.vertx.core.http.HttpServer server = Await.result(vertx.createHttpServer().requestHandler(req -> {
          most.accumulateAndGet(now.incrementAndGet(), Math::max);
          if (req.path().equals("/robots.txt")) {
            robots.incrementAndGet();
          }
          vertx.setTimer(50, t -> {
            now.decrementAndGet();
            req.response().putHeader("Content-Type", "text/plain").end("User-agent: *\nDisallow: /private/\n");
          });
        }).listen(0, "127.0.0.1"));
        servers.add(server);
        urls.add("http://127.0.0.1:" + server.actualPort() + "/");
      }
      JsonObject job = finished(start(new JsonObject().put("urls", urls).put("concurrency", 4), null).getString("id"));
      assertEquals(24, job.getJsonObject("stats").getInteger("ok"), job.encodePrettily());
      assertEquals(24, robots.get());
      assertTrue(most.get() <= 4, "at most the job's 4 requests at once, robots.txt included; saw " + most.get());
    } finally {
      for (io.vertx.core.http.HttpServer server : servers) {
        Await.result(server.close(), 20);
      }
    }
  }

  /** Issue 10: the history holds at most crawler.maxRecordsKept pages, items and downloads; the oldest jobs go first. */
  @Test
  void recordsKeptAreCappedNodeWideOldestFinishedJobsEvictedFirst() throws Exception {
    Await.result(vertx.deployVerticle(new CrawlerVerticle(new CrawlerConfig("hellonet-test/1.0", 64, 1024 * 1024, 5, 100,
        dir.resolve("downloads"), 1024 * 1024, TestConfig.LOOPBACK_TARGETS, List.of(),
        new CrawlerLimits(2, 1000, 1000, 10, 10, 1 << 20, 1 << 20, 1 << 20, 16, 4, 40)), new CounterRegistry("t"))));
    JsonObject itemsOfTen = new JsonObject().put("respectRobots", false)
        .put("extract", new JsonObject().put("items", ".item").put("fields", new JsonObject().put("f", "a::attr(href)")));
    // 1 page + 10 items = 11 records a job; the ceiling is 40, and finished jobs keep at most half of it
    String first = finished(start(itemsOfTen.copy().put("urls", new JsonArray().add(site.url("/many/10/1"))), null)
        .getString("id")).getString("id");
    String second = finished(start(itemsOfTen.copy().put("urls", new JsonArray().add(site.url("/many/10/2"))), null)
        .getString("id")).getString("id");
    JsonObject third = finished(start(itemsOfTen.copy().put("urls", new JsonArray().add(site.url("/many/10/3"))), null)
        .getString("id"));
    assertEquals(10, third.getJsonArray("items").size(), third.encodePrettily());
    ReplyException gone = assertThrows(ReplyException.class,
        () -> Await.result(vertx.eventBus().request(Addresses.CRAWL_GET, new JsonObject().put("id", first)), 20));
    assertEquals(Addresses.FAILURE_NOT_FOUND, gone.failureCode(), "the oldest job left the history for records");
    // one job cannot take more than the whole ceiling either
    JsonObject big = finished(start(itemsOfTen.copy().put("urls", new JsonArray().add(site.url("/many/60"))), null)
        .getString("id"));
    assertTrue(big.getJsonArray("items").size() < 40, big.getJsonObject("stats").encode());
    assertTrue(big.getJsonObject("stats").getJsonObject("limited").getInteger("crawler.maxRecordsKept") > 0);
    assertTrue(second != null);
  }
}
