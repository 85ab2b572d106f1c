package dev.hellonet.api;

import dev.hellonet.testing.Await;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optional bearer token: required on POST and DELETE when configured, never on reads, and off by default. */
class BearerTokenTest {
  private static final String TOKEN = "test-token-0123456789abcdef";
  @TempDir
  Path dir;

  private static HttpResponse<Buffer> send(ApiNode api, HttpMethod method, String uri, String authorization)
      throws Exception {
    var request = api.client.request(method, uri).putHeader("Content-Type", "application/json");
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    String body = new JsonObject().put("urls", new JsonArray().add("http://127.0.0.1:9/")).encode();
    return Await.result(method == HttpMethod.POST ? request.sendBuffer(Buffer.buffer(body)) : request.send());
  }

  private static void assertUnauthorized(HttpResponse<Buffer> r) {
    assertEquals(401, r.statusCode(), r::bodyAsString);
    assertEquals("unauthorized", r.bodyAsJsonObject().getString("error"));
    assertTrue(r.getHeader("WWW-Authenticate").startsWith("Bearer"));
    assertFalse(r.bodyAsString().contains(TOKEN));
  }

  @Test
  void withATokenMutationsNeedItAndReadsDoNot() throws Exception {
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

      assertEquals(200, api.get("/api/crawls").statusCode());
      assertEquals(200, api.get("/api/counters").statusCode());
      assertEquals(200, api.get("/health/ready").statusCode());
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
