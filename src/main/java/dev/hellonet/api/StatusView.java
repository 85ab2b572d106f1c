package dev.hellonet.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What {@code /api/status} shows a caller without a token when {@code api.token} is set: whether the node works, never
 * where it keeps things or who it is on its host. Kept field by field (an allow-list, so a field added to the status
 * later stays hidden until someone decides it is harmless): no paths, no database host or user, no store errors (they
 * name hosts), no allow-lists or limits ({@code protection}), no supervisor report (process ids, its file) and no
 * member ids.
 */
final class StatusView {
  private static final String[] TOP = {"version", "startedAt", "uptimeMs", "transport", "accepting", "instances"};
  private static final String[] SEQUENCE = {"kind", "reachable", "healthy", "highWaterMark", "exhaustedInstances"};

  private StatusView() {}

  static JsonObject forAnonymous(JsonObject status) {
    JsonObject out = new JsonObject();
    copy(status, out, TOP);
    if (status.getValue("hello") instanceof JsonObject hello) {
      out.put("hello", copy(hello, new JsonObject(), "listening", "port"));
    }
    if (status.getValue("sequence") instanceof JsonObject sequence) {
      out.put("sequence", copy(sequence, new JsonObject(), SEQUENCE));
    }
    if (status.getValue("kernelDefences") instanceof JsonObject kernel
        && kernel.getValue("warnings") instanceof JsonArray warnings) {
      out.put("kernelDefences", new JsonObject().put("warnings", warnings.copy()));
    }
    if (status.getValue("cluster") instanceof JsonObject cluster && cluster.getValue("nodes") instanceof JsonArray n) {
      out.put("cluster", new JsonObject().put("members", n.size()));
    }
    if (status.getValue("supervisor") instanceof JsonObject) {
      out.put("supervisor", new JsonObject().put("supervised", true));
    }
    return out.put("details", "hidden: send Authorization: Bearer <api.token or api.readToken> for the full status");
  }

  private static JsonObject copy(JsonObject from, JsonObject to, String... keys) {
    for (String key : keys) {
      if (from.containsKey(key)) {
        to.put(key, from.getValue(key));
      }
    }
    return to;
  }
}
