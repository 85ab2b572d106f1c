package dev.hellonet.api;

import dev.hellonet.guard.KernelDefences;
import dev.hellonet.testing.CrawlJobs;
import dev.hellonet.testing.LineClient;
import dev.hellonet.testing.TestSite;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * REST contract tests against a real node over HTTP: every endpoint, every error status with its JSON body, the
 * counters' exactness with a real TCP client; every answer, refusals included, is checked against the OpenAPI
 * document the server serves (by {@link ApiNode}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiTest {
  static final int MAX_BODY = 4096;
  @TempDir
  static Path dir;
  private ApiNode api;
  private TestSite site;

  @BeforeAll
  void start() throws Exception {
    api = ApiNode.start(dir, c -> c.set("api.maxBodyBytes", MAX_BODY));
    site = TestSite.standalone();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      api.close();
    } finally {
      site.close();
    }
  }

  /** Asserts an error answer: the status, a JSON body with the code, a message and a details array. */
  private static JsonObject assertError(HttpResponse<Buffer> r, int status, String code) {
    assertEquals(status, r.statusCode(), () -> "body: " + r.bodyAsString());
    assertTrue(r.getHeader("Content-Type").startsWith("application/json"), r.getHeader("Content-Type"));
    JsonObject body = r.bodyAsJsonObject();
    assertEquals(code, body.getString("error"), body::encode);
    assertFalse(body.getString("message").isBlank(), body::encode);
    assertNotNull(body.getJsonArray("details"), body::encode);
    return body;
  }

  private String startCrawl(String json) throws Exception {
    HttpResponse<Buffer> r = api.postJson("/api/crawls", json);
    assertEquals(202, r.statusCode(), r::bodyAsString);
    String id = r.bodyAsJsonObject().getString("id");
    assertEquals("/api/crawls/" + id, r.getHeader("Location"));
    return id;
  }

  private JsonObject awaitFinished(String id) throws Exception {
    return CrawlJobs.awaitFinished(() -> api.getJson("/api/crawls/" + id), 15);
  }

  @Test
  void crawlStartsRunsAndIsReportedInFull() throws Exception {
    String id = startCrawl(new JsonObject()
        .put("urls", new JsonArray().add(site.url("/")))
        .put("extract", new JsonObject().put("items", "li.item")
            .put("fields", new JsonObject().put("name", "a::text").put("link", "a::attr(href)"))).encode());
    JsonObject job = awaitFinished(id);
    assertEquals("completed", job.getString("status"), job::encodePrettily);
    assertEquals(TestSite.HOME_ITEMS, job.getJsonArray("items").size());
    assertEquals("Item 1", job.getJsonArray("items").getJsonObject(0).getString("name"));
    api.get("/api/crawls/" + id);

    HttpResponse<Buffer> window = api.get("/api/crawls/" + id + "?offset=1&limit=2");
    JsonObject part = window.bodyAsJsonObject();
    assertEquals(new JsonArray(job.getJsonArray("items").getList().subList(1, 3)), part.getJsonArray("items"));
    assertEquals(TestSite.HOME_ITEMS, part.getJsonObject("window").getJsonObject("totals").getInteger("items"));
    assertError(api.get("/api/crawls/" + id + "?limit=10001"), 400, "invalid_request");
  }

  @Test
  void listIsNewestFirstPagedWithACursorAndWithoutPages() throws Exception {
    String body = new JsonObject().put("urls", new JsonArray().add(site.url("/page"))).encode();
    String first = startCrawl(body);
    String second = startCrawl(body);
    String third = startCrawl(body);

    HttpResponse<Buffer> page1 = api.get("/api/crawls?limit=2");
    assertEquals(200, page1.statusCode(), page1::bodyAsString);
    JsonArray jobs = page1.bodyAsJsonObject().getJsonArray("jobs");
    assertEquals(2, jobs.size());
    assertEquals(third, jobs.getJsonObject(0).getString("id"));
    assertEquals(second, jobs.getJsonObject(1).getString("id"));
    assertNull(jobs.getJsonObject(0).getValue("pages"), "listed jobs carry no page list");
    String cursor = page1.bodyAsJsonObject().getString("nextCursor");
    assertEquals(second, cursor);

    JsonObject page2 = api.getJson("/api/crawls?limit=2&cursor=" + cursor);
    assertEquals(first, page2.getJsonArray("jobs").getJsonObject(0).getString("id"));
    assertEquals(200, api.get("/api/crawls").statusCode());
  }

  @Test
  void deleteCancelsARunningJob() throws Exception {
    String id = startCrawl(new JsonObject().put("urls", new JsonArray().add(site.url("/slow"))).encode());
    HttpResponse<Buffer> r = api.send(HttpMethod.DELETE, "/api/crawls/" + id, null, null);
    assertEquals(202, r.statusCode(), r::bodyAsString);
    JsonObject job = awaitFinished(id);
    assertEquals("cancelled", job.getString("status"), job::encodePrettily);
    assertEquals("cancelled", r.bodyAsJsonObject().getString("status"));
  }

  @Test
  void unknownJobIs404ForGetAndDelete() throws Exception {
    assertError(api.get("/api/crawls/j-abc-0123abcd"), 404, "not_found");
    assertError(api.send(HttpMethod.DELETE, "/api/crawls/j-abc-0123abcd", null, null), 404, "not_found");
    assertError(api.get("/api/crawls/nonsense%20id"), 404, "not_found");
  }

  @Test
  void countersGrowByExactlyTheRepliesAClientReceived() throws Exception {
    long before = replies();
    int n = 1234;
    try (LineClient c = LineClient.connect(api.node.helloPort())) {
      c.send(LineClient.requests(n));
      Set<Long> seen = new HashSet<>();
      for (int i = 0; i < n; i++) {
        assertTrue(seen.add(c.readNumber()));
      }
    }
    // Idle now: every reply counted is a reply received, so the growth is exact.
    assertEquals(before + n, replies());

    HttpResponse<Buffer> r = api.get("/api/counters");
    JsonObject hello = r.bodyAsJsonObject().getJsonObject("hello");
    long sum = 0;
    for (Object o : hello.getJsonArray("instances")) {
      sum += ((JsonObject) o).getLong("replies");
    }
    assertEquals(2, hello.getJsonArray("instances").size(), "one entry per hello instance");
    assertEquals(hello.getJsonObject("total").getLong("replies"), sum, "total is the sum of the instances");
    assertNotNull(r.bodyAsJsonObject().getJsonObject("crawler"), "crawler counters are there too");
  }

  private long replies() throws Exception {
    return api.getJson("/api/counters").getJsonObject("hello").getJsonObject("total").getLong("replies");
  }

  @Test
  void statusDescribesTheNode() throws Exception {
    HttpResponse<Buffer> r = api.get("/api/status");
    assertEquals(200, r.statusCode(), r::bodyAsString);
    JsonObject s = r.bodyAsJsonObject();
    assertFalse(s.getString("version").isBlank());
    assertTrue(s.getLong("uptimeMs") >= 0);
    assertFalse(s.getString("transport").isBlank());
    assertEquals(2, s.getJsonObject("instances").getInteger("hello"));
    assertEquals(1, s.getJsonObject("instances").getInteger("crawler"));
    assertTrue(s.getBoolean("accepting"));
    assertEquals(api.node.helloPort(), s.getJsonObject("hello").getInteger("port"));
    JsonObject sequence = s.getJsonObject("sequence");
    assertTrue(sequence.getString("store").startsWith("file:"));
    assertTrue(sequence.getLong("highWaterMark") >= 1);
    // The absolute path, so an operator sees which file a relative sequence.file resolved to.
    assertEquals("file", sequence.getString("kind"));
    assertEquals(dir.resolve("sequence").toAbsolutePath().normalize().toString(), sequence.getString("path"));
    assertTrue(sequence.getBoolean("reachable"));
    assertTrue(sequence.getBoolean("healthy"));
    assertEquals(0, sequence.getInteger("exhaustedInstances"));
    assertTrue(sequence.getLong("leases") >= 2, "each hello instance leased a first block: " + sequence);
    // Whatever this host's sysctls say, the status carries exactly the warnings the flood protection found at start.
    assertEquals(new JsonArray(api.node.protection().kernel().warnings()),
        s.getJsonObject("kernelDefences").getJsonArray("warnings"));
    assertEquals(api.node.protection().status().getJsonObject("kernel"), s.getJsonObject("protection").getJsonObject("kernel"));
    // The default backlog fits this kernel, so the defaults raise no backlog warning on any host.
    JsonObject protection = s.getJsonObject("protection");
    assertEquals(KernelDefences.fittingBacklog(Path.of("/proc/sys")), protection.getInteger("acceptBacklog"), s::encode);
    assertTrue(protection.getString("acceptBacklogSource").startsWith("sized from the kernel"), s::encode);
    assertTrue(s.getJsonObject("kernelDefences").getJsonArray("warnings").stream()
        .noneMatch(w -> w.toString().contains("acceptBacklog")), s::encode);
  }

  @Test
  void openApiDocumentIsServed() throws Exception {
    HttpResponse<Buffer> r = api.get("/openapi.yaml");
    assertEquals(200, r.statusCode());
    assertTrue(r.getHeader("Content-Type").startsWith("application/yaml"));
    String text = r.bodyAsString();
    assertTrue(text.startsWith("openapi: 3.1"), text.substring(0, 40));
    for (String path : new String[] {"/api/crawls:", "/api/counters:", "/api/status:", "/health/live:", "/health/ready:", "/metrics:"}) {
      assertTrue(text.contains(path), path);
    }
  }

  @Test
  void malformedJsonIs400() throws Exception {
    JsonObject e = assertError(api.postJson("/api/crawls", "{\"urls\": [\"http://a.test/\""), 400, "malformed_json");
    assertTrue(e.getString("message").contains("not valid JSON"), e::encode);
  }

  @Test
  void fieldOutOfRangeIs400NamingTheField() throws Exception {
    JsonObject e = assertError(api.postJson("/api/crawls",
        "{\"urls\": [\"http://a.test/\"], \"retries\": 11}"), 400, "invalid_request");
    assertTrue(e.getString("message").startsWith("retries"), e::encode);
    assertEquals("retries", e.getJsonArray("details").getJsonObject(0).getString("field"), e::encode);
    assertTrue(e.getString("message").contains("10"), "says what the limit is: " + e.encode());

    e = assertError(api.postJson("/api/crawls", "{\"urls\": [\"http://a.test/\", \"ftp://b.test/\"]}"), 400,
        "invalid_request");
    assertTrue(e.getString("message").startsWith("urls[1]"), e::encode);

    e = assertError(api.get("/api/crawls?limit=0"), 400, "invalid_request");
    assertTrue(e.getString("message").startsWith("limit: "), e::encode);
    assertEquals("limit", e.getJsonArray("details").getJsonObject(0).getString("field"), e::encode);
  }

  /** Asserts an invalid request whose message and details are exactly {@code field: problem}, one per fault. */
  private void assertFaults(String body, String... faults) throws Exception {
    JsonObject e = assertError(api.postJson("/api/crawls", body), 400, "invalid_request");
    assertEquals(faults[0], e.getString("message"), e::encode);
    JsonArray details = e.getJsonArray("details");
    assertEquals(faults.length, details.size(), e::encode);
    for (int i = 0; i < faults.length; i++) {
      JsonObject d = details.getJsonObject(i);
      assertEquals(faults[i], d.getString("field") + ": " + d.getString("problem"), e::encode);
    }
  }

  @Test
  void schemaFaultsNameTheFieldWithAHumanReason() throws Exception {
    assertFaults("{\"urls\": [\"ftp://x\"]}", "urls[0]: must be an absolute http(s) URL");
    assertFaults("{\"urls\": []}", "urls: at least one URL");
    assertFaults("{\"urls\": [\"http://a.test/\"], \"depth\": 1}", "depth: unknown field; did you mean maxDepth?");
    assertFaults("{}", "urls: missing; this field is required");
    assertFaults("[]", "body: must be a JSON object");
    assertFaults("{\"urls\": \"http://a.test/\"}", "urls: must be an array");
    assertFaults("{\"urls\": [\"http://a.test/\"], \"concurrency\": 0, \"retries\": \"a\", \"scope\": \"x\","
            + " \"extract\": {\"fields\": {}, \"folow\": \"a\"}}",
        "concurrency: must be at least 1, not 0", "retries: must be a whole number", "scope: must be one of same-host, any",
        "extract.fields: needs at least 1 entry", "extract.folow: unknown field; did you mean follow?");
    assertFaults("{\"urls\": [\"http://a.test/\"], \"extract\": {\"fields\": {\"name\": \"\"}}}",
        "extract.fields.name: must not be empty");
    JsonObject e = assertError(api.get("/api/crawls?limit=5000"), 400, "invalid_request");
    assertEquals("limit: must be at most 1000, not 5000", e.getString("message"), e::encode);
    e = assertError(api.get("/api/crawls?limit=x"), 400, "invalid_request");
    assertEquals("limit: must be a whole number", e.getString("message"), e::encode);
    e = assertError(api.get("/api/crawls?cursor=zz"), 400, "invalid_request");
    assertEquals("cursor: must be the nextCursor of a previous page (j-...)", e.getString("message"), e::encode);
  }

  @Test
  void theCrawlersOwnCheckIsTheSecondLine() throws Exception {
    // Within the contract's range but above this server's crawler.maxConcurrency (256): only the crawler knows.
    JsonObject e = assertError(api.postJson("/api/crawls", "{\"urls\": [\"http://a.test/\"], \"concurrency\": 4000}"),
        400, "invalid_request");
    assertTrue(e.getString("message").startsWith("concurrency"), e::encode);
    assertEquals("concurrency", e.getJsonArray("details").getJsonObject(0).getString("field"));
    // A cursor of the right shape that names no job.
    e = assertError(api.get("/api/crawls?cursor=j-zz-00000000"), 400, "invalid_request");
    assertTrue(e.getString("message").startsWith("cursor"), e::encode);
  }

  @Test
  void unknownRouteIs404() throws Exception {
    assertError(api.get("/api/nothing-here"), 404, "not_found");
    assertError(api.get("/api"), 404, "not_found");
    assertError(api.send(HttpMethod.DELETE, "/api/crawls/j-abc-0123abcd/pages", null, null), 404, "not_found");
  }

  @Test
  void wrongMethodIs405() throws Exception {
    HttpResponse<Buffer> put = api.send(HttpMethod.PUT, "/api/crawls", "application/json", Buffer.buffer("{}"));
    assertError(put, 405, "method_not_allowed");
    assertEquals("POST, GET", put.getHeader("Allow"));
    HttpResponse<Buffer> post = api.send(HttpMethod.POST, "/api/crawls/j-abc-0123abcd", null, null);
    assertError(post, 405, "method_not_allowed");
    assertEquals("GET, DELETE", post.getHeader("Allow"));
    assertError(api.send(HttpMethod.DELETE, "/api/counters", null, null), 405, "method_not_allowed");
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    String big = "{\"urls\": [\"http://a.test/" + "x".repeat(MAX_BODY) + "\"]}";
    JsonObject e = assertError(api.postJson("/api/crawls", big), 413, "body_too_large");
    assertTrue(e.getString("message").contains("api.maxBodyBytes is " + MAX_BODY + " bytes"), e::encode);
  }

  @Test
  void wrongMediaTypeIs415() throws Exception {
    String body = new JsonObject().put("urls", new JsonArray().add(site.url("/"))).encode();
    assertError(api.send(HttpMethod.POST, "/api/crawls", "text/plain", Buffer.buffer(body)), 415,
        "unsupported_media_type");
    assertError(api.send(HttpMethod.POST, "/api/crawls", null, Buffer.buffer(body)), 415, "unsupported_media_type");
    // Media types are case-insensitive; parameters are allowed.
    assertEquals(202, api.send(HttpMethod.POST, "/api/crawls", "Application/JSON; charset=utf-8",
        Buffer.buffer(body)).statusCode());
  }

  @Test
  void oddInputsAreRefusedWithA4xxAndNeverBreakTheServer() throws Exception {
    String[] bodies = {
        "", " ", "null", "[]", "1", "\"urls\"", "true", "{}",
        "{\"urls\": \"http://a.test/\"}",
        "{\"urls\": [1, 2]}",
        "{\"urls\": [\"http://a.test/\"], \"concurrency\": 1e400}",
        "{\"urls\": [\"http://a.test/\"], \"concurrency\": 99999999999999999999999999999}",
        "{\"urls\": [\"http://a.test/\"], \"concurrency\": -99999999999999999999999999999}",
        "{\"urls\": [\"http://a.test/\"], \"concurrency\": 1.5}",
        "{\"urls\": [\"http://a.test/\"], \"concurrency\": \"8\"}",
        "{\"urls\": [\"http://a.test/\"], \"respectRobots\": \"yes\"}",
        "{\"urls\": [\"http://\u00e9\u00e8\u4e2d\u6587.test/\ud83d\ude00\"], \"scope\": \"\u00fcberall\"}",
        "{\"urls\": [\"http://a.test/\"], \"extract\": {\"fields\": {\"x\": \"h3[::text\"}}}",
        "{\"urls\": [\"http://a.test/\"], \"extract\": {\"fields\": {}}}",
        "{\"urls\": [\"http://a.test/\"], \"extract\": [[[{\"a\": [[[]]]}]]]}",
        "{\"urls\": [\"http://a.test/\"], \"\u0000\": 1}",
        "[".repeat(2000) + "]".repeat(2000),
        "{\"a\":".repeat(1200) + "1" + "}".repeat(1200),
        "{\"urls\": [\"http://a.test/\"]} trailing",
    };
    for (String body : bodies) {
      HttpResponse<Buffer> r = api.postJson("/api/crawls", body);
      assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, () -> r.statusCode() + " for " + abbreviate(body)
          + ": " + r.bodyAsString());
      JsonObject e = r.bodyAsJsonObject();
      assertNotNull(e.getString("error"), body);
      assertNotNull(e.getString("message"), body);
    }
    byte[] invalidUtf8 = {'{', '"', 'u', 'r', 'l', 's', '"', ':', '[', '"', (byte) 0xC3, (byte) 0x28, '"', ']', '}'};
    HttpResponse<Buffer> r = api.send(HttpMethod.POST, "/api/crawls", "application/json", Buffer.buffer(invalidUtf8));
    assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, () -> r.statusCode() + ": " + r.bodyAsString());

    for (String query : new String[] {"limit=abc", "limit=99999999999999999999", "limit=-1", "limit=1.5",
        "limit=1001", "limit=", "cursor=", "cursor=%00", "cursor=" + "j".repeat(3000), "limit=1&limit=2",
        "limit=%F0%9F%98%80"}) {
      HttpResponse<Buffer> q = api.get("/api/crawls?" + query);
      assertTrue(q.statusCode() == 200 || (q.statusCode() >= 400 && q.statusCode() < 500),
          () -> q.statusCode() + " for " + query + ": " + q.bodyAsString());
      assertNotNull(q.bodyAsJsonObject(), query);
    }
    // Requests HTTP itself cannot parse get JSON errors too.
    assertError(api.get("/api/crawls?cursor=" + "j".repeat(9000)), 414, "uri_too_long");
    assertError(api.send(HttpMethod.GET, "/api/counters", null, null, Map.of("X-Big", "a".repeat(9000))), 431,
        "headers_too_large");
    // Still serving.
    assertEquals(200, api.get("/api/counters").statusCode());
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private PrometheusText scrape() throws Exception {
    HttpResponse<Buffer> r = api.get("/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(r.getHeader("Content-Type").startsWith("text/plain"));
    return PrometheusText.parse(r.bodyAsString());
  }

  @Test
  void metricsCarryTypesAndValuesOfVertxAndHellonetCounters() throws Exception {
    PrometheusText before = scrape();
    int requests = 7;
    try (LineClient c = LineClient.connect(api.node.helloPort())) {
      c.send(LineClient.requests(requests));
      for (int i = 0; i < requests; i++) {
        c.readNumber();
      }
      PrometheusText during = scrape();
      // Levels are gauges without _total; the open connection is counted by the node-wide protection.
      for (String gauge : List.of("hellonet_protection_open_connections", "hellonet_protection_max_connections",
          "hellonet_protection_kernel_warnings", "hellonet_hello_connections", "hellonet_crawler_jobs_running",
          "hellonet_sequence_high_water_mark")) {
        assertEquals("gauge", during.types().get(gauge), gauge + " among " + during.namesStartingWith("hellonet_"));
      }
      assertTrue(during.value("hellonet_protection_open_connections{instance=\"node\"}") >= 1);
      assertTrue(during.sum("hellonet_hello_connections", "state=\"active\"") >= 1);
    }
    PrometheusText after = scrape();
    for (String counter : List.of("hellonet_hello_replies_total", "hellonet_hello_requests_total",
        "hellonet_hello_connections_total", "hellonet_hello_rejected_total", "hellonet_crawler_pages_total",
        "vertx_http_server_requests_total")) {
      assertEquals("counter", after.types().get(counter), counter);
    }
    assertTrue(after.namesStartingWith("hellonet_protection_").stream().noneMatch(n -> n.endsWith("_total")),
        after.namesStartingWith("hellonet_protection_").toString());
    // Exact once the server is idle: the replies the client read, no more, no fewer.
    assertEquals(requests, after.sum("hellonet_hello_replies_total", null)
        - before.sum("hellonet_hello_replies_total", null));
    assertEquals(1, after.sum("hellonet_hello_connections_total", "state=\"accepted\"")
        - before.sum("hellonet_hello_connections_total", "state=\"accepted\""));
    assertEquals(api.node.protection().admission().maxConnections(),
        after.value("hellonet_protection_max_connections{instance=\"node\"}"));
    assertEquals(api.node.protection().kernel().warnings().size(),
        after.value("hellonet_protection_kernel_warnings{instance=\"node\"}"));
    assertEquals(0, after.value("hellonet_hello_rejected_total{instance=\"hello-0\",reason=\"perIpLimit\"}"));
    assertTrue(after.sum("jvm_memory_used_bytes", "area=\"heap\"") > 0);
  }
}
