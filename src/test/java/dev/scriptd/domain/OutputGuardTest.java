package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OutputGuardTest {

  private static List<LogLine> lines(long firstSeq, String... texts) {
    List<LogLine> lines = new ArrayList<>();
    for (String text : texts) {
      lines.add(LogLine.ofUtf8(firstSeq++, 5, LogStream.STDOUT, text.getBytes(StandardCharsets.UTF_8)));
    }
    return lines;
  }

  @Test
  @DisplayName("without secrets and under the limit the lines pass as they are, counted in UTF-8 bytes plus newline")
  void passesThrough() {
    OutputGuard guard = new OutputGuard(List.of(), 1000);
    List<LogLine> chunk = lines(1, "abc", "héllo");

    assertSame(chunk, guard.admit(chunk));
    assertEquals(4 + 7, guard.taken());
  }

  @Test
  @DisplayName("the line that would pass the limit becomes the truncation marker, and nothing follows")
  void cutsAtTheLimit() {
    OutputGuard guard = new OutputGuard(List.of(), 10);

    List<LogLine> kept = guard.admit(lines(1, "12345", "é€", "never"));

    assertEquals(List.of("12345", "[scriptd] output truncated at 6 bytes (limits.max_log_bytes = 10)"),
        kept.stream().map(LogLine::text).toList());
    assertEquals(List.of(1L, 2L), kept.stream().map(LogLine::seq).toList());
    assertEquals(LogStream.STDERR, kept.get(1).stream());
    assertTrue(guard.limitHit());
    assertEquals(List.of(), guard.admit(lines(4, "x")));
  }

  @Test
  @DisplayName("secrets are masked where they occur; other lines are kept as they were")
  void masksSecrets() {
    OutputGuard guard = new OutputGuard(List.of("hunter2"), 1000);
    List<LogLine> chunk = lines(1, "pw=hunter2!", "plain");

    List<LogLine> kept = guard.admit(chunk);

    assertEquals(List.of("pw=***!", "plain"), kept.stream().map(LogLine::text).toList());
    assertSame(chunk.get(1), kept.get(1));
    assertEquals(12 + 6, guard.taken()); // the output as read counts, not the masked text
  }
}
