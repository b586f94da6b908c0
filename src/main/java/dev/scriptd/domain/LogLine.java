package dev.scriptd.domain;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One line of a run's output, without its newline. {@code seq} starts at 1 and has no gaps
 * within a run across both streams; {@code timestamp} is epoch milliseconds at arrival.
 *
 * <p>Immutable, like a record; a class only so that its JSON text is encoded once and shared by
 * every live subscriber that sends it (hundreds of clients tailing one run would otherwise encode
 * each line hundreds of times).
 */
public final class LogLine {
  private final long seq;
  private final long timestamp;
  private final LogStream stream;
  private final String text;
  /** Lazily encoded forms; a race only encodes one twice, with the same result. */
  private String json;
  private byte[] sseEvent;

  public LogLine(long seq, long timestamp, LogStream stream, String text) {
    this.seq = seq;
    this.timestamp = timestamp;
    this.stream = Objects.requireNonNull(stream, "stream");
    this.text = Objects.requireNonNull(text, "text");
  }

  public long seq() {
    return seq;
  }

  public long timestamp() {
    return timestamp;
  }

  public LogStream stream() {
    return stream;
  }

  public String text() {
    return text;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("seq", seq)
        .put("ts", Times.format(timestamp))
        .put("stream", stream.wire())
        .put("line", text);
  }

  /** {@link #toJson()} encoded, computed once. */
  public String encodedJson() {
    String encoded = json;
    if (encoded == null) {
      encoded = LogLineJson.encode(this);
      json = encoded;
    }
    return encoded;
  }

  /**
   * The line as one server-sent event ({@code id}, {@code event: log}, {@code data}), UTF-8,
   * computed once: live tails copy these bytes to every subscriber instead of re-rendering.
   */
  public byte[] sseEvent() {
    byte[] event = sseEvent;
    if (event == null) {
      event = ("id: " + seq + "\nevent: log\ndata: " + encodedJson() + "\n\n").getBytes(StandardCharsets.UTF_8);
      sseEvent = event;
    }
    return event;
  }

  public static LogLine fromJson(JsonObject json) {
    return new LogLine(json.getLong("seq"), Times.parseMillis(json.getString("ts")),
        LogStream.fromWire(json.getString("stream")), json.getString("line"));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof LogLine line && line.seq == seq && line.timestamp == timestamp
        && line.stream == stream && line.text.equals(text);
  }

  @Override
  public int hashCode() {
    return Objects.hash(seq, timestamp, stream, text);
  }

  @Override
  public String toString() {
    return "LogLine[seq=" + seq + ", timestamp=" + timestamp + ", stream=" + stream + ", text=" + text + "]";
  }
}
