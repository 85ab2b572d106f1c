package dev.hellonet.api;

import dev.hellonet.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Readiness fails for each reason on its own: the status and crawler addresses are answered here by stand-ins whose
 * answers the test changes (the whole node's transitions are in {@link HealthTest}). Each test is one chain of
 * steps on the injected Vert.x; a wrong verdict fails the chain, and with it the test, naming the step.
 */
@ExtendWith(VertxExtension.class)
class HealthProbesTest {
  private static JsonObject status(boolean accepting, boolean listening) {
    return new JsonObject().put("accepting", accepting)
        .put("hello", new JsonObject().put("listening", listening).put("port", listening ? 9000 : -1))
        .put("sequence", new JsonObject().put("store", "file:x").put("highWaterMark", 42));
  }

  /** The probe's verdict must be {@code up}; the step is named in the failure. */
  private static Future<Void> expect(HealthChecks checks, boolean up, String step) {
    return checks.checkStatus().map(CheckResult::getUp).compose(actual -> actual == up ? Future.succeededFuture()
        : Future.failedFuture(new AssertionError(step + ": expected " + (up ? "UP" : "DOWN") + ", got "
            + (actual ? "UP" : "DOWN"))));
  }

  @Test
  void readyOnlyWhenEveryPartAnswersWell(Vertx vertx, VertxTestContext test) {
    AtomicReference<JsonObject> status = new AtomicReference<>(status(true, true));
    vertx.eventBus().consumer(Addresses.NODE_STATUS, msg -> {
      JsonObject s = status.get();
      if (s == null) {
        msg.fail(Addresses.FAILURE_UNAVAILABLE, "sequence store does not answer");
      } else {
        msg.reply(s);
      }
    });
    HealthChecks ready = HealthProbes.readiness(vertx, new BusClient(vertx, 1_000), true);
    AtomicReference<MessageConsumer<JsonObject>> crawler = new AtomicReference<>();

    expect(ready, false, "no crawler yet")
        .compose(v -> {
          crawler.set(vertx.eventBus().consumer(Addresses.CRAWL_LIST, msg -> msg.reply(new JsonObject())));
          return crawler.get().completion();
        })
        .compose(v -> expect(ready, true, "every part answers"))
        .compose(v -> {
          status.set(status(true, false));
          return expect(ready, false, "hello server not listening");
        })
        .compose(v -> {
          status.set(status(false, true));
          return expect(ready, false, "stopping");
        })
        .compose(v -> {
          status.set(null);
          return expect(ready, false, "store does not answer");
        })
        .compose(v -> {
          status.set(status(true, true));
          return expect(ready, true, "all well again");
        })
        .compose(v -> crawler.get().unregister())
        .compose(v -> expect(ready, false, "crawler gone"))
        .onComplete(test.succeedingThenComplete());
  }

  /** Issue 10: a readiness probe asked for the node's status three times. */
  @Test
  void aProbeAsksForTheNodeStatusOnce(Vertx vertx, VertxTestContext test) {
    AtomicInteger asked = new AtomicInteger();
    HealthChecks ready = HealthProbes.readiness(vertx, new BusClient(vertx, 1_000), true);
    vertx.eventBus().consumer(Addresses.NODE_STATUS, msg -> {
      asked.incrementAndGet();
      vertx.setTimer(20, t -> msg.reply(status(true, true)));
    }).completion()
        .compose(v -> vertx.eventBus().consumer(Addresses.CRAWL_LIST, msg -> msg.reply(new JsonObject())).completion())
        .compose(v -> expect(ready, true, "first probe"))
        .compose(v -> asked.get() == 1 ? Future.<Void>succeededFuture()
            : Future.failedFuture(new AssertionError("one status request per probe, got " + asked.get())))
        .compose(v -> expect(ready, true, "second probe"))
        .compose(v -> asked.get() == 2 ? Future.<Void>succeededFuture()
            : Future.failedFuture(new AssertionError("the next probe asks again; asked " + asked.get())))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void liveWhileTheCountersAnswer(Vertx vertx, VertxTestContext test) {
    HealthChecks live = HealthProbes.liveness(vertx, new BusClient(vertx, 1_000));
    expect(live, false, "nothing answers the counters")
        .compose(v -> vertx.eventBus().consumer(Addresses.COUNTERS_GET, msg -> msg.reply(new JsonObject())).completion())
        .compose(v -> expect(live, true, "the counters answer"))
        .onComplete(test.succeedingThenComplete());
  }
}
