package dev.hellonet.app;

import dev.hellonet.testing.Await;
import dev.hellonet.testing.TestConfig;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node builds Vert.x through the factory it is given, which is where a clustered start will plug in. */
class VertxFactoryTest {
  @TempDir
  Path dir;

  @Test
  void theNodeIsBuiltOnTheVertxTheFactoryReturns() throws Exception {
    AtomicInteger builds = new AtomicInteger();
    VertxFactory counting = builder -> {
      builds.incrementAndGet();
      return VertxFactory.STANDALONE.build(builder);
    };
    Hellonet node = Await.result(Hellonet.start(TestConfig.inDir(dir).build(), counting));
    try {
      assertEquals(1, builds.get(), "the factory built the node's Vert.x once");
      assertTrue(node.helloPort() > 0, "hello server listens");
      assertTrue(node.httpPort() > 0, "HTTP API listens");
    } finally {
      Await.result(node.stop());
    }
  }

  @Test
  void aFactoryThatFailsFailsTheStartBeforeAnythingIsOpened() throws Exception {
    IllegalStateException refused = new IllegalStateException("cluster not reachable");
    IllegalStateException e = assertThrows(IllegalStateException.class, () ->
        Await.result(Hellonet.start(TestConfig.inDir(dir).build(), builder -> Future.failedFuture(refused))));
    assertSame(refused, e);
    assertFalse(Files.exists(dir.resolve("sequence")), "no sequence file was opened");
  }
}
