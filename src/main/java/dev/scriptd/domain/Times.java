package dev.scriptd.domain;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** ISO-8601 UTC with milliseconds, the one time format of the API. */
public final class Times {
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Times() {
  }

  public static String format(long epochMillis) {
    return ISO_MILLIS.format(Instant.ofEpochMilli(epochMillis));
  }

  public static String format(Instant instant) {
    return instant == null ? null : ISO_MILLIS.format(instant);
  }

  /** Parses any ISO-8601 instant ({@code Z} or offset); throws DateTimeParseException otherwise. */
  public static Instant parse(String text) {
    return java.time.OffsetDateTime.parse(text).toInstant();
  }

  public static long parseMillis(String text) {
    return parse(text).toEpochMilli();
  }
}
