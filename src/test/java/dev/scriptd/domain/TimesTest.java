package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Times: the API's one time format")
class TimesTest {
  private static final DateTimeFormatter FORMATTER =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  @DisplayName("an instant is written as the formatter writes it, milliseconds truncated, in every year")
  void instantsAsTheFormatterWritesThem() {
    List<Instant> edges = List.of(Instant.EPOCH, Instant.ofEpochSecond(0, 999_999_999),
        Instant.ofEpochSecond(-1, 1), Instant.ofEpochSecond(-1, 999_999_999), Instant.parse("2026-12-06T23:43:26.312Z"),
        Instant.parse("2026-12-06T23:43:26.312999999Z"), Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("0001-01-01T00:00:00Z"),
        Instant.parse("0001-01-01T00:00:00Z").minusNanos(1),
        Instant.parse("0000-01-01T00:00:00Z").minusNanos(1), Instant.parse("9999-12-31T23:59:59.999999999Z"),
        Instant.parse("9999-12-31T23:59:59.999999999Z").plusNanos(1), Instant.parse("1900-02-28T12:00:00.5Z"),
        Instant.parse("2000-02-29T23:59:59.001Z"), Instant.parse("-5000-06-01T00:00:00Z"),
        Instant.parse("+12345-01-01T00:00:00.123Z"));
    for (Instant instant : edges) {
      assertEquals(FORMATTER.format(instant), Times.format(instant), instant.toString());
    }
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 100_000; i++) {
      Instant instant = Instant.ofEpochSecond(random.nextLong(-70_000_000_000L, 260_000_000_000L),
          random.nextInt(1_000_000_000));
      assertEquals(FORMATTER.format(instant), Times.format(instant), instant.toString());
    }
  }

  @Test
  @DisplayName("no instant is written as null")
  void noInstantIsNull() {
    assertNull(Times.format((Instant) null));
  }
}
