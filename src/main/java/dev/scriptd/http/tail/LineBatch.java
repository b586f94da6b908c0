package dev.scriptd.http.tail;

import dev.scriptd.domain.LogLine;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Consecutive lines going out to clients, with each wire form rendered at most once: subscribers
 * that are level with each other (the usual case for a live tail) are handed the same batch, so
 * a thousand viewers cost one rendering and a thousand writes of the same bytes.
 */
final class LineBatch {
  private static final byte[] LOG_TYPE = "{\"type\":\"log\",".getBytes(StandardCharsets.US_ASCII);

  private final List<LogLine> lines;
  private Buffer sse;
  private Buffer webSocket;

  LineBatch(List<LogLine> lines) {
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("a batch has at least one line");
    }
    this.lines = lines;
  }

  List<LogLine> lines() {
    return lines;
  }

  long firstSeq() {
    return lines.get(0).seq();
  }

  long lastSeq() {
    return lines.get(lines.size() - 1).seq();
  }

  /** {@code id / event: log / data} blocks, one per line. */
  Buffer sse() {
    if (sse == null) {
      int size = 0;
      for (LogLine line : lines) {
        size += line.sseEvent().length;
      }
      Buffer out = Buffer.buffer(size);
      for (LogLine line : lines) {
        out.appendBytes(line.sseEvent());
      }
      sse = out;
    }
    return sse;
  }

  /** One text frame per line: the line's JSON with {@code "type":"log"} in front. */
  Buffer webSocket() {
    if (webSocket == null) {
      byte[][] payloads = new byte[lines.size()][];
      int size = 0;
      for (int i = 0; i < payloads.length; i++) {
        byte[] json = lines.get(i).encodedJson().getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[LOG_TYPE.length + json.length - 1];
        System.arraycopy(LOG_TYPE, 0, payload, 0, LOG_TYPE.length);
        System.arraycopy(json, 1, payload, LOG_TYPE.length, json.length - 1);
        payloads[i] = payload;
        size += WebSocketFrames.MAX_HEADER + payload.length;
      }
      Buffer out = Buffer.buffer(size);
      for (byte[] payload : payloads) {
        WebSocketFrames.append(out, WebSocketFrames.TEXT, payload);
      }
      webSocket = out;
    }
    return webSocket;
  }
}
