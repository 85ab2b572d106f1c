package dev.hellonet.crawl;

import dev.hellonet.app.Hellonet;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.TestConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A whole node deploys the crawler next to the hello server, and its counters show up in the node's snapshot. */
class CrawlerWiringTest {
  @TempDir
  Path dir;

  @Test
  void nodeDeploysTheCrawlerAndPublishesItsCounters() throws Exception {
    Hellonet node = Await.result(Hellonet.start(TestConfig.inDir(dir).build()));
    try {
      JsonObject crawler = node.counters().snapshot().getJsonObject(CrawlerVerticle.COUNTER_ROLE);
      assertNotNull(crawler, "crawler counters registered");
      JsonObject total = crawler.getJsonObject("total");
      assertEquals(0L, total.getLong("jobsStarted"));
      assertEquals(0L, total.getLong("inFlight"));
      assertEquals("crawler-0", crawler.getJsonArray("instances").getJsonObject(0).getString("instance"));
    } finally {
      Await.result(node.stop());
    }
  }
}
