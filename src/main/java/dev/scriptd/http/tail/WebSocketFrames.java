package dev.scriptd.http.tail;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Server-to-client WebSocket frames (RFC 6455 section 5.2): final, unmasked, one message per
 * frame. Many frames go into one buffer, so a batch of lines costs one socket write.
 */
final class WebSocketFrames {
  static final int TEXT = 0x1;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;
  /** The longest header of an unmasked frame: 2 bytes and a 64-bit length. */
  static final int MAX_HEADER = 10;
  private static final int FINAL = 0x80;

  private WebSocketFrames() {
  }

  /** Appends one final frame of {@code opcode} carrying {@code payload}. */
  static Buffer append(Buffer out, int opcode, byte[] payload) {
    out.appendByte((byte) (FINAL | opcode));
    int length = payload.length;
    if (length < 126) {
      out.appendByte((byte) length);
    } else if (length <= 0xFFFF) {
      out.appendByte((byte) 126).appendUnsignedShort(length);
    } else {
      out.appendByte((byte) 127).appendLong(length);
    }
    return out.appendBytes(payload);
  }

  static Buffer text(String message) {
    byte[] payload = message.getBytes(StandardCharsets.UTF_8);
    return append(Buffer.buffer(payload.length + 10), TEXT, payload);
  }

  /** A close frame with a status code and a reason (cut to fit the 125-byte control frame limit). */
  static Buffer close(int code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    int length = Math.min(text.length, 123);
    Buffer payload = Buffer.buffer(2 + length).appendUnsignedShort(code).appendBytes(text, 0, length);
    return append(Buffer.buffer(4 + length), CLOSE, payload.getBytes());
  }

  static Buffer control(int opcode, byte[] payload) {
    return append(Buffer.buffer(2 + payload.length), opcode, payload);
  }
}
