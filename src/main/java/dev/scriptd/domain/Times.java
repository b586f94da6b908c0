package dev.scriptd.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** ISO-8601 UTC with milliseconds, the one time format of the API. */
public final class Times {
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: years the pattern (year of era) writes as {@link #appendIso} does. */
  private static final long FIRST_FAST_SECOND = -62_135_596_800L;
  private static final long LAST_FAST_SECOND = 253_402_300_799L;

  private Times() {
  }

  public static String format(long epochMillis) {
    StringBuilder out = new StringBuilder(24);
    appendIso(out, epochMillis);
    return out.toString();
  }

  /**
   * Appends {@code yyyy-MM-ddTHH:mm:ss.SSSZ} without the java.time formatter: log lines are
   * rendered with their time for every live tail, and the formatter dominated that.
   */
  static void appendIso(StringBuilder out, long epochMillis) {
    long days = Math.floorDiv(epochMillis, 86_400_000L);
    int millisOfDay = (int) Math.floorMod(epochMillis, 86_400_000L);
    LocalDate date = LocalDate.ofEpochDay(days);
    int year = date.getYear();
    if (year < 0 || year > 9999) {
      out.append(ISO_MILLIS.format(Instant.ofEpochMilli(epochMillis)));
      return;
    }
    digits(out, year, 4).append('-');
    digits(out, date.getMonthValue(), 2).append('-');
    digits(out, date.getDayOfMonth(), 2).append('T');
    digits(out, millisOfDay / 3_600_000, 2).append(':');
    digits(out, millisOfDay / 60_000 % 60, 2).append(':');
    digits(out, millisOfDay / 1000 % 60, 2).append('.');
    digits(out, millisOfDay % 1000, 3).append('Z');
  }

  private static StringBuilder digits(StringBuilder out, int value, int width) {
    int divisor = 1;
    for (int i = 1; i < width; i++) {
      divisor *= 10;
    }
    for (; divisor > 0; divisor /= 10) {
      out.append((char) ('0' + value / divisor % 10));
    }
    return out;
  }

  /**
   * As the formatter writes it, without it for years 1 to 9999: a run's JSON holds four times, and
   * the formatter was a twentieth of a run read from the database.
   */
  public static String format(Instant instant) {
    if (instant == null) {
      return null;
    }
    long seconds = instant.getEpochSecond();
    if (seconds < FIRST_FAST_SECOND || seconds > LAST_FAST_SECOND) {
      return ISO_MILLIS.format(instant);
    }
    // floor milliseconds, as the pattern's SSS truncates the nanoseconds
    return format(seconds * 1000 + instant.getNano() / 1_000_000);
  }

  /** Parses any ISO-8601 instant ({@code Z} or offset); throws DateTimeParseException otherwise. */
  public static Instant parse(String text) {
    return java.time.OffsetDateTime.parse(text).toInstant();
  }

  public static long parseMillis(String text) {
    return parse(text).toEpochMilli();
  }
}
