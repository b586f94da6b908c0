package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LogLineTest {

  private static byte[] utf8Of(LogLine line) {
    byte[] bytes = new byte[line.utf8Length()];
    line.copyUtf8(bytes, 0);
    return bytes;
  }

  @Test
  @DisplayName("a line made from bytes equals the line made from its text, in every form")
  void bytesAndTextAgree() {
    for (String text : new String[] {"", "plain ascii", "héllo wörld — 日本語 🚀", "\u001b[31mred\u001b[0m\r"}) {
      LogLine fromBytes = LogLine.ofUtf8(7, 1_763_900_000_123L, LogStream.STDERR, text.getBytes(StandardCharsets.UTF_8));
      LogLine fromText = new LogLine(7, 1_763_900_000_123L, LogStream.STDERR, text);

      assertEquals(fromText, fromBytes);
      assertEquals(fromText.hashCode(), fromBytes.hashCode());
      assertEquals(text, fromBytes.text());
      assertEquals(fromText.encodedJson(), fromBytes.encodedJson());
      assertArrayEquals(fromText.sseEvent(), fromBytes.sseEvent());
      assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), utf8Of(fromBytes));
      assertEquals(text.getBytes(StandardCharsets.UTF_8).length, fromText.utf8Length());
    }
  }

  @Test
  @DisplayName("invalid UTF-8 is replaced, and the line keeps the bytes of the replaced text")
  void invalidBytesAreNormalised() {
    byte[] raw = {'o', 'k', (byte) 0xff, ' ', (byte) 0xe2, (byte) 0x82};

    LogLine line = LogLine.ofUtf8(1, 0, LogStream.STDOUT, raw);

    String expected = new String(raw, StandardCharsets.UTF_8);
    assertEquals(expected, line.text());
    assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), utf8Of(line));
    assertEquals(new LogLine(1, 0, LogStream.STDOUT, expected), line);
  }

  @Test
  @DisplayName("the ASCII check sees a high bit at any position of any length")
  void asciiCheckAtEveryPosition() {
    for (int length = 0; length < 40; length++) {
      byte[] bytes = new byte[length];
      Arrays.fill(bytes, (byte) 'a');
      assertTrue(LogLine.isAscii(bytes));
      for (int i = 0; i < length; i++) {
        byte[] copy = bytes.clone();
        copy[i] = (byte) 0x80;
        assertFalse(LogLine.isAscii(copy), length + " / " + i);
      }
    }
  }
}
