package dev.hellonet.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Refuses to join a cluster whose members take numbers from a different sequence store. Numbers are unique across
 * nodes only when every node leases from one store; a file store is one store only for processes on one host that
 * name the same file. Each member records its store (a file store with its host) in a cluster map and compares it with
 * every live member's before it serves a number; a mismatch fails the start with a message naming both, instead of
 * handing out the same numbers twice. Of two members starting at the same moment, the later to write sees the other.
 */
public final class StoreSharingCheck {
  /** The cluster map: node id to the store it uses. */
  public static final String STORES_MAP = "hellonet.sequence.stores";

  private StoreSharingCheck() {}

  /** Succeeds when every live member uses {@code described} (as its store describes itself), or when not clustered. */
  public static Future<Void> check(Vertx vertx, ClusterView cluster, String described) {
    if (!cluster.clustered()) {
      return Future.succeededFuture();
    }
    return vertx.<String>executeBlocking(() -> identity(described))
        .compose(mine -> vertx.sharedData().<String, JsonObject>getAsyncMap(STORES_MAP)
            .compose(map -> map.put(cluster.nodeId(), new JsonObject().put("store", mine))
                .compose(v -> map.entries())
                .compose(entries -> compare(mine, entries, Set.copyOf(cluster.nodeIds())))));
  }

  /** A file store is named with the host it is on: the same path on two hosts is two files. */
  static String identity(String described) throws IOException {
    if (!described.startsWith("file:")) {
      return described;
    }
    // The real path: two working directories can name one file differently, or two files alike.
    Path file = Path.of(described.substring("file:".length()));
    Path real = Files.exists(file) ? file.toRealPath() : file.toAbsolutePath().normalize();
    return "file:" + real + " on host " + InetAddress.getLocalHost().getHostName();
  }

  static Future<Void> compare(String mine, Map<String, JsonObject> entries, Set<String> live) {
    for (Map.Entry<String, JsonObject> e : entries.entrySet()) {
      String theirs = e.getValue().getString("store");
      if (live.contains(e.getKey()) && !mine.equals(theirs)) {
        return Future.failedFuture(new IllegalStateException("sequence store: this node would take numbers from "
            + mine + " but cluster member " + e.getKey() + " takes them from " + theirs + "; numbers are unique "
            + "only if every node of a cluster uses the same store (one file shared on one host, or a store that "
            + "spans hosts). Fix sequence.* or the cluster's membership"));
      }
    }
    return Future.succeededFuture();
  }
}
