package dev.scriptd.bus;

import io.vertx.core.json.JsonObject;

/** What one retention pass did. */
public record CleanupStats(long deletedRuns, long freedBytes, long durationMs) {

  public JsonObject toJson() {
    return new JsonObject().put("deleted_runs", deletedRuns).put("freed_bytes", freedBytes)
        .put("duration_ms", durationMs);
  }
}
