package dev.hellonet.api;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.LineClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.net.ConnectException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Liveness and readiness over HTTP, and the order of a graceful stop: readiness turns false first while the node still
 * serves (for {@code shutdown.drainDelayMs}), and only then does the API go away.
 */
class HealthTest {
  /** Long enough for a handful of calls on a busy 2-core machine; the test takes this long. */
  private static final long DRAIN_MS = 5_000;
  @TempDir
  Path dir;

  private static String status(JsonObject health, String check) {
    for (Object o : health.getJsonArray("checks")) {
      JsonObject c = (JsonObject) o;
      if (c.getString("id").equals(check)) {
        return c.getString("status");
      }
    }
    throw new AssertionError("no check " + check + " in " + health.encode());
  }

  @Test
  void readyWhileRunningThenNotReadyFirstDuringAGracefulStop() throws Exception {
    ApiNode api = ApiNode.start(dir, c -> c.set("shutdown.drainDelayMs", DRAIN_MS));
    boolean stopped = false;
    try {
      HttpResponse<Buffer> ready = api.get("/health/ready");
      assertEquals(200, ready.statusCode(), ready::bodyAsString);
      JsonObject body = ready.bodyAsJsonObject();
      assertEquals("UP", body.getString("status"));
      for (String check : new String[] {"accepting", "hello", "sequence", "crawler"}) {
        assertEquals("UP", status(body, check), check);
      }
      assertEquals(200, api.get("/health/live").statusCode());

      long stopAt = System.nanoTime();
      Future<Void> stopping = api.node.stop();
      // Inside the drain window: still serving, still live, no longer ready, the TCP server still answers.
      HttpResponse<Buffer> notReady = api.get("/health/ready");
      assertTrue(System.nanoTime() - stopAt < TimeUnit.MILLISECONDS.toNanos(DRAIN_MS),
          "the check ran inside the drain window (the box is too slow to tell otherwise)");
      assertEquals(503, notReady.statusCode(), notReady::bodyAsString);
      assertEquals("DOWN", notReady.bodyAsJsonObject().getString("status"));
      assertEquals("DOWN", status(notReady.bodyAsJsonObject(), "accepting"));
      assertEquals("UP", status(notReady.bodyAsJsonObject(), "hello"), "the TCP server still listens");
      assertEquals(200, api.get("/health/live").statusCode());
      assertFalse(api.getJson("/api/status").getBoolean("accepting"));
      try (LineClient client = LineClient.connect(api.node.helloPort())) {
        assertTrue(client.send("still there?\n").readNumber() > 0, "the TCP server answers during the drain");
      }
      assertFalse(stopping.isComplete(), "nothing stops before the drain delay");

      Await.result(stopping);
      stopped = true;
      assertThrows(ConnectException.class, () -> api.get("/health/live"), "the API is gone after the stop");
    } finally {
      if (!stopped) {
        Await.result(api.node.stop());
      }
      api.client.close();
      Await.result(api.clientVertx.close());
    }
  }
}
