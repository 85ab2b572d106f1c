package dev.hellonet.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Refuses to join a cluster whose members take numbers from a different sequence store. Numbers are unique across
 * nodes only when every node leases from one store. Each member records its store's identity (read from the store
 * itself: a file's real path and host, a PostgreSQL database's system identifier and oid with the sequence name) in a
 * cluster map, with its description for the message, and compares it with every live member's before it serves a
 * number. Identities, not configured names, are compared: two host names for one database are one store, and the
 * same name {@code localhost} on two machines is two. A mismatch fails the start with a message naming both, instead
 * of handing out the same numbers twice. Of two members starting at the same moment, the later to write sees the
 * other.
 */
public final class StoreSharingCheck {
  /** The cluster map: node id to the store it uses. */
  public static final String STORES_MAP = "hellonet.sequence.stores";

  private StoreSharingCheck() {}

  /**
   * Succeeds when every live member's store has this node's store's {@code identity}, or when not clustered (then
   * the identity is not read). {@code described} is how the store describes itself, for the message.
   */
  public static Future<Void> check(Vertx vertx, ClusterView cluster, Supplier<Future<String>> identity,
                                   String described) {
    if (!cluster.clustered()) {
      return Future.succeededFuture();
    }
    return identity.get()
        .compose(id -> vertx.sharedData().<String, JsonObject>getAsyncMap(STORES_MAP)
            .compose(map -> {
              JsonObject mine = new JsonObject().put("store", described).put("identity", id);
              return map.put(cluster.nodeId(), mine)
                  .compose(v -> map.entries())
                  .compose(entries -> compare(mine, entries, Set.copyOf(cluster.nodeIds())));
            }));
  }

  /** Identities where both members recorded one; a member that recorded only a description is compared by it. */
  static Future<Void> compare(JsonObject mine, Map<String, JsonObject> entries, Set<String> live) {
    for (Map.Entry<String, JsonObject> e : entries.entrySet()) {
      JsonObject theirs = e.getValue();
      if (!live.contains(e.getKey())) {
        continue;
      }
      boolean same = theirs.containsKey("identity")
          ? mine.getString("identity").equals(theirs.getString("identity"))
          : mine.getString("store").equals(theirs.getString("store"));
      if (!same) {
        return Future.failedFuture(new IllegalStateException("sequence store: this node would take numbers from "
            + shown(mine) + " but cluster member " + e.getKey() + " takes them from " + shown(theirs) + "; numbers"
            + " are unique only if every node of a cluster uses the same store (one file shared on one host, or one"
            + " database and sequence name). Fix sequence.* or the cluster's membership"));
      }
    }
    return Future.succeededFuture();
  }

  private static String shown(JsonObject entry) {
    return entry.getString("store") + (entry.containsKey("identity") ? " (" + entry.getString("identity") + ")" : "");
  }
}
