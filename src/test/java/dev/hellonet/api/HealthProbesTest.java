package dev.hellonet.api;

import dev.hellonet.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static dev.hellonet.api.ApiNode.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readiness fails for each reason on its own: the status and crawler addresses are answered here by stand-ins whose
 * answers the test changes (the whole node's transitions are in {@link HealthTest}).
 */
class HealthProbesTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  private static JsonObject status(boolean accepting, boolean listening) {
    return new JsonObject().put("accepting", accepting)
        .put("hello", new JsonObject().put("listening", listening).put("port", listening ? 9000 : -1))
        .put("sequence", new JsonObject().put("store", "file:x").put("highWaterMark", 42));
  }

  private boolean ready(HealthChecks checks) throws Exception {
    CheckResult result = await(checks.checkStatus());
    return result.getUp();
  }

  @Test
  void readyOnlyWhenEveryPartAnswersWell() throws Exception {
    AtomicReference<JsonObject> status = new AtomicReference<>(status(true, true));
    vertx.eventBus().consumer(Addresses.NODE_STATUS, msg -> {
      JsonObject s = status.get();
      if (s == null) {
        msg.fail(Addresses.FAILURE_UNAVAILABLE, "sequence store does not answer");
      } else {
        msg.reply(s);
      }
    });
    HealthChecks ready = HealthProbes.readiness(vertx, new BusClient(vertx, 1_000));

    assertFalse(ready(ready), "no crawler yet");
    var crawler = vertx.eventBus().consumer(Addresses.CRAWL_LIST, msg -> msg.reply(new JsonObject()));
    await(crawler.completion());
    assertTrue(ready(ready));

    status.set(status(true, false));
    assertFalse(ready(ready), "hello server not listening");
    status.set(status(false, true));
    assertFalse(ready(ready), "stopping");
    status.set(null);
    assertFalse(ready(ready), "store does not answer");
    status.set(status(true, true));
    assertTrue(ready(ready));
    await(crawler.unregister());
    assertFalse(ready(ready), "crawler gone");
  }

  /** Issue 10: a readiness probe asked for the node's status three times. */
  @Test
  void aProbeAsksForTheNodeStatusOnce() throws Exception {
    java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
    await(vertx.eventBus().consumer(Addresses.NODE_STATUS, msg -> {
      asked.incrementAndGet();
      vertx.setTimer(20, t -> msg.reply(status(true, true)));
    }).completion());
    await(vertx.eventBus().consumer(Addresses.CRAWL_LIST, msg -> msg.reply(new JsonObject())).completion());
    HealthChecks ready = HealthProbes.readiness(vertx, new BusClient(vertx, 1_000));
    assertTrue(ready(ready));
    org.junit.jupiter.api.Assertions.assertEquals(1, asked.get(), "one status request per probe");
    assertTrue(ready(ready));
    org.junit.jupiter.api.Assertions.assertEquals(2, asked.get(), "the next probe asks again");
  }

  @Test
  void liveWhileTheCountersAnswer() throws Exception {
    HealthChecks live = HealthProbes.liveness(vertx, new BusClient(vertx, 1_000));
    assertFalse(ready(live));
    await(vertx.eventBus().consumer(Addresses.COUNTERS_GET, msg -> msg.reply(new JsonObject())).completion());
    assertTrue(ready(live));
  }
}
