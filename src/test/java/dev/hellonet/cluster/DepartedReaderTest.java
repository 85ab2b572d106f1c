package dev.hellonet.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The departed nodes' figures while the cluster map cannot answer (a member leaving, its partitions moving): the
 * counters answer within the bound with the last whole read, marked stale, and fresh figures once the map answers.
 */
@ExtendWith(VertxExtension.class)
class DepartedReaderTest {
  @Test
  void aMapThatDoesNotAnswerGetsTheLastReadMarkedStaleWithinTheBound(Vertx vertx, VertxTestContext test) {
    AtomicBoolean stuck = new AtomicBoolean();
    vertx.sharedData().<String, JsonObject>getLocalAsyncMap("departed-reader-test").compose(map -> {
      DepartedReader reader = new DepartedReader(hanging(map, stuck), 300);
      return map.put("gone", new JsonObject().put("node", "1@h"))
          .compose(v -> reader.read())
          .compose(fresh -> {
            test.verify(() -> {
              assertFalse(fresh.stale());
              assertEquals("1@h", fresh.entries().get("gone").getString("node"));
            });
            stuck.set(true);
            return map.put("later", new JsonObject().put("node", "2@h")).compose(v -> timed(reader));
          })
          .compose(whileStuck -> {
            test.verify(() -> {
              assertTrue(whileStuck.read().stale(), "the map did not answer");
              assertEquals(1, whileStuck.read().entries().size(), "the last whole read: " + whileStuck);
              assertTrue(whileStuck.ms() < 3_000, "answered near the 300 ms bound, not when the map answers: "
                  + whileStuck.ms() + " ms");
            });
            stuck.set(false);
            return reader.read();
          })
          .map(again -> {
            test.verify(() -> {
              assertFalse(again.stale());
              assertEquals(2, again.entries().size(), "fresh once the map answers");
            });
            return again;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  private record Timed(DepartedReader.Read read, long ms) {}

  private static Future<Timed> timed(DepartedReader reader) {
    long t0 = System.nanoTime();
    return reader.read().map(r -> new Timed(r, (System.nanoTime() - t0) / 1_000_000));
  }

  /** The map, except that while {@code stuck} its reads never complete, as Hazelcast's wait for moving partitions. */
  @SuppressWarnings("unchecked")
  private static AsyncMap<String, JsonObject> hanging(AsyncMap<String, JsonObject> map, AtomicBoolean stuck) {
    return (AsyncMap<String, JsonObject>) Proxy.newProxyInstance(AsyncMap.class.getClassLoader(),
        new Class<?>[] {AsyncMap.class}, (proxy, method, args) -> {
          if (stuck.get() && (method.getName().equals("entries") || method.getName().equals("get"))) {
            return Promise.promise().future();
          }
          try {
            return method.invoke(map, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
