package dev.hellonet.api;

import dev.hellonet.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

import java.util.function.Function;

/**
 * The liveness and readiness checks, asked of the other roles over the event bus. Live: the node's counters answer.
 * Ready: the node has not begun a graceful stop, the hello server listens, no hello instance has run out of numbers
 * (which happens only while the sequence store fails; blocks already held keep a node ready through a short outage),
 * and this node's crawler answers.
 *
 * <p>Every check is about this node alone and never waits on another: its requests are delivered locally only (a
 * clustered event bus would otherwise ask the cluster manager where each address lives, and a frozen member can hold
 * that answer for many seconds), and the crawler is asked for this node's jobs, not the cluster's. One stalled pod
 * must not take every pod out of the Service. A check that gets no answer in time says so itself, before the health
 * check's own timeout: a failing check answers 503 (not ready), where the timeout of the health-check library reads
 * as a failed procedure and 500.
 */
final class HealthProbes {
  /**
   * How long a check waits for its answer: above the node status's own wait for the sequence store (2 s, after which
   * the status still answers), below {@link #CHECK_TIMEOUT_MS}.
   */
  static final long ANSWER_TIMEOUT_MS = 2_500;
  /** The health-check library's limit for a check, never reached: within the Deployment's 3 s probe timeout. */
  private static final long CHECK_TIMEOUT_MS = 2_900;

  private HealthProbes() {}

  /** The liveness checks; {@code bus}, the API's client, is not used: probes ask this node only, by their own means. */
  static HealthChecks liveness(Vertx vertx, BusClient bus) {
    LocalBus local = new LocalBus(vertx);
    return HealthChecks.create(vertx)
        .register("counters", CHECK_TIMEOUT_MS, p -> complete(p, local.request(Addresses.COUNTERS_GET, null),
            snapshot -> Status.OK()));
  }

  /**
   * The readiness checks; {@code bus} is not used, as for {@link #liveness}. {@code details} false: the sequence check
   * names the store's kind only, not its path or database host.
   */
  static HealthChecks readiness(Vertx vertx, BusClient bus, boolean details) {
    LocalBus local = new LocalBus(vertx);
    NodeStatus node = new NodeStatus(local);
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
        .register("crawler", CHECK_TIMEOUT_MS, p -> complete(p, node.get().compose(s -> local.request(
            crawlerOfThisNode(s), new JsonObject().put("limit", 1))), list -> Status.OK()));
  }

  /**
   * Where this node's own crawler jobs are asked for: in a cluster, the address of this node's crawl router (the plain
   * list address gathers every node's); alone, the plain one.
   */
  private static String crawlerOfThisNode(JsonObject status) {
    JsonObject cluster = status.getJsonObject("cluster");
    String nodeId = cluster == null ? null : cluster.getString("nodeId");
    return nodeId == null ? Addresses.CRAWL_LIST : Addresses.ofNode(Addresses.CRAWL_LIST, nodeId);
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
   * The node's status for the checks of one probe: the four checks that read it share one request, and probes that
   * arrive while it is in flight share it too; the next probe asks again.
   */
  private static final class NodeStatus {
    private final LocalBus bus;
    private Future<JsonObject> pending;

    NodeStatus(LocalBus bus) {
      this.bus = bus;
    }

    Future<JsonObject> get() {
      if (pending == null || pending.isComplete()) {
        pending = bus.request(Addresses.NODE_STATUS, null);
      }
      return pending;
    }
  }

  /** Requests delivered to this node's consumers only, answering JSON objects within {@link #ANSWER_TIMEOUT_MS}. */
  private static final class LocalBus {
    private final Vertx vertx;
    private final DeliveryOptions options = new DeliveryOptions().setLocalOnly(true)
        .setSendTimeout(ANSWER_TIMEOUT_MS);

    LocalBus(Vertx vertx) {
      this.vertx = vertx;
    }

    Future<JsonObject> request(String address, JsonObject body) {
      return vertx.eventBus().<Object>request(address, body, options).map(msg -> {
        if (msg.body() instanceof JsonObject json) {
          return json;
        }
        throw new IllegalStateException(address + " answered with " + (msg.body() == null ? "nothing"
            : msg.body().getClass().getSimpleName()) + " instead of a JSON object");
      });
    }
  }

  /** Completes the check with the judge's verdict, or KO with the reason; never left for the library's timeout. */
  private static void complete(Promise<Status> p, Future<JsonObject> answer, Function<JsonObject, Status> judge) {
    answer.onComplete(ar -> {
      if (ar.succeeded()) {
        try {
          p.tryComplete(judge.apply(ar.result()));
        } catch (RuntimeException e) {
          p.tryComplete(Status.KO(new JsonObject().put("reason", "unexpected answer: " + e)));
        }
      } else {
        p.tryComplete(Status.KO(new JsonObject().put("reason", String.valueOf(ar.cause().getMessage()))));
      }
    });
  }
}
