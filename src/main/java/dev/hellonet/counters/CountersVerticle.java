package dev.hellonet.counters;

import dev.hellonet.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

import java.util.List;
import java.util.logging.Logger;

/**
 * Puts this node's counters on the event bus: published periodically, answered on request (to this node's own roles
 * locally, and to any node by the node's id), and kept in the cluster-wide map of last snapshots so that the figures
 * outlive the node. The snapshot kept on a graceful stop carries {@code "final": true}; one kept periodically does
 * not, so a node that died without that last write is told apart from one that stopped.
 */
public final class CountersVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(CountersVerticle.class.getName());

  /** Field of a kept snapshot taken after the node's other roles stopped: nothing was counted after it. */
  public static final String FINAL = "final";

  private final CounterRegistry registry;
  private final long publishIntervalMs;
  private final String nodeId;
  private AsyncMap<String, JsonObject> last;
  /** The write to the map under way (or the last one), so that no write overtakes another, the final one least. */
  private Future<Void> kept = Future.succeededFuture();
  private boolean stopping;

  /** {@code nodeId}: this node's id in the cluster (any id of its own when standalone). */
  public CountersVerticle(CounterRegistry registry, long publishIntervalMs, String nodeId) {
    this.registry = registry;
    this.publishIntervalMs = publishIntervalMs;
    this.nodeId = nodeId;
  }

  @Override
  public Future<?> start() {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.COUNTERS_LAST_MAP)
        .compose(map -> {
          last = map;
          vertx.setPeriodic(publishIntervalMs, id -> {
            if (stopping) {
              return;
            }
            JsonObject snapshot = snapshot();
            vertx.eventBus().publish(Addresses.COUNTERS, snapshot);
            if (kept.isComplete()) {
              // One write at a time keeps them in order; a slow map skips a beat rather than queue them.
              keep(snapshot);
            }
          });
          return Future.all(List.of(
              vertx.eventBus().localConsumer(Addresses.COUNTERS_GET, msg -> msg.reply(snapshot())).completion(),
              vertx.eventBus().consumer(Addresses.ofNode(Addresses.COUNTERS_GET, nodeId),
                  msg -> msg.reply(snapshot())).completion()));
        })
        .compose(v -> keep(snapshot()));
  }

  /**
   * The final figures, after every other role of the node has stopped, stay in the cluster map, marked final. Taken
   * after the periodic writes already under way have landed, so that none of them replaces it.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    Future<Void> previous = kept;
    return previous.transform(ignored -> keep(snapshot().put(FINAL, true)))
        .recover(e -> Future.succeededFuture());
  }

  private JsonObject snapshot() {
    return registry.snapshot().put("nodeId", nodeId);
  }

  private Future<Void> keep(JsonObject snapshot) {
    kept = last.put(nodeId, snapshot)
        .onFailure(e -> LOG.fine("cannot keep the counters in the cluster map: " + e));
    return kept;
  }
}
