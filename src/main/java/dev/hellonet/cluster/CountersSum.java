package dev.hellonet.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;

/**
 * Adds node counter snapshots (shaped as on {@code hellonet.counters}) into one: each role's total summed, its
 * instances listed with the node they run on. Counts add up; a few figures are levels, not counts, and are treated as
 * such (see {@link #LEVELS}, {@link #MARKS}).
 */
final class CountersSum {
  /**
   * Figures that say how much of something there is now (open connections, running jobs, numbers held): summed over
   * live nodes, but a node that has left holds none of it, so its last value is not added.
   */
  static final Set<String> LEVELS = Set.of("connectionsActive", "openConnections", "maxConnections", "kernelWarnings",
      "jobsRunning", "inFlight", "sequenceHeld", "highWaterMark");
  /** Marks of one shared thing (the sequence store's high-water mark): the cluster's is the largest, not the sum. */
  static final Set<String> MARKS = Set.of("highWaterMark");

  private final JsonObject roles = new JsonObject();

  /** Adds a live node's snapshot: every figure, instances listed with {@code node}. */
  CountersSum addLive(JsonObject snapshot) {
    add(snapshot, true);
    return this;
  }

  /** Adds a departed node's last snapshot: counts only, no instances. */
  CountersSum addDeparted(JsonObject snapshot) {
    add(snapshot, false);
    return this;
  }

  private void add(JsonObject snapshot, boolean live) {
    String node = snapshot.getString("node", "?");
    for (Map.Entry<String, Object> e : snapshot) {
      if (!(e.getValue() instanceof JsonObject role) || !(role.getValue("total") instanceof JsonObject total)) {
        continue; // node, nodeId, time
      }
      JsonObject sum = roles.getJsonObject(e.getKey());
      if (sum == null) {
        sum = new JsonObject().put("total", new JsonObject()).put("instances", new JsonArray());
        roles.put(e.getKey(), sum);
      }
      JsonObject sumTotal = sum.getJsonObject("total");
      for (Map.Entry<String, Object> figure : total) {
        if (!(figure.getValue() instanceof Number n) || (!live && LEVELS.contains(figure.getKey()))) {
          continue;
        }
        long before = sumTotal.getLong(figure.getKey(), 0L);
        sumTotal.put(figure.getKey(), MARKS.contains(figure.getKey()) ? Math.max(before, n.longValue())
            : before + n.longValue());
      }
      if (live && role.getValue("instances") instanceof JsonArray instances) {
        for (Object instance : instances) {
          if (instance instanceof JsonObject i) {
            sum.getJsonArray("instances").add(i.copy().put("node", node));
          }
        }
      }
    }
  }

  /** {@code {role: {"total": {...}, "instances": [...]}}}. */
  JsonObject roles() {
    return roles.copy();
  }

  /** {@code {role: {"total": {...}}}}, without the instances. */
  JsonObject totals() {
    JsonObject out = new JsonObject();
    for (Map.Entry<String, Object> e : roles) {
      out.put(e.getKey(), new JsonObject().put("total", ((JsonObject) e.getValue()).getJsonObject("total").copy()));
    }
    return out;
  }
}
