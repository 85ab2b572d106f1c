package dev.hellonet.cluster;

import dev.hellonet.counters.CountersVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the cluster's counters present nodes that have left: summed apart, and each saying whether its figures are
 * final (kept by a graceful stop) or as of its last publish (killed: it may have served more that no one counted).
 */
@ExtendWith(VertxExtension.class)
class ClusterCountersVerticleTest {
  @Test
  void aDepartedNodeWithoutAFinalSnapshotSaysItsFiguresMayBeShortAndSoDoTheDepartedTotals(Vertx vertx) {
    ClusterCountersVerticle counters = new ClusterCountersVerticle(ClusterView.of(vertx));
    Map<String, JsonObject> kept = Map.of(
        "live", snapshot("1@h", 1_000, 100, false),
        "stopped", snapshot("2@h", 2_000, 30, true),
        "killed", snapshot("3@h", 3_000, 5, false));

    JsonObject out = counters.combine(List.of("live"), List.of(Future.succeededFuture(snapshot("1@h", 4_000, 120,
        false))), kept);

    assertEquals(120, replies(out), "live totals are the live node's, read now");
    JsonObject departed = out.getJsonObject("cluster").getJsonObject("departed");
    assertEquals(35, replies(departed), out.encodePrettily());
    assertFalse(departed.getBoolean(CountersVerticle.FINAL), "one departed node's figures are not final");
    JsonObject stopped = node(out, "stopped");
    JsonObject killed = node(out, "killed");
    assertEquals("departed", stopped.getString("state"));
    assertTrue(stopped.getBoolean(CountersVerticle.FINAL), out.encodePrettily());
    assertEquals("departed", killed.getString("state"));
    assertFalse(killed.getBoolean(CountersVerticle.FINAL), out.encodePrettily());
    assertEquals(3_000, killed.getLong("time"), "as of its last publish");
    assertFalse(node(out, "live").containsKey(CountersVerticle.FINAL), "a live node's figures are read now");
  }

  @Test
  void departedTotalsAreFinalWhenEveryDepartedNodeStoppedGracefullyOrNoneHasLeft(Vertx vertx) {
    ClusterCountersVerticle counters = new ClusterCountersVerticle(ClusterView.of(vertx));
    Future<JsonObject> live = Future.succeededFuture(snapshot("1@h", 4_000, 120, false));

    JsonObject graceful = counters.combine(List.of("live"), List.of(live),
        Map.of("stopped", snapshot("2@h", 2_000, 30, true)));
    JsonObject none = counters.combine(List.of("live"), List.of(live), Map.of());

    assertTrue(graceful.getJsonObject("cluster").getJsonObject("departed").getBoolean(CountersVerticle.FINAL));
    assertEquals(30, replies(graceful.getJsonObject("cluster").getJsonObject("departed")));
    assertTrue(none.getJsonObject("cluster").getJsonObject("departed").getBoolean(CountersVerticle.FINAL));
  }

  @Test
  void aMemberThatDoesNotAnswerButKeptFinalFiguresIsCountedAsDeparted(Vertx vertx) {
    ClusterCountersVerticle counters = new ClusterCountersVerticle(ClusterView.of(vertx));
    Future<JsonObject> live = Future.succeededFuture(snapshot("1@h", 4_000, 120, false));

    JsonObject out = counters.combine(List.of("live", "stopping"), List.of(live,
        Future.failedFuture("no handlers")), Map.of("stopping", snapshot("2@h", 3_000, 30, true)));

    JsonObject departed = out.getJsonObject("cluster").getJsonObject("departed");
    assertEquals(30, replies(departed), "its final figures count: " + out.encodePrettily());
    assertTrue(departed.getBoolean(CountersVerticle.FINAL));
    assertEquals("departed", node(out, "stopping").getString("state"));
  }

  private static JsonObject snapshot(String node, long time, long replies, boolean isFinal) {
    JsonObject s = new JsonObject().put("node", node).put("time", time)
        .put("hello", new JsonObject().put("total", new JsonObject().put("replies", replies))
            .put("instances", new JsonArray().add(new JsonObject().put("instance", "hello-0").put("replies", replies))));
    return isFinal ? s.put(CountersVerticle.FINAL, true) : s;
  }

  private static long replies(JsonObject counters) {
    return counters.getJsonObject("hello").getJsonObject("total").getLong("replies");
  }

  private static JsonObject node(JsonObject counters, String id) {
    JsonArray nodes = counters.getJsonObject("cluster").getJsonArray("nodes");
    return nodes.stream().map(JsonObject.class::cast).filter(n -> id.equals(n.getString("id"))).findFirst()
        .orElseThrow(() -> new AssertionError("no node " + id + " in " + nodes.encodePrettily()));
  }
}
