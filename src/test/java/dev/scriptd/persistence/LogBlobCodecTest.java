package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogBlobCodecTest {

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

    byte[] blob = LogBlobCodec.encode(lines);

    assertEquals(lines, LogBlobCodec.decode(blob, 41));
  }

  @Test
  void seqsComeFromTheFirstSeq() {
    List<LogLine> lines = List.of(new LogLine(1, 10, LogStream.STDOUT, "a"),
        new LogLine(2, 11, LogStream.STDOUT, "b"));

    List<LogLine> decoded = LogBlobCodec.decode(LogBlobCodec.encode(lines), 1000);

    assertEquals(List.of(1000L, 1001L), decoded.stream().map(LogLine::seq).toList());
  }

  @Test
  void emptyListRoundTrips() {
    assertEquals(List.of(), LogBlobCodec.decode(LogBlobCodec.encode(List.of()), 1));
  }

  @Test
  void isCompact() {
    List<LogLine> lines = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      lines.add(new LogLine(i + 1, 1_763_900_000_000L + i, LogStream.STDOUT, "line " + i));
    }
    int text = lines.stream().mapToInt(line -> line.text().length()).sum();

    byte[] blob = LogBlobCodec.encode(lines);

    assertTrue(blob.length < text + 4 * lines.size() + 16, "blob of " + blob.length + " bytes");
  }

  @Test
  void rejectsTruncatedData() {
    byte[] blob = LogBlobCodec.encode(List.of(new LogLine(1, 5, LogStream.STDOUT, "hello")));
    byte[] cut = java.util.Arrays.copyOf(blob, blob.length - 2);

    assertThrows(IllegalArgumentException.class, () -> LogBlobCodec.decode(cut, 1));
    assertThrows(IllegalArgumentException.class, () -> LogBlobCodec.decode(new byte[] {9}, 1));
  }
}
