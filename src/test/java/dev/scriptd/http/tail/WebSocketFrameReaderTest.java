package dev.scriptd.http.tail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reading the frames a WebSocket client sends")
class WebSocketFrameReaderTest {
  private final List<String> events = new ArrayList<>();
  private final WebSocketFrameReader reader = new WebSocketFrameReader(new WebSocketFrameReader.Listener() {
    @Override
    public void control(int opcode, byte[] payload) {
      events.add(opcode + ":" + new String(payload, StandardCharsets.UTF_8));
    }

    @Override
    public void violation(int code, String reason) {
      events.add("violation " + code);
    }
  });

  /** A client frame: masked with a random key, as RFC 6455 requires of clients. */
  private static byte[] clientFrame(int firstByte, byte[] payload, Random random) {
    Buffer frame = Buffer.buffer().appendByte((byte) firstByte);
    if (payload.length < 126) {
      frame.appendByte((byte) (0x80 | payload.length));
    } else if (payload.length <= 0xFFFF) {
      frame.appendByte((byte) (0x80 | 126)).appendUnsignedShort(payload.length);
    } else {
      frame.appendByte((byte) (0x80 | 127)).appendLong(payload.length);
    }
    byte[] mask = new byte[4];
    random.nextBytes(mask);
    frame.appendBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.appendByte((byte) (payload[i] ^ mask[i & 3]));
    }
    return frame.getBytes();
  }

  @Test
  @DisplayName("skips data frames of every length and unmasks control frames, however the bytes are split")
  void splitAnywhere() {
    Random random = new Random(3);
    Buffer stream = Buffer.buffer()
        .appendBytes(clientFrame(0x81, "hello".getBytes(StandardCharsets.UTF_8), random))
        .appendBytes(clientFrame(0x89, "ping-1".getBytes(StandardCharsets.UTF_8), random))
        .appendBytes(clientFrame(0x82, new byte[300], random))
        .appendBytes(clientFrame(0x01, new byte[70_000], random)) // a fragment, 64-bit length
        .appendBytes(clientFrame(0x80, new byte[10], random)) // its final continuation
        .appendBytes(clientFrame(0x8A, new byte[0], random))
        .appendBytes(clientFrame(0x88, new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'}, random));
    byte[] bytes = stream.getBytes();
    int at = 0;
    while (at < bytes.length) {
      int piece = Math.min(bytes.length - at, 1 + random.nextInt(7));
      reader.feed(Buffer.buffer().appendBytes(bytes, at, piece));
      at += piece;
    }
    assertEquals(3, events.size(), events::toString);
    assertEquals("9:ping-1", events.get(0));
    assertEquals("10:", events.get(1));
    assertTrue(events.get(2).startsWith("8:") && events.get(2).endsWith("bye"), events.get(2));
  }

  @Test
  @DisplayName("refuses unmasked frames, reserved bits, unknown opcodes and long or fragmented control frames")
  void violations() {
    Random random = new Random(5);
    byte[][] bad = {
        {(byte) 0x81, 0x01, 'x'}, // not masked
        clientFrame(0xC1, new byte[1], random), // RSV1 without a negotiated extension
        clientFrame(0x83, new byte[1], random), // opcode 3 is reserved
        clientFrame(0x89, new byte[126], random), // control payload over 125 bytes
        clientFrame(0x09, new byte[1], random), // fragmented ping
    };
    for (byte[] frame : bad) {
      events.clear();
      WebSocketFrameReader fresh = new WebSocketFrameReader(new WebSocketFrameReader.Listener() {
        @Override
        public void control(int opcode, byte[] payload) {
          events.add("control " + opcode);
        }

        @Override
        public void violation(int code, String reason) {
          events.add("violation " + code);
        }
      });
      fresh.feed(Buffer.buffer(frame));
      assertEquals(List.of("violation 1002"), events, () -> "for frame starting " + frame[0]);
    }
  }

  @Test
  @DisplayName("server frames carry their length in the 7-bit, 16-bit and 64-bit forms")
  void serverFrameLengths() {
    for (int length : new int[] {0, 125, 126, 65_535, 65_536}) {
      byte[] payload = new byte[length];
      Buffer frame = WebSocketFrames.append(Buffer.buffer(), WebSocketFrames.TEXT, payload);
      assertEquals((byte) 0x81, frame.getByte(0));
      int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
      assertEquals(header + length, frame.length(), "for " + length);
      long encoded = length < 126 ? frame.getByte(1) : length <= 0xFFFF ? frame.getUnsignedShort(2) : frame.getLong(2);
      assertEquals(length, encoded);
    }
    Buffer close = WebSocketFrames.close(1000, "x".repeat(300));
    assertEquals(2 + 125, close.length(), "a close frame's reason is cut to the control frame limit");
    assertArrayEquals(new byte[] {(byte) 0x88, 125, 0x03, (byte) 0xE8}, close.getBytes(0, 4));
  }
}
