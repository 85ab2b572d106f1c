package dev.hellonet.cluster;

import dev.hellonet.bus.Addresses;
import dev.hellonet.counters.CounterRegistry;
import dev.hellonet.counters.CountersVerticle;
import dev.hellonet.testing.Await;
import dev.hellonet.testing.ServerProcess;
import dev.hellonet.testing.TestClusterKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Departed nodes in the map of last counters stay bounded: past the newest few, they are folded into one entry, and
 * the cluster's departed totals are the same before and after, to the unit. One real node (its counters verticle and
 * the cluster counters verticle, on a standalone Vert.x and on a one-member Infinispan cluster) and departed nodes
 * written into the map as a node writes them.
 */
@ExtendWith(VertxExtension.class)
class DepartedFoldTest {
  private static final int KEPT = 5;

  @Test
  void olderDepartedNodesAreFoldedIntoOneEntryAndTheTotalsStayExact(Vertx vertx) throws Exception {
    foldsAndStaysExact(vertx);
  }

  @Test
  void theSameOnAnInfinispanClusterWhereTheMapTheLockAndTheMembersAreInfinispans() throws Exception {
    int port = ServerProcess.freePort();
    ClusterPlan plan = new ClusterPlan(List.of("127.0.0.1:" + port), "", "127.0.0.1", "", port, 0,
        TestClusterKeys.sharedSecret());
    Vertx clustered = Await.result(Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(ClusterStack.eventBus(plan)))
        .withClusterManager(ClusterStack.manager(plan, new Refusals("test"))).buildClustered(), 60);
    try {
      assertTrue(ClusterView.of(clustered).clustered());
      foldsAndStaysExact(clustered);
    } finally {
      Await.result(clustered.close(), 30);
    }
  }

  private static void foldsAndStaysExact(Vertx vertx) throws Exception {
    ClusterView view = ClusterView.of(vertx);
    AsyncMap<String, JsonObject> last = Await.result(vertx.sharedData().getAsyncMap(Addresses.COUNTERS_LAST_MAP));
    Await.result(vertx.deployVerticle(new CountersVerticle(new CounterRegistry("1@live"), 1_000, view.nodeId())));
    // All stopped gracefully: their figures are final.
    List<String> first = departNodes(last, 0, 23, i -> true);

    // Read before any fold: a verticle that does not fold yet.
    String reader = Await.result(vertx.deployVerticle(new ClusterCountersVerticle(view, KEPT, 3_600_000)));
    JsonObject before = clusterCounters(vertx);
    assertEquals(23, departedRows(before).size(), before.encodePrettily());
    Await.result(vertx.undeploy(reader));

    Await.result(vertx.deployVerticle(new ClusterCountersVerticle(view, KEPT, 50)));
    awaitSize(last, 1 + KEPT + 1); // the live node, the newest departed ones, the aggregate
    JsonObject after = clusterCounters(vertx);
    assertEquals(departed(before), departed(after), "departed totals unchanged by the fold:\n" + after.encodePrettily());
    assertEquals(IntStream.rangeClosed(1, 23).sum(), repliesOf(departed(after)));
    List<JsonObject> rows = departedRows(after);
    assertEquals(KEPT + 1, rows.size(), after.encodePrettily());
    JsonObject aggregate = row(rows, DepartedFold.KEY);
    assertEquals(23 - KEPT, aggregate.getInteger(DepartedFold.FOLDED), aggregate.encodePrettily());
    assertEquals((23 - KEPT) + " earlier departed nodes", aggregate.getString("node"));
    assertFalse(aggregate.containsKey(DepartedFold.RECENT), "the bookkeeping stays in the map, not in the reply");
    assertTrue(aggregate.getBoolean(CountersVerticle.FINAL), "every node in it stopped gracefully");
    assertTrue(after.getJsonObject("cluster").getJsonObject("departed").getBoolean(CountersVerticle.FINAL));
    // The newest departures (by the time of their last figures) are the ones kept one by one.
    assertEquals(new TreeSet<>(first.subList(23 - KEPT, 23)), rows.stream().map(r -> r.getString("id"))
        .filter(id -> !id.equals(DepartedFold.KEY)).collect(Collectors.toCollection(TreeSet::new)));

    // More churn: folded into the same entry, the map stays bounded and the totals stay exact.
    // One of them (the oldest, so it is folded) was killed: its figures are not final.
    departNodes(last, 23, 12, i -> i != 23);
    awaitSize(last, 1 + KEPT + 1);
    JsonObject later = clusterCounters(vertx);
    assertEquals(IntStream.rangeClosed(1, 35).sum(), repliesOf(departed(later)), later.encodePrettily());
    JsonObject laterAggregate = row(departedRows(later), DepartedFold.KEY);
    assertEquals(35 - KEPT, laterAggregate.getInteger(DepartedFold.FOLDED));
    assertFalse(laterAggregate.getBoolean(CountersVerticle.FINAL), "a killed node is in it: " + laterAggregate);
    assertFalse(later.getJsonObject("cluster").getJsonObject("departed").getBoolean(CountersVerticle.FINAL),
        "the departed totals may be short, folded or not");
    assertEquals(IntStream.rangeClosed(1, 35).sum() * 2L,
        departed(later).getJsonObject("hello").getJsonObject("total").getLong("requests"));
    assertFalse(departed(later).getJsonObject("hello").getJsonObject("total").containsKey("connectionsActive"),
        "levels are not counts: a departed node holds no connections, folded or not");
  }

  @Test
  void anEntryTheAggregateAlreadyHoldsIsCountedOnceAndTheNextFoldRemovesIt(Vertx vertx) throws Exception {
    // A fold that wrote the aggregate but died before removing the entries it folded, or a reader that read an entry
    // just before a fold removed it: the aggregate lists the id, so the entry is not counted again.
    ClusterView view = ClusterView.of(vertx);
    AsyncMap<String, JsonObject> last = Await.result(vertx.sharedData().getAsyncMap(Addresses.COUNTERS_LAST_MAP));
    Await.result(vertx.deployVerticle(new CountersVerticle(new CounterRegistry("1@live"), 1_000, view.nodeId())));
    String halfFolded = UUID.randomUUID().toString();
    Await.result(last.put(halfFolded, snapshot("9@gone", 1_000, 40)));
    Await.result(last.put(DepartedFold.KEY, snapshot("1 earlier departed nodes", 1_000, 40)
        .put(DepartedFold.FOLDED, 1).put(DepartedFold.RECENT, new JsonArray().add(halfFolded))));

    String reader = Await.result(vertx.deployVerticle(new ClusterCountersVerticle(view, KEPT, 3_600_000)));
    JsonObject counted = clusterCounters(vertx);
    assertEquals(40, repliesOf(departed(counted)), counted.encodePrettily());
    assertEquals(List.of(DepartedFold.KEY), departedRows(counted).stream().map(r -> r.getString("id")).toList());
    Await.result(vertx.undeploy(reader));

    // Enough departures for a fold: it also removes the half-folded entry; still nothing counted twice.
    departNodes(last, 0, KEPT + 3, i -> false);
    Await.result(vertx.deployVerticle(new ClusterCountersVerticle(view, KEPT, 50)));
    awaitSize(last, 1 + KEPT + 1);
    assertEquals(null, Await.result(last.get(halfFolded)));
    JsonObject after = clusterCounters(vertx);
    assertEquals(40 + IntStream.rangeClosed(1, KEPT + 3).sum(), repliesOf(departed(after)), after.encodePrettily());
    assertEquals(1 + 3, row(departedRows(after), DepartedFold.KEY).getInteger(DepartedFold.FOLDED));
  }

  /**
   * Writes {@code count} departed nodes' last snapshots; node {@code from + i} served {@code from + i + 1} replies, and
   * its figures are final when it stopped gracefully.
   */
  private static List<String> departNodes(AsyncMap<String, JsonObject> last, int from, int count,
                                          IntPredicate stoppedGracefully) throws Exception {
    List<String> ids = IntStream.range(0, count).mapToObj(i -> UUID.randomUUID().toString()).toList();
    List<Future<Void>> puts = IntStream.range(0, count).mapToObj(i -> last.put(ids.get(i),
        snapshot((from + i) + "@gone", 1_000_000L + from + i, from + i + 1)
            .put(CountersVerticle.FINAL, stoppedGracefully.test(from + i)))).toList();
    Await.result(Future.all(puts));
    return ids;
  }

  private static JsonObject snapshot(String node, long time, long replies) {
    return new JsonObject().put("node", node).put("time", time)
        .put("hello", new JsonObject()
            .put("total", new JsonObject().put("replies", replies).put("requests", 2 * replies)
                .put("connectionsActive", 3))
            .put("instances", new JsonArray().add(new JsonObject().put("instance", "hello-0").put("replies", replies))));
  }

  private static JsonObject clusterCounters(Vertx vertx) throws Exception {
    return Await.result(vertx.eventBus().<JsonObject>request(Addresses.CLUSTER_COUNTERS, null).map(Message::body));
  }

  private static void awaitSize(AsyncMap<String, JsonObject> last, int size) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int now;
    while ((now = Await.result(last.size())) > size) {
      assertTrue(System.nanoTime() < deadline, "the map still holds " + now + " entries, bound " + size);
      Thread.sleep(20);
    }
    assertEquals(size, now);
  }

  private static JsonObject departed(JsonObject counters) {
    JsonObject departed = counters.getJsonObject("cluster").getJsonObject("departed").copy();
    departed.remove(CountersVerticle.FINAL); // says whether figures are final, not a count
    return departed;
  }

  private static long repliesOf(JsonObject departed) {
    return departed.getJsonObject("hello").getJsonObject("total").getLong("replies");
  }

  private static List<JsonObject> departedRows(JsonObject counters) {
    return counters.getJsonObject("cluster").getJsonArray("nodes").stream().map(JsonObject.class::cast)
        .filter(n -> "departed".equals(n.getString("state"))).toList();
  }

  private static JsonObject row(List<JsonObject> rows, String id) {
    return rows.stream().filter(r -> id.equals(r.getString("id"))).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + id + " in " + rows));
  }
}
