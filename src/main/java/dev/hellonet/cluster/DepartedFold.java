package dev.hellonet.cluster;

import dev.hellonet.counters.CountersVerticle;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.SharedData;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Bounds the departed nodes' snapshots in the cluster map of last counters ({@code hellonet.counters.last}): the
 * {@link #KEPT} most recent departures stay one entry each; older ones are folded into one aggregate entry under
 * {@link #KEY}, whose counts still add up in {@code cluster.departed}, so the totals stay exact.
 *
 * <p>One node folds at a time (a cluster lock). A fold writes the aggregate with the folded ids listed in it
 * ({@link #RECENT}), then removes their entries; a reader skips an entry whose id the aggregate lists, and reads the
 * aggregate after the entries ({@link #read}). So a reader never counts a node twice nor misses one, whether it reads
 * before, during or after a fold, and a folder that dies half-way leaves entries the next fold removes.
 */
final class DepartedFold {
  /** Departed nodes kept one entry each: the ones whose last figures are newest. */
  static final int KEPT = 50;
  /** Key of the aggregate in the map: never a node id (those are UUIDs). */
  static final String KEY = "departed-folded";
  /** Cluster-wide lock held by the node that folds. */
  static final String LOCK = "hellonet.counters.fold";
  /** Field of the aggregate: how many departed nodes it holds. */
  static final String FOLDED = "folded";
  /** Field of the aggregate: ids folded lately, whose own entries readers skip (at least the last {@link #KEPT}). */
  static final String RECENT = "recentlyFolded";

  private final AsyncMap<String, JsonObject> last;
  private final SharedData shared;
  private final ClusterView cluster;
  private final int kept;

  DepartedFold(AsyncMap<String, JsonObject> last, SharedData shared, ClusterView cluster, int kept) {
    this.last = last;
    this.shared = shared;
    this.cluster = cluster;
    this.kept = kept;
  }

  /**
   * The map as a reader must see it: every entry, with the aggregate read after them. An entry read before a fold
   * removed it is then also listed in the aggregate (and skipped); one removed before it was read is in the
   * aggregate (and counted there).
   */
  static Future<Map<String, JsonObject>> read(AsyncMap<String, JsonObject> last) {
    return last.entries().compose(entries -> last.get(KEY).map(aggregate -> {
      Map<String, JsonObject> out = new HashMap<>(entries);
      if (aggregate == null) {
        out.remove(KEY);
      } else {
        out.put(KEY, aggregate);
      }
      return out;
    }));
  }

  /** Ids whose own entries are counted in the aggregate already. */
  static Set<String> inAggregate(Map<String, JsonObject> kept) {
    JsonObject aggregate = kept.get(KEY);
    Set<String> ids = new HashSet<>();
    if (aggregate != null && aggregate.getValue(RECENT) instanceof JsonArray recent) {
      recent.forEach(id -> ids.add(String.valueOf(id)));
    }
    return ids;
  }

  /**
   * Folds the oldest departed entries when more than {@code kept} are in the map. Cheap when there is nothing to do
   * (the map's size against the members'); skipped when another node is folding. The number folded.
   */
  Future<Integer> foldIfNeeded() {
    return last.size().compose(size -> size <= cluster.nodeIds().size() + kept + 1 ? Future.succeededFuture(0)
        : shared.getLockWithTimeout(LOCK, 100).compose(
            lock -> fold().andThen(done -> lock.release()),
            busy -> Future.succeededFuture(0)));
  }

  private Future<Integer> fold() {
    return last.entries().compose(entries -> {
      // Members read after the entries: a node whose entry was written before and that is not a member now has left.
      Set<String> members = new HashSet<>(cluster.nodeIds());
      JsonObject aggregate = entries.get(KEY);
      Set<String> recent = new LinkedHashSet<>(inAggregate(entries));
      List<String> leftOver = new ArrayList<>();
      List<Map.Entry<String, JsonObject>> departed = new ArrayList<>();
      for (Map.Entry<String, JsonObject> e : entries.entrySet()) {
        if (e.getKey().equals(KEY) || members.contains(e.getKey())) {
          continue;
        }
        if (recent.contains(e.getKey())) {
          leftOver.add(e.getKey()); // folded by a fold that did not get to remove it
        } else {
          departed.add(e);
        }
      }
      departed.sort(Comparator.<Map.Entry<String, JsonObject>>comparingLong(e -> e.getValue().getLong("time", 0L))
          .thenComparing(Map.Entry::getKey));
      List<Map.Entry<String, JsonObject>> toFold = departed.subList(0, Math.max(0, departed.size() - kept));
      Future<Void> done = removeAll(leftOver);
      if (toFold.isEmpty()) {
        return done.map(0);
      }
      JsonObject folded = merge(aggregate, toFold, recent);
      List<String> ids = toFold.stream().map(Map.Entry::getKey).toList();
      return done.compose(v -> last.put(KEY, folded)).compose(v -> removeAll(ids)).map(ids.size());
    });
  }

  /** The aggregate with {@code toFold} added: counts summed as {@code cluster.departed} sums them. */
  private JsonObject merge(JsonObject aggregate, List<Map.Entry<String, JsonObject>> toFold, Set<String> recent) {
    CountersSum sum = new CountersSum();
    int count = 0;
    long time = 0;
    // Final: kept by a graceful stop, so complete; the aggregate's is true only if every node folded into it was.
    boolean allFinal = true;
    if (aggregate != null) {
      sum.addDeparted(aggregate);
      count = aggregate.getInteger(FOLDED, 0);
      time = aggregate.getLong("time", 0L);
      allFinal = aggregate.getBoolean(CountersVerticle.FINAL, false);
    }
    for (Map.Entry<String, JsonObject> e : toFold) {
      sum.addDeparted(e.getValue());
      time = Math.max(time, e.getValue().getLong("time", 0L));
      allFinal &= e.getValue().getBoolean(CountersVerticle.FINAL, false);
      recent.add(e.getKey());
    }
    count += toFold.size();
    // Keep the newest ids: all of this fold's (their entries are removed only after this write) and, up to kept, the
    // ones before, for readers that read an entry just before an earlier fold removed it.
    List<String> ids = new ArrayList<>(recent);
    List<String> newest = ids.subList(Math.max(0, ids.size() - Math.max(kept, toFold.size())), ids.size());
    return sum.totals()
        .put("node", count + " earlier departed nodes")
        .put("time", time)
        .put(FOLDED, count)
        .put(CountersVerticle.FINAL, allFinal)
        .put(RECENT, new JsonArray(new ArrayList<>(newest)));
  }

  private Future<Void> removeAll(List<String> ids) {
    List<Future<JsonObject>> removed = new ArrayList<>();
    ids.forEach(id -> removed.add(last.remove(id)));
    return Future.all(removed).mapEmpty();
  }
}
