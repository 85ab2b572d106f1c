package dev.hellonet.bridge;

import dev.hellonet.app.Hellonet;
import dev.hellonet.bus.Addresses;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.TestConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bridge in a whole node: off by default, on with bridge.enabled, answering real roles, counted in /metrics. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BridgeNodeTest {
  @TempDir
  Path dir;

  @Test
  void bridgeIsOffByDefault() throws Exception {
    Hellonet node = Await.result(Hellonet.start(TestConfig.inDir(dir).build()));
    try {
      assertEquals(-1, node.bridgePort());
      assertEquals(null, node.counters().snapshot().getValue(BridgeVerticle.COUNTER_ROLE));
    } finally {
      Await.result(node.stop());
    }
  }

  @Test
  void bridgeReachesTheNodesRolesAndItsRefusalsShowInMetrics() throws Exception {
    Hellonet node = Await.result(Hellonet.start(TestConfig.inDir(dir).set("bridge.enabled", true).set("bridge.port", 0)
        .set("crawler.downloadDir", dir.resolve("downloads").toString()).build()));
    try (BridgeClient c = BridgeClient.connect(node.bridgePort())) {
      JsonObject status = c.send(BridgeClient.request(Addresses.NODE_STATUS, "s.1", null)).read();
      assertEquals("message", status.getString("type"), status.encode());
      assertTrue(status.getJsonObject("body").getBoolean("accepting"), status.encode());
      JsonObject invalid = c.send(BridgeClient.request(Addresses.CRAWL_START, "s.2", new JsonObject())).read();
      assertEquals("err", invalid.getString("type"), invalid.encode());
      assertEquals("s.2", invalid.getString("address"), invalid.encode());
      assertEquals(Addresses.FAILURE_INVALID, invalid.getInteger("failureCode"), invalid.encode());
      c.writeRaw(new byte[] {0, 0, 0, 2}).writeRaw("{]".getBytes()).flush();
      assertEquals("invalid_json", c.read().getString("message"));

      String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + node.httpPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(Pattern.compile("(?m)^hellonet_bridge_rejected_total\\{[^}]*reason=\"invalidJson\"[^}]*} 1$")
          .matcher(metrics).find(), metrics);
      assertTrue(Pattern.compile("(?m)^hellonet_bridge_frames_in_total\\{[^}]*} 2$").matcher(metrics).find(),
          metrics);
    } finally {
      Await.result(node.stop());
    }
  }
}
