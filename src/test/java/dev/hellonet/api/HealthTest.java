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
  /**
   * The drain the checks below must fit in: they are five loopback calls, a few milliseconds on a quiet machine, so
   * this leaves room for a stall of seconds on a loaded one. The test takes this long.
   */
  private static final long DRAIN_MS = 8_000;
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
    Future<Void> stopping = null;
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
      stopping = api.node.stop();
      // The drain began inside stop(): whatever is done before stopAt + DRAIN_MS is done inside it.
      try {
        // Inside the drain window: still serving, still live, no longer ready, the TCP server still answers.
        HttpResponse<Buffer> notReady = api.get("/health/ready");
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
      } catch (AssertionError | Exception e) {
        if (msSince(stopAt) >= DRAIN_MS) {
          throw tooSlow(stopAt, e);
        }
        throw e;
      }
      if (msSince(stopAt) >= DRAIN_MS) {
        throw tooSlow(stopAt, null);
      }

      Await.result(stopping);
      assertTrue(msSince(stopAt) >= DRAIN_MS, "the stop came after the whole drain, not " + msSince(stopAt) + " ms");
      assertThrows(ConnectException.class, () -> api.get("/health/live"), "the API is gone after the stop");
    } finally {
      // A stop already begun is awaited, not asked for again (a second stop of one node fails).
      Await.result(stopping != null ? stopping : api.node.stop());
      api.client.close();
      Await.result(api.clientVertx.close());
    }
  }

  private static long msSince(long nanoTime) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
  }

  /** Checks that outlasted the drain cannot tell whether the node drained: a machine too slow for this test. */
  private static AssertionError tooSlow(long stopAt, Throwable e) {
    return new AssertionError("the checks took " + msSince(stopAt) + " ms, past the " + DRAIN_MS + " ms drain: this"
        + " machine is too slow for them to tell anything", e);
  }
}
