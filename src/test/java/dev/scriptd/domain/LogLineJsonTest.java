package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A log line's JSON text, rendered by hand")
class LogLineJsonTest {
  private static final DateTimeFormatter REFERENCE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  @DisplayName("is exactly what JsonObject encodes, for quotes, backslashes, controls, ANSI and non-ASCII text")
  void sameAsJsonObject() {
    Random random = new Random(42);
    String alphabet = "ab \"\\/\n\r\t\b\f\u0000\u0001\u001b[31m\u007f\u00e9\u4e2d\ud83d\ude00\u2028";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(40);
      for (int j = 0; j < length; j++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      LogLine line = new LogLine(1 + random.nextInt(1_000_000), 1_700_000_000_000L + random.nextInt(1 << 30),
          random.nextBoolean() ? LogStream.STDOUT : LogStream.STDERR, text.toString());
      assertEquals(line.toJson().encode(), line.encodedJson(), () -> "for " + line);
    }
  }

  @Test
  @DisplayName("times match the java.time formatter, across days, leap years, the epoch and before it")
  void timesMatchFormatter() {
    Random random = new Random(7);
    long[] fixed = {0, -1, 86_399_999, 86_400_000, 951_782_400_000L /* 2000-02-29 */, 253_402_300_799_999L,
        -62_135_596_800_000L /* 0001-01-01 */};
    for (long millis : fixed) {
      assertEquals(REFERENCE.format(Instant.ofEpochMilli(millis)), Times.format(millis), "at " + millis);
    }
    for (int i = 0; i < 100_000; i++) {
      long millis = (long) (random.nextDouble() * 4_102_444_800_000L) - 1_000_000_000_000L;
      assertEquals(REFERENCE.format(Instant.ofEpochMilli(millis)), Times.format(millis), "at " + millis);
    }
  }
}
