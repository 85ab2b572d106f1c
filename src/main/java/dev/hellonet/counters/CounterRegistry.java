package dev.hellonet.counters;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The in-process view of every live counter: verticle instances register a source, and a snapshot groups the sources
 * by role with a total per role beside the per-instance figures. One registry per running service, passed down.
 */
public final class CounterRegistry {
  private final String node;
  private final List<Source> sources = new CopyOnWriteArrayList<>();

  private record Source(String role, String instance, Supplier<JsonObject> read) {}

  public CounterRegistry(String node) {
    this.node = node;
  }

  /** Adds a source; the returned handle removes it again. */
  public Runnable register(String role, String instance, Supplier<JsonObject> read) {
    Source source = new Source(role, instance, read);
    sources.add(source);
    return () -> sources.remove(source);
  }

  /**
   * {@code {"node", "time", <role>: {"total": {...}, "instances": [{"instance": ..., ...}]}}}; totals sum every
   * numeric field over the role's instances.
   */
  public JsonObject snapshot() {
    // Read before the counters, so that "time" means: every event counted before it is in these figures.
    long time = System.currentTimeMillis();
    Map<String, JsonObject> roles = new LinkedHashMap<>();
    for (Source source : sources) {
      JsonObject values = source.read().get();
      JsonObject role = roles.computeIfAbsent(source.role(),
          r -> new JsonObject().put("total", new JsonObject()).put("instances", new JsonArray()));
      JsonObject total = role.getJsonObject("total");
      for (Map.Entry<String, Object> e : values) {
        if (e.getValue() instanceof Number n) {
          total.put(e.getKey(), total.getLong(e.getKey(), 0L) + n.longValue());
        }
      }
      role.getJsonArray("instances").add(new JsonObject().put("instance", source.instance()).mergeIn(values));
    }
    JsonObject out = new JsonObject().put("node", node).put("time", time);
    roles.forEach(out::put);
    return out;
  }
}
