package dev.scriptd.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * What one retention pass did, or for a dry run would do. {@code byRule}: runs per rule ({@code days},
 * {@code max_runs}, {@code max_bytes}), each run counted under the first rule that took it.
 * {@code runIds}: the first ids a dry run would delete (empty for a real pass).
 */
public record CleanupStats(long deletedRuns, long freedBytes, long durationMs, Map<String, Long> byRule,
    boolean dryRun, List<String> runIds) {

  public CleanupStats {
    byRule = Map.copyOf(byRule);
    runIds = List.copyOf(runIds);
  }

  public JsonObject toJson() {
    JsonObject rules = new JsonObject();
    byRule.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(entry -> rules.put(entry.getKey(), entry.getValue()));
    if (dryRun) {
      return new JsonObject().put("would_delete_runs", deletedRuns).put("would_free_bytes", freedBytes)
          .put("run_ids", new JsonArray(runIds)).put("by_rule", rules).put("duration_ms", durationMs);
    }
    return new JsonObject().put("deleted_runs", deletedRuns).put("freed_bytes", freedBytes)
        .put("duration_ms", durationMs).put("by_rule", rules);
  }
}
