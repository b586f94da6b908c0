package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

  /** Lines as the run handler turns them into text: through {@link LogLine#ofUtf8}. */
  private static void feed(LineSplitter splitter, byte[] bytes, int offset, int length, List<String> out) {
    List<byte[]> lines = new ArrayList<>();
    splitter.feed(bytes, offset, length, lines);
    lines.forEach(line -> out.add(LogLine.ofUtf8(1, 0, LogStream.STDOUT, line).text()));
  }

  private static void finish(LineSplitter splitter, List<String> out) {
    List<byte[]> lines = new ArrayList<>();
    splitter.finish(lines);
    lines.forEach(line -> out.add(LogLine.ofUtf8(1, 0, LogStream.STDOUT, line).text()));
  }

  private static List<String> split(LineSplitter splitter, String... pieces) {
    List<String> out = new ArrayList<>();
    for (String piece : pieces) {
      byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
      feed(splitter, bytes, 0, bytes.length, out);
    }
    return out;
  }

  @Test
  @DisplayName("newline ends a line and is dropped, across feeds")
  void splitsLines() {
    LineSplitter splitter = new LineSplitter(1024);
    assertEquals(List.of("a", "", "bc"), split(splitter, "a\n\nb", "c\nd"));
    List<String> rest = new ArrayList<>();
    finish(splitter, rest);
    assertEquals(List.of("d"), rest);
  }

  @Test
  @DisplayName("CR and ANSI escapes are kept as they are")
  void keepsCarriageReturnAndAnsi() {
    LineSplitter splitter = new LineSplitter(1024);
    assertEquals(List.of("dos\r", "\u001b[31mred\u001b[0m", "a\rb"),
        split(splitter, "dos\r\n\u001b[31mred\u001b[0m\na\rb\n"));
  }

  @Test
  @DisplayName("a partial last line is emitted on close, nothing when the stream ended clean")
  void partialLineOnClose() {
    LineSplitter splitter = new LineSplitter(1024);
    assertEquals(List.of(), split(splitter, "no newline"));
    List<String> out = new ArrayList<>();
    finish(splitter, out);
    assertEquals(List.of("no newline"), out);

    LineSplitter clean = new LineSplitter(1024);
    List<String> none = new ArrayList<>(split(clean, "x\n"));
    none.clear();
    finish(clean, none);
    assertEquals(List.of(), none);
  }

  @Test
  @DisplayName("a line longer than maxLineBytes is cut and continues as the next line")
  void cutsLongLines() {
    LineSplitter splitter = new LineSplitter(4);
    assertEquals(List.of("abcd", "efgh", "ij", "wxyz"), split(splitter, "abcdefghij\nwxyz\n"));
  }

  @Test
  @DisplayName("the cut never breaks a multibyte character")
  void cutsAtCharacterBoundary() {
    LineSplitter splitter = new LineSplitter(4);
    // "ab" + "é" (2 bytes) fits exactly; "abc" + "€" (3 bytes) must move the euro sign over
    assertEquals(List.of("abé", "abc", "€x", "yz"), split(splitter, "abé\nabc€xyz\n"));
    LineSplitter split = new LineSplitter(5);
    List<String> out = new ArrayList<>();
    byte[] bytes = "a😀😀".getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      feed(split, new byte[] {b}, 0, 1, out);
    }
    finish(split, out);
    assertEquals(List.of("a😀", "😀"), out);
  }

  @Test
  @DisplayName("invalid UTF-8 is decoded with replacement characters")
  void decodesWithReplacement() {
    LineSplitter splitter = new LineSplitter(64);
    List<String> out = new ArrayList<>();
    byte[] bytes = {'o', 'k', (byte) 0xff, '\n'};
    feed(splitter, bytes, 0, bytes.length, out);
    assertEquals(List.of("ok\uFFFD"), out);
  }

  @org.junit.jupiter.api.Test
  @org.junit.jupiter.api.DisplayName("any split of the input into reads gives the same lines (fast and carried-over paths agree)")
  void readBoundariesDoNotMatter() {
    java.util.Random random = new java.util.Random(42);
    String alphabet = "ab\u00e9\u20ac\ud83d\ude00\n\n\u001b[1m";
    for (int round = 0; round < 200; round++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(300);
      for (int i = 0; i < length; i++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      byte[] bytes = text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      int max = 4 + random.nextInt(12);
      java.util.List<String> whole = new java.util.ArrayList<>();
      LineSplitter oneRead = new LineSplitter(max);
      feed(oneRead, bytes, 0, bytes.length, whole);
      finish(oneRead, whole);
      java.util.List<String> pieces = new java.util.ArrayList<>();
      LineSplitter manyReads = new LineSplitter(max);
      int at = 0;
      while (at < bytes.length) {
        int n = Math.min(bytes.length - at, 1 + random.nextInt(7));
        feed(manyReads, bytes, at, n, pieces);
        at += n;
      }
      finish(manyReads, pieces);
      org.junit.jupiter.api.Assertions.assertEquals(whole, pieces, "max " + max + " input " + text);
      for (String line : whole) {
        org.junit.jupiter.api.Assertions.assertTrue(
            line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= max || line.contains("\ufffd"), line);
      }
    }
  }

  @Test
  @DisplayName("the word-at-a-time newline search finds the first newline at every position")
  void findsFirstNewline() {
    java.util.Random random = new java.util.Random(7);
    for (int round = 0; round < 2000; round++) {
      byte[] bytes = new byte[random.nextInt(40)];
      for (int i = 0; i < bytes.length; i++) {
        // bytes around '\n' (0x0a) and with the high bit set are where a word trick could go wrong
        int pick = random.nextInt(6);
        bytes[i] = (byte) (pick == 0 ? '\n' : pick == 1 ? 0x0b : pick == 2 ? 0x09 : pick == 3 ? 0x8a
            : pick == 4 ? 0xff : 'a' + random.nextInt(26));
      }
      int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
      int to = from + random.nextInt(bytes.length - from + 1);
      int expected = -1;
      for (int i = from; i < to; i++) {
        if (bytes[i] == '\n') {
          expected = i;
          break;
        }
      }
      assertEquals(expected, LineSplitter.indexOfNewline(bytes, from, to), java.util.Arrays.toString(bytes));
    }
  }
}
