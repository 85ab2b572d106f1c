package dev.hellonet.api;

import dev.hellonet.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

import java.util.function.Function;

/**
 * The liveness and readiness checks, asked of the other roles over the event bus. Live: the node's counters answer.
 * Ready: the node has not begun a graceful stop, the hello server listens, no hello instance has run out of numbers
 * (which happens only while the sequence store fails; blocks already held keep a node ready through a short outage),
 * and the crawler answers.
 */
final class HealthProbes {
  private static final long CHECK_TIMEOUT_MS = 3_000;

  private HealthProbes() {}

  static HealthChecks liveness(Vertx vertx, BusClient bus) {
    return HealthChecks.create(vertx)
        .register("counters", CHECK_TIMEOUT_MS, p -> complete(p, bus.request(Addresses.COUNTERS_GET, null),
            snapshot -> Status.OK()));
  }

  /** {@code details} false: the sequence check names the store's kind only, not its path or database host. */
  static HealthChecks readiness(Vertx vertx, BusClient bus, boolean details) {
    NodeStatus node = new NodeStatus(bus);
    return HealthChecks.create(vertx)
        .register("accepting", CHECK_TIMEOUT_MS, p -> complete(p, node.get(), s -> s.getBoolean("accepting", false)
            ? Status.OK() : Status.KO(new JsonObject().put("reason", "a graceful stop has begun"))))
        .register("hello", CHECK_TIMEOUT_MS, p -> complete(p, node.get(), s -> {
          JsonObject hello = s.getJsonObject("hello", new JsonObject());
          return hello.getBoolean("listening", false) ? Status.OK(new JsonObject().put("port", hello.getValue("port")))
              : Status.KO(new JsonObject().put("reason", "the TCP server is not listening"));
        }))
        .register("sequence", CHECK_TIMEOUT_MS, p -> complete(p, node.get(), s -> sequence(
            s.getJsonObject("sequence", new JsonObject()), details)))
        .register("crawler", CHECK_TIMEOUT_MS, p -> complete(p,
            bus.request(Addresses.CRAWL_LIST, new JsonObject().put("limit", 1)), list -> Status.OK()));
  }

  private static Status sequence(JsonObject sequence, boolean details) {
    JsonObject data = new JsonObject().put(details ? "store" : "kind", sequence.getValue(details ? "store" : "kind"))
        .put("highWaterMark", sequence.getValue("highWaterMark"))
        .put("healthy", sequence.getValue("healthy"));
    int exhausted = sequence.getInteger("exhaustedInstances", 0);
    if (exhausted > 0) {
      return Status.KO(data.put("reason", exhausted + " hello instance(s) have no numbers left and the sequence store"
          + " fails" + (details ? ": " + sequence.getString("lastError", "") : "")));
    }
    return Status.OK(data);
  }

  /**
   * The node's status for the checks of one probe: the three checks that read it share one request, and probes that
   * arrive while it is in flight share it too; the next probe asks again.
   */
  private static final class NodeStatus {
    private final BusClient bus;
    private Future<JsonObject> pending;

    NodeStatus(BusClient bus) {
      this.bus = bus;
    }

    Future<JsonObject> get() {
      if (pending == null || pending.isComplete()) {
        pending = bus.request(Addresses.NODE_STATUS, null);
      }
      return pending;
    }
  }

  private static void complete(Promise<Status> p, Future<JsonObject> answer, Function<JsonObject, Status> judge) {
    answer.onComplete(ar -> {
      if (ar.succeeded()) {
        p.tryComplete(judge.apply(ar.result()));
      } else {
        p.tryComplete(Status.KO(new JsonObject().put("reason", String.valueOf(ar.cause().getMessage()))));
      }
    });
  }
}
