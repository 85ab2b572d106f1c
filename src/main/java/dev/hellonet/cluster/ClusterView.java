package dev.hellonet.cluster;

import dev.hellonet.vertx.VertxInternals;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.ClusterManager;

import java.util.List;
import java.util.UUID;

/**
 * This node's id and the ids of the nodes alive now. Clustered: the cluster manager's view (a node killed without
 * warning leaves it once JGroups stops hearing from it). Standalone: this node alone, under an id of its own, so
 * that every caller routes the same way whether or not there is a cluster.
 */
public final class ClusterView {
  private final ClusterManager manager;
  private final String nodeId;

  private ClusterView(ClusterManager manager, String nodeId) {
    this.manager = manager;
    this.nodeId = nodeId;
  }

  public static ClusterView of(Vertx vertx) {
    ClusterManager manager = VertxInternals.clusterManager(vertx);
    return manager == null ? new ClusterView(null, UUID.randomUUID().toString())
        : new ClusterView(manager, manager.getNodeId());
  }

  public boolean clustered() {
    return manager != null;
  }

  public String nodeId() {
    return nodeId;
  }

  /** The members now, this node included. */
  public List<String> nodeIds() {
    return manager == null ? List.of(nodeId) : List.copyOf(manager.getNodes());
  }

  /**
   * A short name for this node, used inside crawl job ids to name their owner: the first 12 hex digits of the node's
   * id (48 random bits; the chance that two of a few hundred nodes share one is below one in a billion).
   */
  public String shortId() {
    return shortIdOf(nodeId);
  }

  public static String shortIdOf(String nodeId) {
    String hex = nodeId.replace("-", "");
    return hex.substring(0, Math.min(12, hex.length()));
  }
}
