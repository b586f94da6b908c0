package dev.scriptd.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Consecutive lines of one run, as read in one go from its pipes. Lines travel in chunks, never
 * one bus message per line. {@code bytes} is the raw output size the lines came from.
 */
public record LogChunk(String runId, List<LogLine> lines, long bytes) {

  public LogChunk {
    lines = List.copyOf(lines);
  }

  public long firstSeq() {
    return lines.isEmpty() ? 0 : lines.get(0).seq();
  }

  public long lastSeq() {
    return lines.isEmpty() ? 0 : lines.get(lines.size() - 1).seq();
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray(new ArrayList<>(lines.size()));
    for (LogLine line : lines) {
      array.add(line.toJson());
    }
    return new JsonObject().put("run_id", runId).put("bytes", bytes).put("lines", array);
  }

  public static LogChunk fromJson(JsonObject json) {
    JsonArray array = json.getJsonArray("lines");
    List<LogLine> lines = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      lines.add(LogLine.fromJson(array.getJsonObject(i)));
    }
    return new LogChunk(json.getString("run_id"), lines, json.getLong("bytes", 0L));
  }
}
