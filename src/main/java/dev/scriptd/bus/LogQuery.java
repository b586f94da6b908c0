package dev.scriptd.bus;

import io.vertx.core.json.JsonObject;

/** Lines of a run with {@code seq > afterSeq}, at most {@code limit}, in seq order. */
public record LogQuery(String runId, long afterSeq, int limit) {

  /** The wire form, for a query to another node: {@code {"run_id", "after_seq", "limit"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("run_id", runId).put("after_seq", afterSeq).put("limit", limit);
  }

  /** Reads {@link #toJson()}'s form; fails (IllegalArgumentException) without a run id. */
  public static LogQuery fromJson(JsonObject json) {
    if (json == null || !(json.getValue("run_id") instanceof String runId)) {
      throw new IllegalArgumentException("a log query needs a run_id");
    }
    return new LogQuery(runId, json.getLong("after_seq", 0L), json.getInteger("limit", 0));
  }
}
