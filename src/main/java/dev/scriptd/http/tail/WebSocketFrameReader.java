package dev.scriptd.http.tail;

import io.vertx.core.buffer.Buffer;

/**
 * Reads the frames a client sends (RFC 6455 section 5.2), incrementally, from whatever pieces the
 * socket delivers. A tail has no use for client messages, so data frames are skipped without
 * being held; control frames (at most 125 bytes by the RFC) are unmasked and handed on. Memory
 * stays bounded whatever the client sends.
 */
final class WebSocketFrameReader {
  /** What the reader found. */
  interface Listener {
    void control(int opcode, byte[] payload);

    /** The client broke the protocol; the connection should be closed with {@code code}. */
    void violation(int code, String reason);
  }

  static final int PROTOCOL_ERROR = 1002;
  private static final int MAX_CONTROL_PAYLOAD = 125;

  private final Listener listener;
  private final byte[] header = new byte[14];
  private int headerRead;
  private int opcode;
  private long payloadLeft;
  private byte[] control;
  private int controlRead;
  private final byte[] mask = new byte[4];
  private boolean failed;

  WebSocketFrameReader(Listener listener) {
    this.listener = listener;
  }

  void feed(Buffer data) {
    int length = data.length();
    int at = 0;
    while (at < length && !failed) {
      if (payloadLeft == 0 && control == null) {
        header[headerRead++] = data.getByte(at++);
        int needed = headerLength();
        if (needed > 0 && headerRead == needed) {
          startPayload();
        }
      } else {
        int take = (int) Math.min(payloadLeft, length - at);
        if (control != null) {
          for (int i = 0; i < take; i++) {
            control[controlRead] = (byte) (data.getByte(at + i) ^ mask[controlRead & 3]);
            controlRead++;
          }
        }
        at += take;
        payloadLeft -= take;
        if (payloadLeft == 0) {
          endPayload();
        }
      }
    }
  }

  /** The full header length once enough of it is known, else -1. */
  private int headerLength() {
    if (headerRead < 2) {
      return -1;
    }
    int lengthCode = header[1] & 0x7F;
    int extended = lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0;
    boolean masked = (header[1] & 0x80) != 0;
    return 2 + extended + (masked ? 4 : 0);
  }

  private void startPayload() {
    int first = header[0] & 0xFF;
    opcode = first & 0x0F;
    int lengthCode = header[1] & 0x7F;
    int at = 2;
    long length = lengthCode;
    if (lengthCode == 126) {
      length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
      at = 4;
    } else if (lengthCode == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | (header[2 + i] & 0xFF);
      }
      at = 10;
    }
    boolean masked = (header[1] & 0x80) != 0;
    headerRead = 0;
    if ((first & 0x70) != 0) {
      fail("reserved bits set; no extension was negotiated");
      return;
    }
    if (!masked) {
      fail("client frames must be masked");
      return;
    }
    if (length < 0) {
      fail("frame length out of range");
      return;
    }
    if (opcode > WebSocketFrames.PONG || opcode > 0x2 && opcode < WebSocketFrames.CLOSE) {
      fail("unknown opcode " + opcode);
      return;
    }
    System.arraycopy(header, at, mask, 0, 4);
    boolean isControl = (opcode & 0x8) != 0;
    if (isControl) {
      if (length > MAX_CONTROL_PAYLOAD || (first & 0x80) == 0) {
        fail("control frames must be final and at most 125 bytes");
        return;
      }
      control = new byte[(int) length];
      controlRead = 0;
    }
    payloadLeft = length;
    if (length == 0) {
      endPayload();
    }
  }

  private void endPayload() {
    if (control != null) {
      byte[] payload = control;
      control = null;
      listener.control(opcode, payload);
    }
  }

  private void fail(String reason) {
    failed = true;
    listener.violation(PROTOCOL_ERROR, reason);
  }
}
