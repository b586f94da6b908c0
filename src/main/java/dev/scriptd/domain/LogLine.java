package dev.scriptd.domain;

import io.vertx.core.json.JsonObject;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One line of a run's output, without its newline. {@code seq} starts at 1 and has no gaps
 * within a run across both streams; {@code timestamp} is epoch milliseconds at arrival.
 *
 * <p>Immutable, like a record; a class so that its forms are computed once and shared: the UTF-8
 * bytes (always {@code text().getBytes(UTF_8)}: what is counted, stored and written to log files),
 * the text (decoded only when asked for: lines read from a child are usually only stored), and the
 * JSON and server-sent event encodings copied to every live subscriber.
 */
public final class LogLine {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  private final long seq;
  private final long timestamp;
  private final LogStream stream;
  private final byte[] utf8;
  /** Lazily decoded or encoded forms; a race only computes one twice, with the same result. */
  private String text;
  private String json;
  private byte[] sseEvent;

  public LogLine(long seq, long timestamp, LogStream stream, String text) {
    this(seq, timestamp, stream, Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8), text);
  }

  private LogLine(long seq, long timestamp, LogStream stream, byte[] utf8, String text) {
    this.seq = seq;
    this.timestamp = timestamp;
    this.stream = Objects.requireNonNull(stream, "stream");
    this.utf8 = utf8;
    this.text = text;
  }

  /**
   * A line from raw output bytes, which it keeps (the caller must not change the array afterwards).
   * Bytes that are not valid UTF-8 are replaced as {@code new String(bytes, UTF_8)} does, and the
   * line keeps the UTF-8 of that text instead, so {@link #utf8Length()} and the stored bytes always
   * agree with {@link #text()}. Pure ASCII, the usual case, is checked eight bytes at a time and
   * not decoded.
   */
  public static LogLine ofUtf8(long seq, long timestamp, LogStream stream, byte[] bytes) {
    if (isAscii(bytes)) {
      return new LogLine(seq, timestamp, stream, bytes, null);
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    byte[] encoded = text.getBytes(StandardCharsets.UTF_8);
    return new LogLine(seq, timestamp, stream, Arrays.equals(encoded, bytes) ? bytes : encoded, text);
  }

  static boolean isAscii(byte[] bytes) {
    int i = 0;
    long high = 0;
    for (int end = bytes.length - Long.BYTES; i <= end; i += Long.BYTES) {
      high |= (long) LONGS.get(bytes, i);
    }
    for (; i < bytes.length; i++) {
      high |= bytes[i];
    }
    return (high & HIGH_BITS) == 0;
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
    String decoded = text;
    if (decoded == null) {
      decoded = new String(utf8, StandardCharsets.UTF_8);
      text = decoded;
    }
    return decoded;
  }

  /** Length of the line's UTF-8 bytes (no newline), without encoding it. */
  public int utf8Length() {
    return utf8.length;
  }

  /** Copies the line's UTF-8 bytes into {@code target} at {@code offset}. */
  public void copyUtf8(byte[] target, int offset) {
    System.arraycopy(utf8, 0, target, offset, utf8.length);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("seq", seq)
        .put("ts", Times.format(timestamp))
        .put("stream", stream.wire())
        .put("line", text());
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
        && line.stream == stream && line.text().equals(text());
  }

  @Override
  public int hashCode() {
    return Objects.hash(seq, timestamp, stream, text());
  }

  @Override
  public String toString() {
    return "LogLine[seq=" + seq + ", timestamp=" + timestamp + ", stream=" + stream + ", text=" + text() + "]";
  }
}
