package dev.hellonet.api;

import dev.hellonet.testing.Await;
import dev.hellonet.testing.LineClient;
import dev.hellonet.testing.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The process as Kubernetes sees it: after SIGTERM, /health/ready answers 503 while the node keeps serving for
 * shutdown.drainDelayMs, and the process still exits 0 after a clean stop.
 */
class SigtermDrainTest {
  private static final Pattern HTTP_PORT = Pattern.compile("HTTP API on [^ ]*:(\\d+)");
  /**
   * The drain the checks below must fit in, counted from the moment the signal is sent (the drain cannot begin
   * earlier): a few loopback calls, with room for a JVM slow to handle the signal on a loaded machine.
   */
  private static final long DRAIN_MS = 8_000;
  @TempDir
  Path dir;

  @Test
  void sigtermTurnsReadinessOffWhileServingThenExitsZero() throws Exception {
    try (ServerProcess server = ServerProcess.start(dir, Map.of(
        "HELLONET_SHUTDOWN_DRAINDELAYMS", Long.toString(DRAIN_MS), "HELLONET_SHUTDOWN_TIMEOUTMS", "2000"))) {
      int port = httpPort(server);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
      assertEquals(200, get(http, ready).statusCode());

      long signalled = System.nanoTime();
      server.terminate();
      long drainEnds = signalled + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
      int status = 200;
      // Asked until it turns, for as long as the drain can last: the API answers all that time.
      while (status == 200 && System.nanoTime() < drainEnds) {
        status = get(http, ready).statusCode();
      }
      assertEquals(503, status, "readiness turned false while the API still answered");
      try (LineClient client = LineClient.connect(server.port())) {
        assertTrue(client.send("still there?\n").readNumber() > 0, "the TCP server answers during the drain");
      }
      assertTrue(System.nanoTime() < drainEnds, "the checks outlasted the " + DRAIN_MS + " ms drain: this machine is"
          + " too slow for them to tell anything");
      assertEquals(0, server.awaitExit(20), server.log());
      long exitedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
      assertTrue(exitedAfterMs >= DRAIN_MS, "exited after the whole drain, not after " + exitedAfterMs + " ms");
      assertTrue(server.log().contains("stopped cleanly"), server.log());
    }
  }

  private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The node logs its HTTP port once it is ready (the test configuration asks for a random one). */
  private static int httpPort(ServerProcess server) throws Exception {
    Await.until(() -> HTTP_PORT.matcher(server.log()).find(), "the node logs its HTTP port");
    Matcher m = HTTP_PORT.matcher(server.log());
    assertTrue(m.find());
    return Integer.parseInt(m.group(1));
  }
}
