package dev.hellonet.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The optional bearer token: when configured, required on POST and DELETE and on reading crawl jobs (where the read
 * token also serves), while an unauthenticated status shows no private details; off by default.
 */
class BearerTokenTest {
  private static final String TOKEN = "test-token-0123456789abcdef";
  private static final String READ_TOKEN = "read-token-0123456789abcdef";
  @TempDir
  Path dir;

  private static HttpResponse<Buffer> send(ApiNode api, HttpMethod method, String uri, String authorization)
      throws Exception {
    String body = new JsonObject().put("urls", new JsonArray().add("http://127.0.0.1:9/")).encode();
    return api.send(method, uri, "application/json", method == HttpMethod.POST ? Buffer.buffer(body) : null,
        authorization == null ? Map.of() : Map.of("Authorization", authorization));
  }

  private static void assertUnauthorized(HttpResponse<Buffer> r) {
    assertEquals(401, r.statusCode(), r::bodyAsString);
    assertEquals("unauthorized", r.bodyAsJsonObject().getString("error"));
    assertTrue(r.getHeader("WWW-Authenticate").startsWith("Bearer"));
    assertFalse(r.bodyAsString().contains(TOKEN));
  }

  @Test
  void withATokenMutationsAndCrawlReadsNeedIt() throws Exception {
    try (ApiNode api = ApiNode.start(dir, c -> c.set("api.token", TOKEN))) {
      assertUnauthorized(send(api, HttpMethod.POST, "/api/crawls", null));
      assertUnauthorized(send(api, HttpMethod.POST, "/api/crawls", "Bearer wrong-token-0123456789abcdef"));
      assertUnauthorized(send(api, HttpMethod.POST, "/api/crawls", "Bearer " + TOKEN.substring(1)));
      assertUnauthorized(send(api, HttpMethod.POST, "/api/crawls", "Bearer " + TOKEN + "x"));
      assertUnauthorized(send(api, HttpMethod.POST, "/api/crawls", "Basic " + TOKEN));
      assertUnauthorized(send(api, HttpMethod.POST, "/api/crawls", "Bearer"));
      assertUnauthorized(send(api, HttpMethod.DELETE, "/api/crawls/j-abc-0123abcd", null));

      HttpResponse<Buffer> started = send(api, HttpMethod.POST, "/api/crawls", "Bearer " + TOKEN);
      assertEquals(202, started.statusCode(), started::bodyAsString);
      String id = started.bodyAsJsonObject().getString("id");
      assertEquals(202, send(api, HttpMethod.DELETE, "/api/crawls/" + id, "bearer " + TOKEN).statusCode());

      // Crawl jobs are other clients' data: reading them needs the token too.
      assertUnauthorized(send(api, HttpMethod.GET, "/api/crawls", null));
      assertUnauthorized(send(api, HttpMethod.GET, "/api/crawls/" + id, null));
      assertUnauthorized(send(api, HttpMethod.GET, "/api/crawls/" + id, "Bearer wrong-token-0123456789abcdef"));
      assertEquals(200, send(api, HttpMethod.GET, "/api/crawls", "Bearer " + TOKEN).statusCode());
      assertEquals(200, send(api, HttpMethod.GET, "/api/crawls/" + id, "Bearer " + TOKEN).statusCode());
      // So do the counters and the metrics, whose labels name the store and the process.
      assertUnauthorized(send(api, HttpMethod.GET, "/api/counters", null));
      assertUnauthorized(send(api, HttpMethod.GET, "/metrics", null));
      assertEquals(200, send(api, HttpMethod.GET, "/api/counters", "Bearer " + TOKEN).statusCode());
      assertEquals(200, send(api, HttpMethod.GET, "/metrics", "Bearer " + TOKEN).statusCode());
      // The probes, the status (a summary), the dashboard and the contract stay open.
      assertEquals(200, api.get("/").statusCode());
      assertEquals(200, api.get("/openapi.yaml").statusCode());
      assertEquals(200, api.get("/health/ready").statusCode());
      assertEquals(200, api.get("/health/live").statusCode());
      assertEquals(200, api.get("/api/status").statusCode());
    }
  }

  @Test
  void theReadTokenReadsCrawlsAndChangesNothing() throws Exception {
    try (ApiNode api = ApiNode.start(dir, c -> c.set("api.token", TOKEN).set("api.readToken", READ_TOKEN))) {
      HttpResponse<Buffer> started = send(api, HttpMethod.POST, "/api/crawls", "Bearer " + TOKEN);
      String id = started.bodyAsJsonObject().getString("id");
      assertEquals(200, send(api, HttpMethod.GET, "/api/crawls", "Bearer " + READ_TOKEN).statusCode());
      assertEquals(200, send(api, HttpMethod.GET, "/api/crawls/" + id, "Bearer " + READ_TOKEN).statusCode());
      assertEquals(200, send(api, HttpMethod.GET, "/metrics", "Bearer " + READ_TOKEN).statusCode());
      for (HttpResponse<Buffer> r : java.util.List.of(send(api, HttpMethod.POST, "/api/crawls", "Bearer " + READ_TOKEN),
          send(api, HttpMethod.DELETE, "/api/crawls/" + id, "Bearer " + READ_TOKEN))) {
        assertUnauthorized(r);
        assertTrue(r.bodyAsJsonObject().getString("message").contains("api.readToken"), r::bodyAsString);
        assertFalse(r.bodyAsString().contains(READ_TOKEN));
      }
      assertUnauthorized(send(api, HttpMethod.GET, "/api/crawls", null));
    }
  }

  @Test
  void withATokenAnUnauthenticatedCallerSeesNoPathsHostsAllowListsOrProcessIds() throws Exception {
    String allowed = "192.0.2.77/32";
    try (ApiNode api = ApiNode.start(dir, c -> c.set("api.token", TOKEN).set("api.readToken", READ_TOKEN)
        .set("protection.allowList", new JsonArray().add("127.0.0.1/32").add(allowed)))) {
      String path = dir.toAbsolutePath().toString();
      String pid = ProcessHandle.current().pid() + "@";
      HttpResponse<Buffer> anonymous = send(api, HttpMethod.GET, "/api/status", null);
      assertEquals(200, anonymous.statusCode());
      JsonObject status = anonymous.bodyAsJsonObject();
      for (HttpResponse<Buffer> open : java.util.List.of(anonymous, api.get("/health/ready"), api.get("/health/live"),
          api.get("/metrics"), api.get("/api/counters"))) {
        String text = open.bodyAsString();
        for (String secret : new String[] {path, "192.0.2.77", pid}) {
          assertFalse(text.contains(secret), () -> secret + " shows in " + text.lines()
              .filter(line -> line.contains(secret)).toList());
        }
      }
      assertFalse(status.containsKey("protection"), status::encode);
      assertEquals("file", status.getJsonObject("sequence").getString("kind"));
      assertTrue(status.getJsonObject("sequence").getBoolean("healthy"));
      assertTrue(status.getString("details").contains("Authorization"), status::encode);

      for (String token : new String[] {TOKEN, READ_TOKEN}) {
        JsonObject full = send(api, HttpMethod.GET, "/api/status", "Bearer " + token).bodyAsJsonObject();
        assertTrue(full.getJsonObject("sequence").getString("path").startsWith(path), full::encode);
        assertTrue(full.containsKey("protection"), full::encode);
      }
      assertUnauthorized(send(api, HttpMethod.GET, "/api/status", "Bearer wrong-token-0123456789abcdef"));
    }
  }

  @Test
  void withoutATokenTheStatusIsInFull() throws Exception {
    try (ApiNode api = ApiNode.start(dir, c -> {})) {
      JsonObject full = api.getJson("/api/status");
      assertTrue(full.containsKey("protection") && full.getJsonObject("sequence").containsKey("path"), full::encode);
    }
  }

  @Test
  void withoutATokenNothingIsAsked() throws Exception {
    try (ApiNode api = ApiNode.start(dir, c -> {})) {
      HttpResponse<Buffer> started = send(api, HttpMethod.POST, "/api/crawls", null);
      assertEquals(202, started.statusCode(), started::bodyAsString);
      String id = started.bodyAsJsonObject().getString("id");
      assertEquals(202, send(api, HttpMethod.DELETE, "/api/crawls/" + id, "Bearer anything").statusCode());
    }
  }
}
