package dev.scriptd.domain;

import io.vertx.core.json.JsonObject;

/**
 * One line of a run's output, without its newline. {@code seq} starts at 1 and has no gaps
 * within a run across both streams; {@code timestamp} is epoch milliseconds at arrival.
 */
public record LogLine(long seq, long timestamp, LogStream stream, String text) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("seq", seq)
        .put("ts", Times.format(timestamp))
        .put("stream", stream.wire())
        .put("line", text);
  }

  public static LogLine fromJson(JsonObject json) {
    return new LogLine(json.getLong("seq"), Times.parseMillis(json.getString("ts")),
        LogStream.fromWire(json.getString("stream")), json.getString("line"));
  }
}
