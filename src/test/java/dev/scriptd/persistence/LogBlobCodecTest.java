package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LogBlobCodecTest {
  private final LogBlobCodec codec = new LogBlobCodec();

  @AfterEach
  void close() {
    codec.close();
  }

  private static List<LogLine> manyLines(int count) {
    List<LogLine> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      lines.add(new LogLine(i + 1, 1_763_900_000_000L + i, i % 5 == 0 ? LogStream.STDERR : LogStream.STDOUT,
          "line " + i + " " + "x".repeat(88)));
    }
    return lines;
  }

  @Test
  void roundTripsEveryKindOfLine() {
    long now = 1_763_900_000_123L;
    List<LogLine> lines = List.of(
        new LogLine(41, now, LogStream.STDOUT, "plain"),
        new LogLine(42, now, LogStream.STDERR, ""),
        new LogLine(43, now - 5, LogStream.STDOUT, "unicode: héllo wörld — 日本語 🚀"),
        new LogLine(44, now + 86_400_000L, LogStream.STDERR, "\u001b[31mred\u001b[0m \u001b[1;32mbold\u001b[0m"),
        new LogLine(45, 0, LogStream.STDOUT, "tab\there\rcarriage"),
        new LogLine(46, Long.MAX_VALUE / 2, LogStream.STDOUT, "x".repeat(64 * 1024)),
        new LogLine(47, now, LogStream.STDERR, "\u0000nul inside"));

    byte[] blob = codec.encode(lines);

    assertEquals(LogBlobCodec.DEFLATED, blob[0]);
    assertEquals(lines, codec.decode(blob, 41));
    assertEquals(lines, codec.decode(LogBlobCodec.encodePlain(lines), 41));
  }

  @Test
  @DisplayName("a format-1 blob as written before compression existed still decodes")
  void decodesFormatOne() {
    // LogBlobCodec.encode of these three lines at commit cdde595 (format 1 only)
    byte[] stored = HexFormat.of().parseHex("0103f69d908ad666000568656c6c6f05010b68c3a96c6c6f20f09f9a80a0010000");

    assertEquals(List.of(new LogLine(10, 1763900000123L, LogStream.STDOUT, "hello"),
        new LogLine(11, 1763900000120L, LogStream.STDERR, "héllo 🚀"),
        new LogLine(12, 1763900000200L, LogStream.STDOUT, "")), codec.decode(stored, 10));
    assertArrayEquals(stored, LogBlobCodec.encodePlain(codec.decode(stored, 10)));
  }

  @Test
  @DisplayName("format 2 is far smaller on repetitive output")
  void compresses() {
    List<LogLine> lines = manyLines(2000);
    byte[] plain = LogBlobCodec.encodePlain(lines);

    byte[] blob = codec.encode(lines);

    assertEquals(LogBlobCodec.DEFLATED, blob[0]);
    assertTrue(blob.length * 10 < plain.length, blob.length + " bytes deflated of " + plain.length);
    assertEquals(lines, codec.decode(blob, 1));
  }

  @Test
  @DisplayName("output deflate cannot shrink is stored as format 1")
  void incompressibleStaysPlain() {
    Random random = new Random(3);
    List<LogLine> lines = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      byte[] noise = new byte[60];
      random.nextBytes(noise);
      lines.add(new LogLine(i + 1, i, LogStream.STDOUT, HexFormat.of().formatHex(noise)));
    }
    List<LogLine> one = List.of(new LogLine(1, 5, LogStream.STDOUT, "ok"));

    assertArrayEquals(LogBlobCodec.encodePlain(one), codec.encode(one));
    byte[] hex = codec.encode(lines);
    assertTrue(hex.length <= LogBlobCodec.encodePlain(lines).length);
    assertEquals(lines, codec.decode(hex, 1));
  }

  @Test
  @DisplayName("one codec serves rows of every size in turn (its buffers and zlib state are reused)")
  void reusedAcrossRows() {
    for (int count : new int[] {2000, 1, 0, 700, 2000, 3}) {
      List<LogLine> lines = manyLines(count);
      assertEquals(lines, codec.decode(codec.encode(lines), 1), count + " lines");
    }
  }

  @Test
  @DisplayName("lines sharing any prefix and suffix with the line before round-trip (random)")
  void sharedPartsRoundTrip() {
    Random random = new Random(11);
    String[] pieces = {"", "a", "2025-12-01 10:00:0", "é", "🚀", "xxxxxxxxxxxxxxxx", " done", "\u001b[0m"};
    for (int round = 0; round < 300; round++) {
      List<LogLine> lines = new ArrayList<>();
      String previous = "";
      for (int i = 0; i < random.nextInt(40); i++) {
        StringBuilder text = new StringBuilder();
        if (random.nextBoolean()) {
          text.append(previous, 0, random.nextInt(previous.length() + 1));
        }
        for (int k = random.nextInt(4); k > 0; k--) {
          text.append(pieces[random.nextInt(pieces.length)]);
        }
        if (random.nextBoolean() && !previous.isEmpty()) {
          text.append(previous.substring(random.nextInt(previous.length())));
        }
        // cuts may split a surrogate pair: go through bytes as a child's output would
        LogLine line = LogLine.ofUtf8(i + 1, random.nextInt(3), random.nextBoolean() ? LogStream.STDERR : LogStream.STDOUT,
            text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        previous = line.text();
        lines.add(line);
      }
      assertEquals(lines, codec.decode(codec.encode(lines), 1));
    }
  }

  @Test
  @DisplayName("the shared suffix is counted exactly, at every length and offset")
  void sharedSuffixIsExact() {
    Random random = new Random(5);
    for (int round = 0; round < 3000; round++) {
      byte[] a = new byte[random.nextInt(30)];
      byte[] b = new byte[random.nextInt(30)];
      random.nextBytes(a);
      int common = random.nextInt(Math.min(a.length, b.length) + 1);
      for (int i = 0; i < b.length; i++) {
        b[i] = i >= b.length - common ? a[a.length - b.length + i] : (byte) random.nextInt(4);
      }
      int max = random.nextInt(Math.min(a.length, b.length) + 1);
      int expected = 0;
      while (expected < max && a[a.length - 1 - expected] == b[b.length - 1 - expected]) {
        expected++;
      }
      assertEquals(expected, LogBlobCodec.sharedSuffix(a, a.length, b, b.length, max));
    }
  }

  /** A format-2 blob of this payload. */
  private static byte[] deflate(byte[] payload) {
    java.util.zip.Deflater deflater = new java.util.zip.Deflater(1, true);
    deflater.setInput(payload);
    deflater.finish();
    byte[] out = new byte[payload.length + 64];
    int size = deflater.deflate(out);
    deflater.end();
    byte[] blob = new byte[2 + size];
    blob[0] = LogBlobCodec.DEFLATED;
    blob[1] = (byte) payload.length;
    System.arraycopy(out, 0, blob, 2, size);
    return blob;
  }

  @Test
  void seqsComeFromTheFirstSeq() {
    List<LogLine> lines = List.of(new LogLine(1, 10, LogStream.STDOUT, "a"),
        new LogLine(2, 11, LogStream.STDOUT, "b"));

    List<LogLine> decoded = codec.decode(codec.encode(lines), 1000);

    assertEquals(List.of(1000L, 1001L), decoded.stream().map(LogLine::seq).toList());
  }

  @Test
  void emptyListRoundTrips() {
    assertEquals(List.of(), codec.decode(codec.encode(List.of()), 1));
  }

  @Test
  void formatOneIsCompact() {
    List<LogLine> lines = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      lines.add(new LogLine(i + 1, 1_763_900_000_000L + i, LogStream.STDOUT, "line " + i));
    }
    int text = lines.stream().mapToInt(line -> line.text().length()).sum();

    byte[] blob = LogBlobCodec.encodePlain(lines);

    assertTrue(blob.length < text + 4 * lines.size() + 16, "blob of " + blob.length + " bytes");
  }

  @Test
  void rejectsTruncatedOrCorruptData() {
    byte[] blob = LogBlobCodec.encodePlain(List.of(new LogLine(1, 5, LogStream.STDOUT, "hello")));
    byte[] cut = Arrays.copyOf(blob, blob.length - 2);
    byte[] deflated = codec.encode(manyLines(100));
    byte[] deflatedCut = Arrays.copyOf(deflated, deflated.length / 2);
    byte[] garbage = deflated.clone();
    Arrays.fill(garbage, 4, garbage.length, (byte) 0xff);
    // a payload whose second line claims to share 5 bytes with a 2-byte line
    byte[] sharesTooMuch = deflate(new byte[] {2, 0, 0, 2, 0, 0, 'o', 'k', 0, 0, 6, 5, 0, 'x'});

    assertThrows(IllegalArgumentException.class, () -> codec.decode(cut, 1));
    assertThrows(IllegalArgumentException.class, () -> codec.decode(new byte[] {9}, 1));
    assertThrows(IllegalArgumentException.class, () -> codec.decode(deflatedCut, 1));
    assertThrows(IllegalArgumentException.class, () -> codec.decode(garbage, 1));
    assertThrows(IllegalArgumentException.class, () -> codec.decode(new byte[] {2, (byte) 0xff, 0x7f, 1}, 1));
    assertThrows(IllegalArgumentException.class, () -> codec.decode(sharesTooMuch, 1));
    // the codec is still usable after a failure
    assertEquals(manyLines(100), codec.decode(deflated, 1));
  }
}
