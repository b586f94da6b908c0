package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

  private static List<String> split(LineSplitter splitter, String... pieces) {
    List<String> out = new ArrayList<>();
    for (String piece : pieces) {
      byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
      splitter.feed(bytes, 0, bytes.length, out);
    }
    return out;
  }

  @Test
  @DisplayName("newline ends a line and is dropped, across feeds")
  void splitsLines() {
    LineSplitter splitter = new LineSplitter(1024);
    assertEquals(List.of("a", "", "bc"), split(splitter, "a\n\nb", "c\nd"));
    List<String> rest = new ArrayList<>();
    splitter.finish(rest);
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
    splitter.finish(out);
    assertEquals(List.of("no newline"), out);

    LineSplitter clean = new LineSplitter(1024);
    List<String> none = new ArrayList<>(split(clean, "x\n"));
    none.clear();
    clean.finish(none);
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
      split.feed(new byte[] {b}, 0, 1, out);
    }
    split.finish(out);
    assertEquals(List.of("a😀", "😀"), out);
  }

  @Test
  @DisplayName("invalid UTF-8 is decoded with replacement characters")
  void decodesWithReplacement() {
    LineSplitter splitter = new LineSplitter(64);
    List<String> out = new ArrayList<>();
    byte[] bytes = {'o', 'k', (byte) 0xff, '\n'};
    splitter.feed(bytes, 0, bytes.length, out);
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
      oneRead.feed(bytes, 0, bytes.length, whole);
      oneRead.finish(whole);
      java.util.List<String> pieces = new java.util.ArrayList<>();
      LineSplitter manyReads = new LineSplitter(max);
      int at = 0;
      while (at < bytes.length) {
        int n = Math.min(bytes.length - at, 1 + random.nextInt(7));
        manyReads.feed(bytes, at, n, pieces);
        at += n;
      }
      manyReads.finish(pieces);
      org.junit.jupiter.api.Assertions.assertEquals(whole, pieces, "max " + max + " input " + text);
      for (String line : whole) {
        org.junit.jupiter.api.Assertions.assertTrue(
            line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= max || line.contains("\ufffd"), line);
      }
    }
  }
}
