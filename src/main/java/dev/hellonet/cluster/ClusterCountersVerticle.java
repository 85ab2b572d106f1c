package dev.hellonet.cluster;

import dev.hellonet.bus.Addresses;
import dev.hellonet.counters.CountersVerticle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Answers {@link Addresses#CLUSTER_COUNTERS} on this node: asks every live node for its counters now (exact once the
 * load stops), adds the last figures of nodes that have left from the cluster map, and replies with the sum and the
 * per-node figures, saying of each departed node whether its figures are final or may be short. Standalone it sums
 * one node, in the same shape. Now and then it folds the oldest departed nodes into one entry ({@link DepartedFold}),
 * so that a cluster with churn keeps a bounded map.
 */
public final class ClusterCountersVerticle extends VerticleBase {
  /** How long a live node may take to answer before it is reported unreachable and left out of the sums. */
  static final long NODE_TIMEOUT_MS = 2_000;
  /** How often each node checks whether departed nodes need folding (a size read when nothing does). */
  static final long FOLD_CHECK_MS = 60_000;
  /** Set on cluster.departed when the map was not read in time and the figures are those of the last read. */
  static final String STALE = "stale";
  private static final Logger LOG = Logger.getLogger(ClusterCountersVerticle.class.getName());

  private final ClusterView cluster;
  private final int departedKept;
  private final long foldCheckMs;
  private final DeliveryOptions options = new DeliveryOptions().setSendTimeout(NODE_TIMEOUT_MS);
  private final DeliveryOptions ownOptions = new DeliveryOptions(options).setLocalOnly(true);
  private DepartedReader departed;

  public ClusterCountersVerticle(ClusterView cluster) {
    this(cluster, DepartedFold.KEPT, FOLD_CHECK_MS);
  }

  /** {@code departedKept} departed nodes kept one by one, older ones folded; checked every {@code foldCheckMs}. */
  ClusterCountersVerticle(ClusterView cluster, int departedKept, long foldCheckMs) {
    this.cluster = cluster;
    this.departedKept = departedKept;
    this.foldCheckMs = foldCheckMs;
  }

  @Override
  public Future<?> start() {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.COUNTERS_LAST_MAP)
        .compose(map -> {
          departed = new DepartedReader(map, NODE_TIMEOUT_MS);
          DepartedFold fold = new DepartedFold(map, vertx.sharedData(), cluster, departedKept);
          vertx.setPeriodic(foldCheckMs, id -> fold.foldIfNeeded()
              .onFailure(e -> LOG.fine("cannot fold departed nodes' counters: " + e)));
          return vertx.eventBus().localConsumer(Addresses.CLUSTER_COUNTERS, this::answer).completion();
        });
  }

  private void answer(Message<Object> msg) {
    List<String> ids = cluster.nodeIds();
    List<Future<JsonObject>> asked = new ArrayList<>();
    for (String id : ids) {
      // This node's own figures locally: a clustered send asks the cluster manager first, which waits while a
      // member leaves; this node's answer must not.
      asked.add(vertx.eventBus().<JsonObject>request(Addresses.ofNode(Addresses.COUNTERS_GET, id), null,
          id.equals(cluster.nodeId()) ? ownOptions : options).map(Message::body));
    }
    Future<DepartedReader.Read> kept = departed.read();
    Future.join(Future.join(asked), kept).onComplete(ignored -> {
      JsonObject reply = combine(ids, asked, kept.result().entries());
      if (kept.result().stale()) {
        reply.getJsonObject("cluster").getJsonObject("departed").put(STALE, true);
      }
      msg.reply(reply);
    });
  }

  /**
   * The reply: live answers summed, unreachable members shown beside, departed nodes' kept figures summed apart.
   * {@code asked.get(i)} is the answer of {@code ids.get(i)}; {@code kept} is the map of last snapshots.
   */
  JsonObject combine(List<String> ids, List<Future<JsonObject>> asked, Map<String, JsonObject> kept) {
    CountersSum live = new CountersSum();
    CountersSum departed = new CountersSum();
    JsonArray nodes = new JsonArray();
    Set<String> members = new HashSet<>(ids);
    Set<String> inAggregate = DepartedFold.inAggregate(kept);
    for (int i = 0; i < ids.size(); i++) {
      Future<JsonObject> answer = asked.get(i);
      JsonObject known = kept.get(ids.get(i));
      if (answer.failed() && known != null && known.getBoolean(CountersVerticle.FINAL, false)) {
        // Stopped gracefully and kept its final figures, but still listed until the cluster manager drops it (up to
        // its heartbeat timeout): it has left, and is counted below as departed, with figures that are complete.
        members.remove(ids.get(i));
        continue;
      }
      if (answer.succeeded()) {
        live.addLive(answer.result());
        nodes.add(node(ids.get(i), "live", answer.result()));
      } else {
        nodes.add(node(ids.get(i), "unreachable", known == null ? new JsonObject() : known)
            .put("error", String.valueOf(answer.cause().getMessage())));
      }
    }
    boolean allFinal = true;
    for (Map.Entry<String, JsonObject> e : kept.entrySet()) {
      if (!members.contains(e.getKey()) && !inAggregate.contains(e.getKey())) {
        // Final: kept by a graceful stop after its roles stopped. Otherwise (killed, crashed, cut off) the figures are
        // as of its last publish at "time", and it may have served more after that which no one will ever count.
        // The aggregate of folded nodes is final only if every node in it was.
        boolean isFinal = e.getValue().getBoolean(CountersVerticle.FINAL, false);
        allFinal &= isFinal;
        departed.addDeparted(e.getValue());
        nodes.add(node(e.getKey(), "departed", e.getValue()).put(CountersVerticle.FINAL, isFinal));
      }
    }
    JsonObject out = new JsonObject().put("node", answeringNode(asked, ids)).put("time", System.currentTimeMillis());
    out.mergeIn(live.roles());
    return out.put("cluster", new JsonObject().put("nodes", nodes)
        .put("departed", departed.totals().put(CountersVerticle.FINAL, allFinal)));
  }

  private String answeringNode(List<Future<JsonObject>> asked, List<String> ids) {
    int self = ids.indexOf(cluster.nodeId());
    return self >= 0 && asked.get(self).succeeded() ? asked.get(self).result().getString("node") : cluster.nodeId();
  }

  private static JsonObject node(String id, String state, JsonObject snapshot) {
    JsonObject out = new JsonObject().put("id", id).put("node", snapshot.getString("node"))
        .put("state", state).put("time", snapshot.getLong("time"));
    if (snapshot.getValue(DepartedFold.FOLDED) instanceof Number folded) {
      out.put(DepartedFold.FOLDED, folded); // the aggregate of older departed nodes: how many it holds
    }
    for (Map.Entry<String, Object> e : snapshot) {
      if (e.getValue() instanceof JsonObject role && role.getValue("total") instanceof JsonObject total) {
        out.put(e.getKey(), new JsonObject().put("total", total.copy()));
      }
    }
    return out;
  }
}
