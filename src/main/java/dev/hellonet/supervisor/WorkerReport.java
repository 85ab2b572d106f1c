package dev.hellonet.supervisor;

import io.vertx.core.json.JsonObject;

/** What the supervisor knows about one worker at a moment: shown in {@code /api/status} under {@code supervisor}. */
public record WorkerReport(int index, long pid, WorkerState state, int restarts, Integer lastExitCode,
                           long startedAtMs) {
  public JsonObject toJson() {
    return new JsonObject()
        .put("index", index)
        .put("pid", pid)
        .put("state", state.name().toLowerCase(java.util.Locale.ROOT))
        .put("restarts", restarts)
        .put("lastExitCode", lastExitCode)
        .put("startedAt", startedAtMs <= 0 ? null : java.time.Instant.ofEpochMilli(startedAtMs).toString());
  }
}
