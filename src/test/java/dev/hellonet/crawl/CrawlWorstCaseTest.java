package dev.hellonet.crawl;

import dev.hellonet.testing.Await;
import dev.hellonet.testing.LineClient;
import dev.hellonet.testing.ServerProcess;
import dev.hellonet.testing.TestConfig;
import dev.hellonet.testing.TestSite;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10: the worst the API allows on the default limits (as many jobs as one client may run, each of many pages up
 * to 8 MiB with {@code items: "*"} and a download per item) against a node in its own JVM with a 256 MiB heap. The
 * node keeps answering the hello protocol and the API throughout, and never runs out of memory. Bounded: the crawls
 * run for about 10 s, then they are cancelled. Time bounds are generous (every request must be answered, within
 * 15-20 s): the machine running the suite may be shared and far busier than this test.
 */
class CrawlWorstCaseTest {
  private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(10);

  @TempDir
  Path dir;

  @Test
  void theNodeKeepsAnsweringUnderTheWorstCrawlTheApiAllows() throws Exception {
    Vertx siteVertx = Vertx.vertx();
    int httpPort = ServerProcess.freePort();
    try (TestSite site = TestSite.start(siteVertx);
         ServerProcess node = ServerProcess.start(dir.resolve("node"), Map.of(
             "HELLONET_HTTP_PORT", Integer.toString(httpPort),
             "HELLONET_CRAWLER_DOWNLOADDIR", dir.resolve("downloads").toString(),
             "HELLONET_CRAWLER_ALLOW", String.join(",", TestConfig.LOOPBACK_TARGETS)))) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String base = "http://127.0.0.1:" + httpPort;
      awaitApi(http, base);
      List<String> jobs = new ArrayList<>();
      for (int j = 0; j < 4; j++) {
        JsonArray urls = new JsonArray();
        for (int i = 0; i < 30; i++) {
          urls.add(site.url("/bulk/" + (i % 3 == 0 ? 8192 : 1024) + "/" + j + "-" + i));
        }
        JsonObject request = new JsonObject().put("urls", urls).put("concurrency", 64).put("perHostConcurrency", 64)
            .put("respectRobots", false)
            .put("extract", new JsonObject().put("items", "*").put("fields", new JsonObject().put("link", "a::attr(href)")))
            .put("download", new JsonObject().put("field", "link"));
        HttpResponse<String> r = http.send(post(base + "/api/crawls", request), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        jobs.add(new JsonObject(r.body()).getString("id"));
      }

      long end = System.nanoTime() + RUN_NANOS;
      int rounds = 0;
      long worstHelloMs = 0;
      long worstApiMs = 0;
      try (LineClient kept = LineClient.connect(node.port())) {
        while (System.nanoTime() < end) {
          long t = System.nanoTime();
          try {
            assertTrue(kept.send("hi\n").readLine().startsWith("Hello World"), "hello on a kept connection");
            try (LineClient fresh = LineClient.connect(node.port())) {
              assertTrue(fresh.send("hi\n").readLine().startsWith("Hello World"), "hello on a new connection");
            }
          } catch (java.io.IOException e) {
            throw new AssertionError("hello unanswered after round " + rounds + ": " + e + "\nnode log:\n"
                + tail(node.log()), e);
          }
          worstHelloMs = Math.max(worstHelloMs, (System.nanoTime() - t) / 1_000_000);
          t = System.nanoTime();
          HttpResponse<String> list = http.send(get(base + "/api/crawls?limit=4"), HttpResponse.BodyHandlers.ofString());
          assertEquals(200, list.statusCode(), list.body());
          HttpResponse<String> counters = http.send(get(base + "/api/counters"), HttpResponse.BodyHandlers.ofString());
          assertEquals(200, counters.statusCode(), () -> counters.body() + "\n" + tail(node.log()));
          worstApiMs = Math.max(worstApiMs, (System.nanoTime() - t) / 1_000_000);
          rounds++;
          Thread.sleep(250);
        }
      }
      // Read through the list: on a quiet machine jobs finish inside the 10 s, and under -Xmx256m the record
      // ceiling then evicts the older finished ones (docs/crawler.md), so a job id may rightly be gone by now.
      HttpResponse<String> list = http.send(get(base + "/api/crawls?limit=4"), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, list.statusCode(), () -> list.body() + "\n" + tail(node.log()));
      JsonArray listed = new JsonObject(list.body()).getJsonArray("jobs");
      long bytes = 0;
      for (int i = 0; i < listed.size(); i++) {
        bytes += listed.getJsonObject(i).getJsonObject("stats").getLong("bytes");
      }
      for (String id : jobs) {
        HttpResponse<String> cancelled = http.send(HttpRequest.newBuilder(URI.create(base + "/api/crawls/" + id))
            .timeout(Duration.ofSeconds(20)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        boolean listedNow = listed.stream().anyMatch(j -> id.equals(((JsonObject) j).getString("id")));
        if (listedNow || cancelled.statusCode() != 404) {
          assertEquals(202, cancelled.statusCode(), cancelled.body());
        }
      }
      try (LineClient after = LineClient.connect(node.port())) {
        assertTrue(after.send("hi\n").readLine().startsWith("Hello World"));
      }
      System.out.printf("worst case: %d rounds in 10 s, worst hello round trip %d ms, worst API pair %d ms;"
          + " %d job(s) still listed, %d bytes fetched by them%n", rounds, worstHelloMs, worstApiMs, listed.size(), bytes);
      assertFalse(listed.isEmpty(), "running jobs and the last finished one are never evicted");
      assertTrue(bytes > 0, "the crawl was under way: " + listed.encode());
      assertFalse(node.log().contains("OutOfMemoryError"), "no OutOfMemoryError:\n" + node.log());
      assertTrue(rounds >= 2, "the node answered " + rounds + " rounds in 10 s");
    } finally {
      Await.result(siteVertx.close(), 10);
    }
  }

  /** ServerProcess waits for the hello port; the API may open a moment later. */
  private static void awaitApi(HttpClient http, String base) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        http.send(get(base + "/health/live"), HttpResponse.BodyHandlers.discarding());
        return;
      } catch (java.io.IOException notYet) {
        if (System.nanoTime() > end) {
          throw notYet;
        }
        Thread.sleep(100);
      }
    }
  }

  private static String tail(String log) {
    return log.length() <= 6000 ? log : log.substring(log.length() - 6000);
  }

  private static HttpRequest get(String uri) {
    // Generous: the bound is on answering at all, on a shared machine that may be far busier than this test.
    return HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(20)).build();
  }

  private static HttpRequest post(String uri, JsonObject body) {
    return HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
  }
}
