package dev.hellonet.crawl;

import dev.hellonet.bus.Addresses;
import dev.hellonet.config.HellonetConfig.CrawlerConfig;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.CrawlJobs;
import dev.hellonet.testing.LogCapture;
import dev.hellonet.testing.TestConfig;
import dev.hellonet.testing.TestSite;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The crawler driven over the event bus, exactly as users drive it, against a site this test serves on loopback. Each
 * test is a sequence of requests and checks, so it waits with {@link Await}; VertxExtension gives each test its Vert.x
 * and closes it.
 */
@ExtendWith(VertxExtension.class)
class CrawlerVerticleTest {
  private static final long MAX_BODY = 64 * 1024;
  private static final long MAX_DOWNLOAD = 256 * 1024;

  @TempDir
  Path dir;
  private Vertx vertx;
  private TestSite site;
  private CounterRegistry registry;
  private String deployment;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    site = TestSite.start(vertx);
    registry = new CounterRegistry("test");
    deploy(TestConfig.LOOPBACK_TARGETS, List.of(), 20);
  }

  private void deploy(List<String> allow, List<String> deny, int historySize) throws Exception {
    CrawlerConfig config = new CrawlerConfig("hellonet-test/1.0", 64, MAX_BODY, 5, historySize,
        dir.resolve("downloads"), MAX_DOWNLOAD, allow, deny);
    deployment = Await.result(vertx.deployVerticle(new CrawlerVerticle(config, registry)), 20);
  }

  /** The crawler again, with other lists or another history size, and counters from zero. */
  private void redeploy(List<String> allow, List<String> deny, int historySize) throws Exception {
    Await.result(vertx.undeploy(deployment), 20);
    registry = new CounterRegistry("test");
    deploy(allow, deny, historySize);
  }

  @AfterEach
  void stop() throws Exception {
    site.close();
  }

  private JsonObject call(String address, JsonObject body) throws Exception {
    return (JsonObject) Await.result(vertx.eventBus().request(address, body), 20).body();
  }

  private ReplyException refused(String address, JsonObject body) throws Exception {
    try {
      call(address, body);
    } catch (ReplyException e) {
      return e;
    }
    return fail("expected " + address + " to refuse " + body.encode());
  }

  private JsonObject startJob(JsonObject request) throws Exception {
    JsonObject job = call(Addresses.CRAWL_START, request);
    assertEquals("running", job.getString("status"));
    assertTrue(job.getString("id").startsWith("j-"));
    return job;
  }

  private JsonObject get(String id) throws Exception {
    return call(Addresses.CRAWL_GET, new JsonObject().put("id", id));
  }

  /** Polls the job until it is no longer running; fails after {@code maxMs}. */
  private JsonObject finished(String id, long maxMs) throws Exception {
    JsonObject job = CrawlJobs.awaitFinished(() -> get(id), Math.max(1, maxMs / 1000));
    assertTrue(job.getString("finishedAt") != null, job::encodePrettily);
    assertEquals(0, job.getJsonObject("stats").getInteger("inFlight"), job::encodePrettily);
    assertEquals(0, job.getJsonObject("stats").getInteger("pending"), job::encodePrettily);
    return job;
  }

  private JsonObject crawl(JsonObject request, long maxMs) throws Exception {
    return finished(startJob(request).getString("id"), maxMs);
  }

  private static JsonObject page(JsonObject job, String url) {
    for (Object p : job.getJsonArray("pages")) {
      if (((JsonObject) p).getString("url").equals(url)) {
        return (JsonObject) p;
      }
    }
    return fail("no page " + url + " in " + job.getJsonArray("pages").encodePrettily());
  }

  private JsonObject request(String... paths) {
    JsonArray urls = new JsonArray();
    for (String p : paths) {
      urls.add(p.startsWith("http") ? p : site.url(p));
    }
    return new JsonObject().put("urls", urls);
  }

  /**
   * Four slow pages are fetched at once, not one after another: the site sees all four in flight together. (The
   * elapsed time once asserted here flaked on a busy machine; the overlap the site saw does not depend on speed.)
   */
  @Test
  void fourSlowPagesAreFetchedAtOnce() throws Exception {
    JsonObject job = crawl(request("/slow/400", "/slow/401", "/slow/402", "/slow/403"), 10_000);

    assertEquals("completed", job.getString("status"));
    JsonObject stats = job.getJsonObject("stats");
    assertEquals(4, stats.getInteger("pages"));
    assertEquals(4, stats.getInteger("ok"));
    assertEquals(4, site.maxInFlight.get(), "all four pages were in flight at the site at once");
    assertTrue(stats.getLong("elapsedMs") >= 400, "cannot be faster than the slowest page: " + stats);
    assertEquals("slow 401", page(job, site.url("/slow/401")).getString("title"));
    assertEquals(200, page(job, site.url("/slow/401")).getInteger("httpStatus"));
  }

  @Test
  void concurrencyCapsHoldOverallAndPerHost() throws Exception {
    JsonArray urls = new JsonArray();
    for (int i = 0; i < 20; i++) {
      urls.add(site.url("/slow/" + (30 + i)));
      urls.add(site.otherHostUrl("/slow/" + (30 + i)));
    }
    JsonObject job = crawl(new JsonObject().put("urls", urls).put("concurrency", 3).put("perHostConcurrency", 2),
        20_000);

    assertEquals(40, job.getJsonObject("stats").getInteger("ok"));
    assertEquals(3, site.maxInFlight.get(), "overall cap 3 reached and never passed");
    assertEquals(2, site.maxByHost.get("127.0.0.1").get(), "per-host cap 2 reached and never passed");
    assertEquals(2, site.maxByHost.get("localhost").get(), "per-host cap 2 reached and never passed");
  }

  @Test
  void concurrencyCapHoldsOnOneHost() throws Exception {
    JsonArray urls = new JsonArray();
    for (int i = 0; i < 25; i++) {
      urls.add(site.url("/slow/" + (30 + i)));
    }
    JsonObject job = crawl(new JsonObject().put("urls", urls).put("concurrency", 5).put("perHostConcurrency", 8),
        20_000);

    assertEquals(25, job.getJsonObject("stats").getInteger("ok"));
    assertEquals(5, site.maxInFlight.get(), "the job's cap 5 binds before the per-host 8");
  }

  @Test
  void listingThenDetailPagesThenPostersStreamedToDisk() throws Exception {
    JsonObject request = request("/later/beijing")
        .put("extract", new JsonObject()
            .put("items", "#showing-soon .item")
            .put("fields", new JsonObject().put("name", "h3 a::text").put("date", "li.dt::text")
                .put("url", "h3 a::attr(href)"))
            .put("follow", "url")
            .put("detail", new JsonObject().put("poster", "#mainpic img::attr(src)")))
        .put("download", new JsonObject().put("field", "poster"));
    JsonObject job = crawl(request, 10_000);

    assertEquals("completed", job.getString("status"));
    JsonArray expected = new JsonArray();
    for (int i = 1; i <= TestSite.POSTERS; i++) {
      expected.add(new JsonObject().put("name", "Movie " + i).put("date", "07月1" + i + "日")
          .put("url", site.url("/subject/" + i + "/")).put("poster", site.url("/img/p" + i + ".jpg")));
    }
    assertEquals(expected, job.getJsonArray("items"));
    assertEquals(1 + TestSite.POSTERS, job.getJsonArray("pages").size(), "the listing and one page per movie");
    JsonArray downloads = job.getJsonArray("downloads");
    assertEquals(TestSite.POSTERS, downloads.size());
    Path jobDir = dir.resolve("downloads").resolve(job.getString("id"));
    // downloads are listed in the order they start, which follows the detail pages' completion
    Map<String, JsonObject> byFile = new java.util.HashMap<>();
    downloads.forEach(d -> byFile.put(((JsonObject) d).getString("file"), (JsonObject) d));
    for (int i = 1; i <= TestSite.POSTERS; i++) {
      JsonObject d = byFile.get("p" + i + ".jpg");
      assertEquals(site.url("/img/p" + i + ".jpg"), d.getString("url"));
      assertEquals("ok", d.getString("status"), d.encode());
      byte[] onDisk = Files.readAllBytes(jobDir.resolve("p" + i + ".jpg"));
      assertArrayEquals(TestSite.poster(i), onDisk);
      assertEquals(onDisk.length, d.getLong("bytes"));
    }
    try (var files = Files.list(jobDir)) {
      assertEquals(TestSite.POSTERS, files.count(), "no .part files left behind");
    }
    assertEquals(TestSite.POSTERS, job.getJsonObject("stats").getInteger("downloads"));
  }

  @Test
  void downloadsAreCappedDeduplicatedAndNeverLeftPartial() throws Exception {
    JsonObject job = crawl(request("/gallery")
        .put("extract", new JsonObject().put("items", ".item")
            .put("fields", new JsonObject().put("image", "img::attr(src)")))
        .put("download", new JsonObject().put("field", "image")), 10_000);

    assertEquals("completed", job.getString("status"));
    JsonArray downloads = job.getJsonArray("downloads");
    assertEquals(4, downloads.size(), downloads.encodePrettily());
    JsonObject huge = downloads.getJsonObject(0);
    assertEquals("error", huge.getString("status"));
    assertTrue(huge.getString("error").contains("larger than " + MAX_DOWNLOAD), huge.getString("error"));
    assertEquals(1, huge.getInteger("attempts"));
    JsonObject poster = downloads.getJsonObject(1);
    assertEquals("ok", poster.getString("status"));
    JsonObject duplicate = downloads.getJsonObject(2);
    assertEquals("skipped", duplicate.getString("status"));
    assertEquals(site.url("/img/p1.jpg"), duplicate.getString("url"));
    JsonObject missing = downloads.getJsonObject(3);
    assertEquals("error", missing.getString("status"));
    assertEquals(404, missing.getInteger("httpStatus"));
    assertEquals(1, site.hits("/thumb/9.jpg"), "a 404 is final, not retried");
    Path jobDir = dir.resolve("downloads").resolve(job.getString("id"));
    try (var files = Files.list(jobDir)) {
      assertEquals(List.of(jobDir.resolve("p1.jpg")), files.toList(), "only the complete file; no .part left");
    }
    assertArrayEquals(TestSite.poster(1), Files.readAllBytes(jobDir.resolve("p1.jpg")));
    assertTrue(site.endlessBytesWritten.get() < 32L * 1024 * 1024, "the endless image was cut off");
  }

  /** Issue 10: the download named a.part was overwritten by the temporary file of the download named a. */
  @Test
  void aDownloadNamedLikeAnotherOnesTemporaryFileKeepsItsContent() throws Exception {
    JsonObject job = crawl(request("/files").put("concurrency", 1)
        .put("extract", new JsonObject().put("items", ".item").put("fields", new JsonObject().put("f", "a::attr(href)")))
        .put("download", new JsonObject().put("field", "f")), 10_000);
    Path jobDir = dir.resolve("downloads").resolve(job.getString("id"));
    for (Object d : job.getJsonArray("downloads")) {
      assertEquals("ok", ((JsonObject) d).getString("status"), ((JsonObject) d).encode());
    }
    assertEquals("content of /file/a.part", Files.readString(jobDir.resolve("a.part")));
    assertEquals("content of /file/a", Files.readString(jobDir.resolve("a")));
    try (var files = Files.list(jobDir)) {
      assertEquals(2, files.count(), "no temporary file left behind");
    }
  }

  @Test
  void slowPageTimesOutAndTheJobEnds() throws Exception {
    long t0 = System.nanoTime();
    JsonObject job = crawl(request("/sleep/5000", "/slow/10").put("timeoutMs", 300).put("retries", 0), 10_000);
    long ms = (System.nanoTime() - t0) / 1_000_000;

    assertEquals("completed", job.getString("status"));
    JsonObject slow = page(job, site.url("/sleep/5000"));
    assertEquals("timeout", slow.getString("status"));
    assertTrue(slow.getString("error").contains("300 ms"), slow.getString("error"));
    assertEquals("ok", page(job, site.url("/slow/10")).getString("status"));
    assertTrue(ms < 3000, "the job ends soon after the timeout, not when the page would have answered: " + ms);
  }

  @Test
  void serverErrorsAreRetriedWithBackoff() throws Exception {
    JsonObject job = crawl(request("/flaky/a/2", "/always503").put("retries", 2), 10_000);

    JsonObject recovered = page(job, site.url("/flaky/a/2"));
    assertEquals("ok", recovered.getString("status"));
    assertEquals(3, recovered.getInteger("attempts"));
    assertEquals(3, site.hits("/flaky/a/2"));
    JsonObject down = page(job, site.url("/always503"));
    assertEquals("error", down.getString("status"));
    assertEquals(503, down.getInteger("httpStatus"));
    assertEquals(3, down.getInteger("attempts"));
    assertEquals(3, site.hits("/always503"), "one request plus two retries");
    assertTrue(down.getString("error").contains("HTTP 503"), down.getString("error"));

    JsonObject noRetry = crawl(request("/flaky/b/1").put("retries", 0), 10_000);
    assertEquals("error", page(noRetry, site.url("/flaky/b/1")).getString("status"));
    assertEquals(1, site.hits("/flaky/b/1"));
  }

  @Test
  void refusedConnectionIsAnErrorAfterRetries() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closedPort + "/nothing";
    JsonObject job = crawl(request(url, "/slow/5").put("retries", 1), 10_000);

    assertEquals("completed", job.getString("status"));
    JsonObject p = page(job, url);
    assertEquals("error", p.getString("status"));
    assertEquals(2, p.getInteger("attempts"));
    assertTrue(p.getString("error").contains("cannot connect"), p.getString("error"));
    assertNull(p.getValue("httpStatus"));
    assertEquals(1, job.getJsonObject("stats").getInteger("ok"));
    assertEquals(1, job.getJsonObject("stats").getInteger("failed"));
  }

  @Test
  void unresolvableHostIsAnError() throws Exception {
    // .invalid never resolves (RFC 6761), so this needs no network
    String url = "http://no-such-host.invalid/";
    JsonObject job = crawl(request(url), 15_000);

    JsonObject p = page(job, url);
    assertEquals("error", p.getString("status"));
    assertTrue(p.getString("error").startsWith("cannot resolve no-such-host.invalid"), p.getString("error"));
  }

  @Test
  void redirectsAreFollowedCountedAndLoopsDetected() throws Exception {
    JsonObject job = crawl(request("/loop/a", "/hop/3", "/hop/9"), 10_000);

    JsonObject loop = page(job, site.url("/loop/a"));
    assertEquals("error", loop.getString("status"));
    assertTrue(loop.getString("error").startsWith("redirect loop: " + site.url("/loop/a") + " -> "
        + site.url("/loop/b") + " -> " + site.url("/loop/a")), loop.getString("error"));
    assertEquals(1, site.hits("/loop/a"));
    assertEquals(1, site.hits("/loop/b"));

    JsonObject followed = page(job, site.url("/hop/3"));
    assertEquals("ok", followed.getString("status"));
    assertEquals(site.url("/slow/1"), followed.getString("finalUrl"));

    JsonObject tooMany = page(job, site.url("/hop/9"));
    assertEquals("error", tooMany.getString("status"));
    assertTrue(tooMany.getString("error").contains("more than 5 redirects"), tooMany.getString("error"));
  }

  @Test
  void oversizeBodyIsCutOffNotBuffered() throws Exception {
    JsonObject job = crawl(request("/endless").put("retries", 3), 10_000);

    JsonObject p = page(job, site.url("/endless"));
    assertEquals("error", p.getString("status"));
    assertTrue(p.getString("error").contains("larger than " + MAX_BODY), p.getString("error"));
    assertEquals(1, p.getInteger("attempts"), "an over-size body is not retried");
    assertTrue(p.getLong("bytes") > MAX_BODY && p.getLong("bytes") < 4 * MAX_BODY, "bytes " + p.getLong("bytes"));
    long wait = System.nanoTime() + 3_000_000_000L;
    while (site.resetByClient.get() == 0 && System.nanoTime() < wait) {
      Thread.sleep(10);
    }
    assertEquals(1, site.resetByClient.get(), "the crawler closed the connection mid-body");
    long written = site.endlessBytesWritten.get();
    Thread.sleep(200);
    assertEquals(written, site.endlessBytesWritten.get(), "the server stopped writing: the connection was cut");
    assertTrue(written < 32L * 1024 * 1024, "cut off early, not drained: " + written);
  }

  @Test
  void robotsTxtDisallowSkipsThePage() throws Exception {
    JsonObject job = crawl(request("/private/secret", "/slow/1"), 10_000);

    JsonObject p = page(job, site.url("/private/secret"));
    assertEquals("skipped", p.getString("status"));
    assertTrue(p.getString("error").contains("robots.txt"), p.getString("error"));
    assertEquals(0, site.hits("/private/secret"));
    assertEquals(1, site.hits("/robots.txt"), "robots.txt read once per host per job");

    JsonObject ignoring = crawl(request("/private/secret").put("respectRobots", false), 10_000);
    assertEquals("ok", page(ignoring, site.url("/private/secret")).getString("status"));
  }

  @Test
  void robotsTxtServerErrorDisallowsTheSiteAndMissingRobotsAllowsIt() throws Exception {
    try (TestSite down = TestSite.withRobotsStatus(vertx, 503); TestSite none = TestSite.withRobotsStatus(vertx, 404)) {
      JsonObject job = crawl(request(down.url("/slow/1"), none.url("/slow/2")).put("retries", 0), 10_000);

      JsonObject refused = page(job, down.url("/slow/1"));
      assertEquals("skipped", refused.getString("status"));
      assertTrue(refused.getString("error").contains("answered HTTP 503"), refused.getString("error"));
      assertEquals(0, down.hits("/slow/1"));
      assertEquals("ok", page(job, none.url("/slow/2")).getString("status"));
    }
  }

  @Test
  void cancelStopsTheJobAndAbortsRequestsInFlight() throws Exception {
    JsonObject request = request("/sleep/8000", "/sleep/8001", "/sleep/8002", "/sleep/8003")
        .put("concurrency", 2).put("timeoutMs", 60_000);
    String id = startJob(request).getString("id");
    // The site is the later of the two to count a request, so waiting for it covers the crawler too. No deadline
    // but Await's: on a busy machine the two connections may take a while.
    Await.result(site.whenInFlight(2));
    assertEquals(2, get(id).getJsonObject("stats").getInteger("inFlight"));

    JsonObject cancelled = call(Addresses.CRAWL_CANCEL, new JsonObject().put("id", id));

    assertEquals("cancelled", cancelled.getString("status"));
    assertEquals("cancelled by request", cancelled.getString("error"));
    for (Object p : cancelled.getJsonArray("pages")) {
      assertEquals("cancelled", ((JsonObject) p).getString("status"));
    }
    JsonObject job = finished(id, 10_000);
    assertEquals("cancelled", job.getString("status"));
    // Ends well before the 8 s pages would: the crawler reset both connections.
    Await.result(site.whenInFlight(0), 5);
    assertEquals(2, site.resetByClient.get(), "requests in flight were aborted");
    assertEquals(0, site.hits("/sleep/8002") + site.hits("/sleep/8003"), "no new requests after cancel");
    // cancelling a finished job changes nothing
    assertEquals("cancelled", call(Addresses.CRAWL_CANCEL, new JsonObject().put("id", id)).getString("status"));
  }

  @Test
  void jobPastItsDeadlineEnds() throws Exception {
    long t0 = System.nanoTime();
    JsonObject job = crawl(request("/slow/10", "/sleep/6000").put("deadlineMs", 400), 5_000);
    long ms = (System.nanoTime() - t0) / 1_000_000;

    assertEquals("cancelled", job.getString("status"));
    assertEquals("deadline of 400 ms exceeded", job.getString("error"));
    assertEquals("ok", page(job, site.url("/slow/10")).getString("status"));
    JsonObject late = page(job, site.url("/sleep/6000"));
    assertEquals("cancelled", late.getString("status"));
    assertEquals("deadline of 400 ms exceeded", late.getString("error"));
    assertTrue(ms < 2_500, "ended at the deadline: " + ms);
  }

  @Test
  void linksAreFollowedToDepthWithinScopeAndDeduplicated() throws Exception {
    JsonObject job = crawl(request("/tree/1").put("maxDepth", 2), 10_000);

    List<String> urls = new ArrayList<>();
    for (Object p : job.getJsonArray("pages")) {
      urls.add(((JsonObject) p).getString("url"));
      assertEquals("ok", ((JsonObject) p).getString("status"));
    }
    urls.sort(null);
    List<String> expected = new ArrayList<>();
    for (int n = 1; n <= 7; n++) {
      expected.add(site.url("/tree/" + n));
    }
    expected.sort(null);
    assertEquals(expected, urls, "depth 0..2 of the tree, each once, nothing off-host");
    assertEquals(1, site.hits("/tree/2"));

    JsonObject any = crawl(request("/tree/1").put("maxDepth", 1).put("scope", "any"), 10_000);
    assertEquals(4, any.getJsonArray("pages").size(), "root, two children and the off-host page");
    assertEquals("ok", page(any, site.otherHostUrl("/tree/999")).getString("status"));

    JsonObject capped = crawl(request("/tree/1").put("maxDepth", 5).put("maxPages", 10), 10_000);
    assertEquals(10, capped.getJsonArray("pages").size());
  }

  @Test
  void invalidRequestsAreRefusedNamingTheFieldAndCreateNoJob() throws Exception {
    Map<String, JsonObject> cases = new java.util.LinkedHashMap<>();
    cases.put("urls", new JsonObject());
    cases.put("urls:", new JsonObject().put("urls", new JsonArray()));
    cases.put("urls[1]", request("/slow/1").put("urls", new JsonArray().add(site.url("/a")).add("/relative")));
    cases.put("urls[0]", new JsonObject().put("urls", new JsonArray().add("ftp://example.org/file")));
    cases.put("concurrency", request("/slow/1").put("concurrency", 0));
    cases.put("perHostConcurrency", request("/slow/1").put("perHostConcurrency", 65));
    cases.put("timeoutMs", request("/slow/1").put("timeoutMs", "fast"));
    cases.put("retries", request("/slow/1").put("retries", 1.5));
    cases.put("scope", request("/slow/1").put("scope", "everywhere"));
    cases.put("colour", request("/slow/1").put("colour", "blue"));
    cases.put("extract.fields.name", request("/slow/1").put("extract",
        new JsonObject().put("fields", new JsonObject().put("name", "h3[::text"))));
    cases.put("extract.items", request("/slow/1").put("extract",
        new JsonObject().put("items", "div >> p").put("fields", new JsonObject().put("a", "a"))));
    cases.put("extract.follow", request("/slow/1").put("extract", new JsonObject()
        .put("fields", new JsonObject().put("a", "a")).put("follow", "b")
        .put("detail", new JsonObject().put("c", "img::attr(src)"))));
    cases.put("download", request("/slow/1").put("download", new JsonObject().put("field", "x")));
    cases.put("download.field", request("/slow/1")
        .put("extract", new JsonObject().put("fields", new JsonObject().put("a", "a")))
        .put("download", new JsonObject().put("field", "x")));
    for (Map.Entry<String, JsonObject> c : cases.entrySet()) {
      String field = c.getKey().endsWith(":") ? c.getKey().substring(0, c.getKey().length() - 1) : c.getKey();
      ReplyException e = refused(Addresses.CRAWL_START, c.getValue());
      assertEquals(Addresses.FAILURE_INVALID, e.failureCode(), e.getMessage());
      assertTrue(e.getMessage().startsWith(field + ": "), "message should name " + field + ": " + e.getMessage());
    }
    ReplyException notJson = refused(Addresses.CRAWL_START, null);
    assertEquals(Addresses.FAILURE_INVALID, notJson.failureCode());
    JsonObject listed = call(Addresses.CRAWL_LIST, new JsonObject());
    assertEquals(0, listed.getJsonArray("jobs").size(), "no job was created");
    assertEquals(0, site.hits.values().stream().mapToInt(java.util.concurrent.atomic.AtomicInteger::get).sum());
  }

  @Test
  void unknownJobsAreNotFoundAndListingPagesNewestFirst() throws Exception {
    assertEquals(Addresses.FAILURE_NOT_FOUND, refused(Addresses.CRAWL_GET, new JsonObject().put("id", "j-x")).failureCode());
    assertEquals(Addresses.FAILURE_NOT_FOUND,
        refused(Addresses.CRAWL_CANCEL, new JsonObject().put("id", "j-x")).failureCode());
    assertEquals(Addresses.FAILURE_INVALID, refused(Addresses.CRAWL_GET, new JsonObject()).failureCode());

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(crawl(request("/slow/" + i), 5_000).getString("id"));
    }
    JsonObject first = call(Addresses.CRAWL_LIST, new JsonObject().put("limit", 2));
    assertEquals(2, first.getJsonArray("jobs").size());
    assertEquals(ids.get(2), first.getJsonArray("jobs").getJsonObject(0).getString("id"));
    assertEquals(ids.get(1), first.getJsonArray("jobs").getJsonObject(1).getString("id"));
    assertFalse(first.getJsonArray("jobs").getJsonObject(0).containsKey("pages"), "listings leave out pages");
    JsonObject second = call(Addresses.CRAWL_LIST, new JsonObject().put("limit", 2)
        .put("cursor", first.getString("nextCursor")));
    assertEquals(1, second.getJsonArray("jobs").size());
    assertEquals(ids.get(0), second.getJsonArray("jobs").getJsonObject(0).getString("id"));
    assertNull(second.getString("nextCursor"));
    assertEquals(Addresses.FAILURE_INVALID,
        refused(Addresses.CRAWL_LIST, new JsonObject().put("limit", 0)).failureCode());

    JsonObject counters = registry.snapshot().getJsonObject("crawler").getJsonObject("total");
    assertEquals(3, counters.getLong("jobsStarted"));
    assertEquals(3, counters.getLong("jobsFinished"));
    assertEquals(0, counters.getLong("jobsRunning"));
    assertEquals(3, counters.getLong("pagesFetched"));
    assertEquals(0, counters.getLong("inFlight"));
    assertTrue(counters.getLong("bytes") > 0);
  }

  @Test
  void historyIsBoundedOldestFinishedEvictedFirst() throws Exception {
    redeploy(TestConfig.LOOPBACK_TARGETS, List.of(), 2);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(crawl(request("/slow/" + i), 5_000).getString("id"));
    }
    assertEquals(Addresses.FAILURE_NOT_FOUND, refused(Addresses.CRAWL_GET, new JsonObject().put("id", ids.get(0))).failureCode());
    assertEquals("completed", get(ids.get(1)).getString("status"));
    assertEquals("completed", get(ids.get(2)).getString("status"));

    // two running jobs fill a history of two: the third is refused as busy, not queued
    String a = startJob(request("/sleep/3000")).getString("id");
    String b = startJob(request("/sleep/3001")).getString("id");
    assertEquals(Addresses.FAILURE_BUSY, refused(Addresses.CRAWL_START, request("/slow/1")).failureCode());
    call(Addresses.CRAWL_CANCEL, new JsonObject().put("id", a));
    call(Addresses.CRAWL_CANCEL, new JsonObject().put("id", b));
  }

  @Test
  void loopbackIsDeniedByDefaultAndTheReasonSaysHowToOpenIt() throws Exception {
    redeploy(List.of(), List.of(), 20);

    JsonObject job = crawl(request("/slow/1").put("urls", new JsonArray().add(site.url("/slow/1"))
        .add(site.otherHostUrl("/slow/2"))), 5_000);

    for (Object p : job.getJsonArray("pages")) {
      JsonObject page = (JsonObject) p;
      assertEquals("skipped", page.getString("status"), page::encode);
      assertTrue(page.getString("error").contains("127.0.0.0/8") && page.getString("error").contains("crawler.allow"),
          page::encode);
    }
    assertEquals(0, site.hits.values().stream().mapToInt(java.util.concurrent.atomic.AtomicInteger::get).sum());
  }

  @Test
  void deniedTargetsAreSkippedBeforeAnyConnection() throws Exception {
    redeploy(TestConfig.LOOPBACK_TARGETS, List.of("127.0.0.0/8", "::1/128"), 20);

    JsonObject job = crawl(request("/slow/1").put("urls", new JsonArray().add(site.url("/slow/1"))
        .add(site.otherHostUrl("/slow/2"))), 5_000);

    for (Object p : job.getJsonArray("pages")) {
      JsonObject page = (JsonObject) p;
      assertEquals("skipped", page.getString("status"));
      assertTrue(page.getString("error").contains("crawler.deny"), page.getString("error"));
    }
    assertEquals(0, site.hits.values().stream().mapToInt(java.util.concurrent.atomic.AtomicInteger::get).sum());
  }

  /**
   * Issue 10: IPv6 and unspecified forms of a denied address, as seeds and as redirect targets, are refused even when
   * the deny list names only the IPv4 address; so is a host name with a trailing dot. The redirecting site is on
   * 127.0.0.2, the denied one on 127.0.0.1.
   */
  @Test
  void deniedAddressesInEveryFormAreRefusedAsSeedsAndThroughRedirects() throws Exception {
    redeploy(TestConfig.LOOPBACK_TARGETS, List.of("127.0.0.1/32", "::1/128", "localhost"), 20);
    int port = site.port();
    List<String> targets = List.of("http://0.0.0.0:" + port + "/slow/1", "http://[::]:" + port + "/slow/1",
        "http://[::ffff:127.0.0.1]:" + port + "/slow/1", "http://[::127.0.0.1]:" + port + "/slow/1",
        "http://[64:ff9b::7f00:1]:" + port + "/slow/1", "http://localhost.:" + port + "/slow/1");
    try (TestSite redirector = TestSite.on(vertx, "127.0.0.2")) {
      JsonArray urls = new JsonArray();
      for (String target : targets) {
        urls.add(target.replace("/slow/1", "/slow/2"));
        urls.add(redirector.url("/to?u=" + java.net.URLEncoder.encode(target, java.nio.charset.StandardCharsets.UTF_8)));
      }
      JsonObject job = crawl(new JsonObject().put("urls", urls).put("scope", "any"), 10_000);
      for (Object p : job.getJsonArray("pages")) {
        JsonObject page = (JsonObject) p;
        assertEquals("skipped", page.getString("status"), page::encode);
        assertTrue(page.getString("error").contains("crawler.deny"), page::encode);
      }
      assertEquals(targets.size(), redirector.hits("/to"), "every redirect was read, none followed");
    }
    assertEquals(0, site.hits.values().stream().mapToInt(java.util.concurrent.atomic.AtomicInteger::get).sum(),
        "the denied site saw no request");
  }

  /**
   * Issue 10: cancelling a 64-concurrency crawl of a fast local site logged pairs of "Stream reset" and a
   * NullPointerException from the WebClient for requests aborted before they were sent. A cancel logs one line.
   */
  @Test
  void cancelOfABusyCrawlLogsOneLine() throws Exception {
    try (LogCapture log = LogCapture.all()) {
      // Cancel at several moments: while the first connections are being made, and once the pool is warm.
      for (int pages : new int[] {2, 70, 400}) {
        JsonArray seeds = new JsonArray();
        for (int i = 1; i <= 64; i++) {
          seeds.add(site.url("/tree/" + (1000 + i)));
        }
        String id = startJob(new JsonObject().put("urls", seeds).put("respectRobots", false)
            .put("maxDepth", 30).put("maxPages", 5_000).put("concurrency", 64).put("perHostConcurrency", 64))
            .getString("id");
        long end = System.nanoTime() + 5_000_000_000L;
        while (get(id).getJsonObject("stats").getInteger("ok") < pages - 2 && System.nanoTime() < end) {
          Thread.yield();
        }
        log.clear();
        call(Addresses.CRAWL_CANCEL, new JsonObject().put("id", id));
        finished(id, 5_000);
        // Aborted requests have settled once the site has seen each of them end (answered or cut off by the
        // crawler, which logs nothing about it): a condition, where a fixed sleep was too short on a loaded machine.
        Await.result(site.whenInFlight(0));
        // A loaded machine makes Vert.x warn of blocked threads; that says nothing about the crawl.
        List<String> lines = log.lines().stream().filter(l -> !l.contains("BlockedThreadChecker")).toList();
        assertEquals(1, lines.size(), "cancel after " + pages + " pages: " + String.join("\n", lines));
        assertTrue(lines.get(0).contains(id) && lines.get(0).contains("cancelled"), lines.get(0));
      }
    }
  }

  /** Issue 10: a job is read in windows of its pages, items and downloads, with the totals, never copied whole. */
  @Test
  void aJobIsReadInWindowsWithItsTotals() throws Exception {
    JsonObject job = crawl(request("/tree/1").put("maxDepth", 10).put("maxPages", 60)
        .put("extract", new JsonObject().put("fields", new JsonObject().put("title", "title"))), 10_000);
    JsonObject totals = job.getJsonObject("window").getJsonObject("totals");
    assertEquals(60, totals.getInteger("pages"));
    assertEquals(job.getJsonObject("stats").getInteger("items"), totals.getInteger("items"));
    JsonArray all = job.getJsonArray("pages");
    assertEquals(60, all.size(), "60 fit in the default window");
    JsonObject window = call(Addresses.CRAWL_GET, new JsonObject().put("id", job.getString("id"))
        .put("offset", 10).put("limit", 5));
    assertEquals(new JsonArray(all.getList().subList(10, 15)), window.getJsonArray("pages"));
    assertEquals(new JsonArray(job.getJsonArray("items").getList().subList(10, 15)), window.getJsonArray("items"));
    assertEquals(new JsonObject().put("offset", 10).put("limit", 5).put("totals", totals), window.getJsonObject("window"));
    JsonObject past = call(Addresses.CRAWL_GET, new JsonObject().put("id", job.getString("id")).put("offset", 1000));
    assertEquals(0, past.getJsonArray("pages").size());
    assertEquals(totals, past.getJsonObject("window").getJsonObject("totals"));
    for (JsonObject bad : List.of(new JsonObject().put("limit", 0), new JsonObject().put("limit", 10_001),
        new JsonObject().put("offset", -1), new JsonObject().put("offset", 1.5))) {
      ReplyException e = refused(Addresses.CRAWL_GET, bad.put("id", job.getString("id")));
      assertEquals(Addresses.FAILURE_INVALID, e.failureCode());
      assertTrue(e.getMessage().startsWith(bad.fieldNames().iterator().next() + ":"), e.getMessage());
    }
  }

  /** Issue 10: this robots.txt froze the crawler's event loop (the matcher backtracked exponentially). */
  @Test
  void hostileRobotsTxtDoesNotFreezeTheCrawler() throws Exception {
    try (TestSite hostile = TestSite.withRobots(vertx,
        "User-agent: *\nDisallow: /*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n")) {
      String url = hostile.url("/" + "a".repeat(60));
      JsonObject job = crawl(new JsonObject().put("urls", new JsonArray().add(url)), 20_000);
      assertEquals("completed", job.getString("status"), job::encodePrettily);
      JsonObject page = page(job, url);
      assertEquals("error", page.getString("status"), "allowed by robots.txt, then 404: " + page.encode());
      assertEquals(404, page.getInteger("httpStatus"));
      assertEquals(1, hostile.hits("/robots.txt"));
    }
  }
}
