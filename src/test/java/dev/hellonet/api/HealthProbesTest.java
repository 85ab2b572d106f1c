package dev.hellonet.api;

import dev.hellonet.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

  /**
   * A part that never answers makes the node not ready, said with a 503 and the reason: not the 500 of a health check
   * timed out by the library, which reads as a failed procedure.
   */
  @Test
  void aPartThatNeverAnswersIsNotReady503NotAFailed500(Vertx vertx, VertxTestContext test) {
    vertx.eventBus().consumer(Addresses.NODE_STATUS, msg -> msg.reply(status(true, true)));
    vertx.eventBus().consumer(Addresses.CRAWL_LIST, msg -> { /* never answers: a stalled crawler */ });
    Router router = Router.router(vertx);
    router.get("/ready").handler(HealthCheckHandler.createWithHealthChecks(
        HealthProbes.readiness(vertx, new BusClient(vertx, 1_000), true)));
    HttpClient client = vertx.createHttpClient();
    long[] askedAt = new long[1];
    vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .compose(server -> {
          askedAt[0] = System.nanoTime();
          return client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/ready");
        })
        .compose(request -> request.send())
        .compose(response -> response.body().map(body -> {
          long ms = (System.nanoTime() - askedAt[0]) / 1_000_000;
          test.verify(() -> {
            assertEquals(503, response.statusCode(), body.toString());
            JsonObject crawler = body.toJsonObject().getJsonArray("checks").stream().map(JsonObject.class::cast)
                .filter(c -> "crawler".equals(c.getString("id"))).findFirst().orElseThrow();
            assertEquals("DOWN", crawler.getString("status"), body.toString());
            assertFalse(body.toString().contains("procedure-execution-failure"), body.toString());
            assertTrue(crawler.getJsonObject("data").getString("reason").contains("Timed out"), body.toString());
            // The check's own wait ran out: the answer came after it, as a verdict and not as the library's timeout.
            assertTrue(ms >= HealthProbes.ANSWER_TIMEOUT_MS, "answered in " + ms + " ms");
          });
          return body;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  /** In a cluster the crawler check asks this node's router for this node's jobs, never the cluster-wide list. */
  @Test
  void inAClusterTheCrawlerCheckAsksThisNodeOnly(Vertx vertx, VertxTestContext test) {
    vertx.eventBus().consumer(Addresses.NODE_STATUS, msg -> msg.reply(status(true, true)
        .put("cluster", new JsonObject().put("nodeId", "node-a"))));
    vertx.eventBus().consumer(Addresses.CRAWL_LIST, msg -> { /* the cluster-wide list, waiting on a frozen peer */ });
    vertx.eventBus().consumer(Addresses.ofNode(Addresses.CRAWL_LIST, "node-a"),
        msg -> msg.reply(new JsonObject().put("jobs", new io.vertx.core.json.JsonArray())));
    HealthChecks ready = HealthProbes.readiness(vertx, new BusClient(vertx, 1_000), true);
    expect(ready, true, "this node's crawler answers").onComplete(test.succeedingThenComplete());
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
