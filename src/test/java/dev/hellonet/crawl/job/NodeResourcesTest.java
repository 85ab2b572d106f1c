package dev.hellonet.crawl.job;

import dev.hellonet.config.HellonetConfig.CrawlerConfig;
import dev.hellonet.testing.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The node-wide ceilings stay the node's when several crawler instances run in one JVM. */
class NodeResourcesTest {
  @TempDir
  Path dir;

  @Test
  void instancesOnOneNodeShareItsCeilingsInsteadOfEachHoldingThemWhole() {
    CrawlerConfig config = TestConfig.inDir(dir)
        .set("crawler.maxPageBytesInFlight", 64L << 20)
        .set("crawler.maxDownloadBytesOnDisk", 1L << 30)
        .set("crawler.maxRecordsKept", 100_000)
        .build().crawler();
    NodeResources whole = NodeResources.create(config, null, null, null, null);
    NodeResources half = NodeResources.create(config, null, null, null, null, 2);
    assertEquals(64L << 20, whole.pageMemory().max());
    assertEquals(32L << 20, half.pageMemory().max());
    assertEquals(1L << 29, half.disk().max());
    assertEquals(50_000, half.records().max());
    assertEquals(whole.parseGate().maxBytes() / 2, half.parseGate().maxBytes());
  }
}
