package dev.hellonet.app;

import dev.hellonet.bus.Addresses;
import dev.hellonet.cluster.ClusterView;
import dev.hellonet.sequence.Block;
import dev.hellonet.sequence.FileSequenceStore;
import dev.hellonet.sequence.SequenceStore;
import dev.hellonet.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10: a flood of status reads (an unauthenticated /api/status or readiness flood) must not become a flood of
 * high-water-mark reads on the sequence store's worker, queued with leases.
 */
@ExtendWith(VertxExtension.class)
class NodeStatusVerticleTest {
  @TempDir
  Path dir;

  @Test
  void aFloodOfStatusRequestsReadsTheMarkOnce(Vertx vertx) throws Exception {
    SequenceStore real = Await.result(FileSequenceStore.open(vertx, dir.resolve("sequence")));
    AtomicInteger reads = new AtomicInteger();
    SequenceStore counting = new SequenceStore() {
      @Override
      public Future<Block> lease(long size) {
        return real.lease(size);
      }

      @Override
      public Future<Boolean> giveBack(Block unused) {
        return real.giveBack(unused);
      }

      @Override
      public Future<Long> highWaterMark() {
        reads.incrementAndGet();
        return real.highWaterMark();
      }

      @Override
      public long knownHighWaterMark() {
        return real.knownHighWaterMark();
      }

      @Override
      public String describe() {
        return real.describe();
      }

      @Override
      public dev.hellonet.sequence.StoreHealth health() {
        return real.health();
      }

      @Override
      public Future<Void> close() {
        return real.close();
      }
    };
    Await.result(real.lease(100));
    Await.result(vertx.deployVerticle(new NodeStatusVerticle("test", Instant.now(), "nio", Map.of("hello", 1), counting,
        new NodeLifecycle(), () -> new JsonObject().put("kernel", new JsonObject().put("warnings", new JsonArray())),
        ClusterView.of(vertx), Optional.empty())));
    List<Future<Message<Object>>> answers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      answers.add(vertx.eventBus().request(Addresses.NODE_STATUS, null));
    }
    for (Future<Message<Object>> a : answers) {
      JsonObject status = (JsonObject) Await.result(a).body();
      assertEquals(real.knownHighWaterMark(), status.getJsonObject("sequence").getLong("highWaterMark"));
    }
    // Once, or twice if the 200 requests straddled the end of a reuse period.
    int first = reads.get();
    assertTrue(first >= 1 && first <= 2, "200 status requests read the mark " + first + " times");
    Thread.sleep(NodeStatusVerticle.MARK_REUSE_MS + 200);
    Await.result(vertx.eventBus().request(Addresses.NODE_STATUS, null));
    assertEquals(first + 1, reads.get(), "read again, once, when the reuse time is over");
  }
}
