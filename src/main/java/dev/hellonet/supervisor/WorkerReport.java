package dev.hellonet.supervisor;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Locale;

/** What the supervisor knows about one worker at a moment: shown in {@code /api/status} under {@code supervisor}. */
public record WorkerReport(int index, long pid, WorkerState state, int restarts, Integer lastExitCode,
                           long startedAtMs) {
  public JsonObject toJson() {
    return new JsonObject()
        .put("index", index)
        .put("pid", pid)
        .put("state", state.name().toLowerCase(Locale.ROOT))
        .put("restarts", restarts)
        .put("lastExitCode", lastExitCode)
        .put("startedAt", startedAtMs <= 0 ? null : Instant.ofEpochMilli(startedAtMs).toString());
  }
}
