package dev.scriptd.cron;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Optional;

/**
 * A parsed cron expression: which local date-times (to the second) match, by Vixie cron's rules.
 * It knows nothing of time zones: {@link CronSchedule} maps its matches to instants. Built by
 * {@link Crons#parse}; pure and immutable.
 *
 * <p>The day rule is Vixie's: when day-of-month and day-of-week are both restricted, a day matches
 * either of them; when one of them starts with {@code *} (or is {@code ?}), both must match (so
 * {@code *}, which matches every day, leaves the other field alone).
 */
public final class CronExpression {
  /**
   * Calendar years searched for a match before saying there is none: the Gregorian calendar
   * repeats every 400 years, so a day that matches nowhere in them never matches.
   */
  private static final int SEARCH_YEARS = 400;

  /** Bit n set: value n matches. */
  private final long seconds;
  private final long minutes;
  private final long hours;
  private final long daysOfMonth;
  private final long months;
  /** Bits 0 (Sunday) .. 6 (Saturday); 7 was folded onto 0 by the parser. */
  private final long daysOfWeek;
  /** Day-of-month or day-of-week starts with {@code *}: both day fields must match (Vixie). */
  private final boolean dayStar;

  CronExpression(long seconds, long minutes, long hours, long daysOfMonth, long months, long daysOfWeek,
      boolean dayStar) {
    this.seconds = seconds;
    this.minutes = minutes;
    this.hours = hours;
    this.daysOfMonth = daysOfMonth;
    this.months = months;
    this.daysOfWeek = daysOfWeek;
    this.dayStar = dayStar;
  }

  /** Whether {@code time} (fractions of a second ignored) matches. */
  public boolean matches(LocalDateTime time) {
    return has(months, time.getMonthValue()) && dayMatches(time.toLocalDate()) && has(hours, time.getHour())
        && has(minutes, time.getMinute()) && has(seconds, time.getSecond());
  }

  /** The first matching local time strictly after {@code after}; empty when none comes again. */
  public Optional<LocalDateTime> next(LocalDateTime after) {
    LocalDateTime start = after.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    LocalDate date = start.toLocalDate();
    LocalTime from = start.toLocalTime();
    int lastYear = date.getYear() + SEARCH_YEARS;
    try {
      while (date.getYear() <= lastYear) {
        if (!has(months, date.getMonthValue())) {
          date = date.with(TemporalAdjusters.firstDayOfNextMonth());
          from = LocalTime.MIN;
          continue;
        }
        if (dayMatches(date)) {
          LocalTime time = firstTimeFrom(from);
          if (time != null) {
            return Optional.of(date.atTime(time));
          }
        }
        date = date.plusDays(1);
        from = LocalTime.MIN;
      }
    } catch (DateTimeException endOfCalendar) {
      // past LocalDate.MAX: nothing comes again
    }
    return Optional.empty();
  }

  /** The last matching local time strictly before {@code before}; empty when there is none. */
  public Optional<LocalDateTime> previous(LocalDateTime before) {
    LocalDateTime end = before.truncatedTo(ChronoUnit.SECONDS);
    if (end.equals(before)) {
      end = end.minusSeconds(1);
    }
    LocalDate date = end.toLocalDate();
    LocalTime until = end.toLocalTime();
    int firstYear = date.getYear() - SEARCH_YEARS;
    try {
      while (date.getYear() >= firstYear) {
        if (!has(months, date.getMonthValue())) {
          date = date.withDayOfMonth(1).minusDays(1);
          until = LocalTime.MAX;
          continue;
        }
        if (dayMatches(date)) {
          LocalTime time = lastTimeUntil(until);
          if (time != null) {
            return Optional.of(date.atTime(time));
          }
        }
        date = date.minusDays(1);
        until = LocalTime.MAX;
      }
    } catch (DateTimeException startOfCalendar) {
      // before LocalDate.MIN: there was none
    }
    return Optional.empty();
  }

  private boolean dayMatches(LocalDate date) {
    boolean dayOfMonth = has(daysOfMonth, date.getDayOfMonth());
    boolean dayOfWeek = has(daysOfWeek, date.getDayOfWeek().getValue() % 7);
    return dayStar ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek;
  }

  /** The first matching time of day at or after {@code from}; null when the day has none left. */
  private LocalTime firstTimeFrom(LocalTime from) {
    int hour0 = from.getHour();
    for (int hour = nextBit(hours, hour0); hour >= 0; hour = nextBit(hours, hour + 1)) {
      int minute0 = hour == hour0 ? from.getMinute() : 0;
      for (int minute = nextBit(minutes, minute0); minute >= 0; minute = nextBit(minutes, minute + 1)) {
        int second = nextBit(seconds, hour == hour0 && minute == from.getMinute() ? from.getSecond() : 0);
        if (second >= 0) {
          return LocalTime.of(hour, minute, second);
        }
      }
    }
    return null;
  }

  /** The last matching time of day at or before {@code until}; null when the day has none before. */
  private LocalTime lastTimeUntil(LocalTime until) {
    int hour0 = until.getHour();
    for (int hour = previousBit(hours, hour0); hour >= 0; hour = previousBit(hours, hour - 1)) {
      int minute0 = hour == hour0 ? until.getMinute() : 59;
      for (int minute = previousBit(minutes, minute0); minute >= 0; minute = previousBit(minutes, minute - 1)) {
        int second = previousBit(seconds, hour == hour0 && minute == until.getMinute() ? until.getSecond() : 59);
        if (second >= 0) {
          return LocalTime.of(hour, minute, second);
        }
      }
    }
    return null;
  }

  private static boolean has(long bits, int value) {
    return (bits & (1L << value)) != 0;
  }

  /** The lowest set bit at or above {@code from}, or -1. */
  private static int nextBit(long bits, int from) {
    if (from > 63) {
      return -1;
    }
    long rest = bits & (-1L << from);
    return rest == 0 ? -1 : Long.numberOfTrailingZeros(rest);
  }

  /** The highest set bit at or below {@code from}, or -1. */
  private static int previousBit(long bits, int from) {
    if (from < 0) {
      return -1;
    }
    long rest = from >= 63 ? bits : bits & ((1L << (from + 1)) - 1);
    return rest == 0 ? -1 : 63 - Long.numberOfLeadingZeros(rest);
  }
}
