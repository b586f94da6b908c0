package dev.scriptd.bus;

import dev.scriptd.domain.LogLine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Lines in seq order; {@code nextSince} is the last seq returned (or the query's afterSeq). */
public record LogPage(List<LogLine> lines, long nextSince) {
  public LogPage {
    lines = List.copyOf(lines);
  }

  /** The wire form, for an answer to another node: {@code {"lines": [log line JSON], "next_since"}}. */
  public JsonObject toJson() {
    JsonArray array = new JsonArray(new ArrayList<>(lines.size()));
    for (LogLine line : lines) {
      array.add(line.toJson());
    }
    return new JsonObject().put("lines", array).put("next_since", nextSince);
  }

  public static LogPage fromJson(JsonObject json) {
    JsonArray array = json.getJsonArray("lines");
    List<LogLine> lines = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      lines.add(LogLine.fromJson(array.getJsonObject(i)));
    }
    return new LogPage(lines, json.getLong("next_since", 0L));
  }
}
