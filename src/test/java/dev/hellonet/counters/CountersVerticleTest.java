package dev.hellonet.counters;

import dev.hellonet.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshots a node keeps in the map of last figures: periodic ones are not final (the node may count more after
 * them), the one kept when the node stops is, and holds what was counted up to the stop.
 */
@ExtendWith(VertxExtension.class)
class CountersVerticleTest {
  @Test
  void periodicSnapshotsAreNotFinalAndTheOneKeptOnStopIsFinalAndComplete(Vertx vertx, VertxTestContext ctx) {
    AtomicLong replies = new AtomicLong(7);
    CounterRegistry registry = new CounterRegistry("1@test");
    registry.register("hello", "hello-0", () -> new JsonObject().put("replies", replies.get()));
    AtomicReference<AsyncMap<String, JsonObject>> last = new AtomicReference<>();
    AtomicReference<String> deployment = new AtomicReference<>();

    vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.COUNTERS_LAST_MAP)
        .compose(map -> {
          last.set(map);
          // A long interval: the counts change after the last write before the stop, as a busy node's do.
          return vertx.deployVerticle(new CountersVerticle(registry, 3_600_000, "node-a"));
        })
        .compose(id -> {
          deployment.set(id);
          return last.get().get("node-a");
        })
        .compose(periodic -> {
          ctx.verify(() -> {
            assertFalse(periodic.getBoolean(CountersVerticle.FINAL, false), periodic.encode());
            assertEquals(7, replies(periodic));
          });
          replies.set(12);
          return vertx.undeploy(deployment.get());
        })
        .compose(v -> last.get().get("node-a"))
        .onComplete(ctx.succeeding(kept -> ctx.verify(() -> {
          assertTrue(kept.getBoolean(CountersVerticle.FINAL, false), kept.encode());
          assertEquals(12, replies(kept), "the final snapshot is taken at the stop: " + kept.encode());
          ctx.completeNow();
        })));
  }

  private static long replies(JsonObject snapshot) {
    return snapshot.getJsonObject("hello").getJsonObject("total").getLong("replies");
  }
}
