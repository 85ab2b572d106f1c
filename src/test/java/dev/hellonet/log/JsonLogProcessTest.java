package dev.hellonet.log;

import dev.hellonet.testing.ServerProcess;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A real node started with log.format=json writes nothing but JSON lines, from start to a clean stop. */
class JsonLogProcessTest {
  @TempDir
  Path dir;

  @Test
  void everyLineOfARealRunIsJson() throws Exception {
    List<String> lines;
    try (ServerProcess server = ServerProcess.start(dir, Map.of("HELLONET_LOG_FORMAT", "json"))) {
      long end = System.nanoTime() + 30_000_000_000L;
      while (!server.log().contains("hellonet ready") && System.nanoTime() < end) {
        Thread.sleep(50);
      }
      server.terminate();
      assertEquals(0, server.awaitExit(30), server.log());
      lines = server.log().lines().toList();
    }
    assertFalse(lines.isEmpty());
    for (String line : lines) {
      try {
        JsonObject event = new JsonObject(line);
        assertTrue(event.containsKey("time") && event.containsKey("level") && event.containsKey("message"), line);
      } catch (DecodeException e) {
        fail("not a JSON line: " + line);
      }
    }
    assertTrue(lines.stream().anyMatch(l -> new JsonObject(l).getString("message").startsWith("hellonet ready")));
    assertTrue(lines.stream().anyMatch(l -> new JsonObject(l).getString("message").equals("stopped cleanly")));
  }
}
