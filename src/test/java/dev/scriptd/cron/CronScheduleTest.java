package dev.scriptd.cron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CronSchedule: next and previous fire times, 5 and 6 fields, zones, daylight saving")
class CronScheduleTest {
  static Instant at(String iso) {
    return Instant.parse(iso);
  }

  @Test
  @DisplayName("5-field UNIX form: minutes, strictly after, fractions of a second")
  void fiveFields() {
    CronSchedule schedule = CronSchedule.of("*/15 * * * *", "UTC");
    assertEquals(at("2026-01-01T00:15:00Z"), schedule.next(at("2026-01-01T00:00:00Z")).orElseThrow());
    assertEquals(at("2026-01-01T00:15:00Z"), schedule.next(at("2026-01-01T00:14:59.999Z")).orElseThrow());
    assertEquals(at("2026-01-01T00:30:00Z"), schedule.next(at("2026-01-01T00:15:00Z")).orElseThrow());
    assertEquals(at("2026-01-01T00:15:00Z"), schedule.previous(at("2026-01-01T00:15:00.001Z")).orElseThrow());
    assertEquals(at("2026-01-01T00:00:00Z"), schedule.previous(at("2026-01-01T00:15:00Z")).orElseThrow());
    // weekday 1 is Monday; 2026-01-05 is a Monday
    assertEquals(at("2026-01-05T12:00:00Z"), CronSchedule.of("0 12 * * 1", "UTC").next(at("2026-01-01T00:00:00Z"))
        .orElseThrow());
  }

  @Test
  @DisplayName("6-field form with seconds first; fractions never leak into fire times")
  void sixFields() {
    CronSchedule everySecond = CronSchedule.of("* * * * * *", "UTC");
    assertEquals(at("2026-01-01T00:00:01Z"), everySecond.next(at("2026-01-01T00:00:00.500Z")).orElseThrow());
    assertEquals(List.of(at("2026-01-01T00:00:01Z"), at("2026-01-01T00:00:02Z"), at("2026-01-01T00:00:03Z")),
        everySecond.next(at("2026-01-01T00:00:00Z"), 3));
    assertEquals(at("2026-01-01T00:00:00Z"), everySecond.previous(at("2026-01-01T00:00:00.500Z")).orElseThrow());
    CronSchedule thirty = CronSchedule.of("30 0 9 * * *", "UTC");
    assertEquals(at("2026-01-01T09:00:30Z"), thirty.next(at("2026-01-01T08:00:00Z")).orElseThrow());
  }

  @Test
  @DisplayName("time zone: local wall time of the zone")
  void zone() {
    CronSchedule nine = CronSchedule.of("0 9 * * *", "America/New_York");
    assertEquals(at("2026-01-15T14:00:00Z"), nine.next(at("2026-01-15T00:00:00Z")).orElseThrow());
    assertEquals(at("2026-07-15T13:00:00Z"), nine.next(at("2026-07-15T00:00:00Z")).orElseThrow());
  }

  @Test
  @DisplayName("invalid expression or zone: the message says what is wrong")
  void invalid() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.of("61 * * * *", "UTC"))
        .getMessage().contains("61"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.of("* * *", "UTC"))
        .getMessage().contains("fields"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.of("* * * * *", "Mars/Olympus"))
        .getMessage().contains("time zone"));
  }

  @Test
  @DisplayName("Europe/Berlin gap: 2026-03-29 02:30 does not exist and fires once at 03:00 CEST")
  void springForwardGap() {
    CronSchedule daily = CronSchedule.of("30 2 * * *", "Europe/Berlin");
    assertEquals(at("2026-03-28T01:30:00Z"), daily.next(at("2026-03-27T12:00:00Z")).orElseThrow());
    // a zoned evaluation would skip the day; here it runs at the end of the gap, 03:00 CEST = 01:00Z
    assertEquals(at("2026-03-29T01:00:00Z"), daily.next(at("2026-03-28T12:00:00Z")).orElseThrow());
    assertEquals(at("2026-03-30T00:30:00Z"), daily.next(at("2026-03-29T01:00:00Z")).orElseThrow());
    assertEquals(at("2026-03-29T01:00:00Z"), daily.previous(at("2026-03-30T00:00:00Z")).orElseThrow());
    assertEquals(at("2026-03-28T01:30:00Z"), daily.previous(at("2026-03-29T01:00:00Z")).orElseThrow());

    // every 15 minutes: 02:00..02:45 do not exist: one fire at 03:00, then 03:15 on
    CronSchedule quarter = CronSchedule.of("*/15 * * * *", "Europe/Berlin");
    assertEquals(List.of(at("2026-03-29T00:45:00Z"), at("2026-03-29T01:00:00Z"), at("2026-03-29T01:15:00Z")),
        quarter.next(at("2026-03-29T00:30:00Z"), 3));
    assertEquals(at("2026-03-29T00:45:00Z"), quarter.previous(at("2026-03-29T01:00:00Z")).orElseThrow());
  }

  @Test
  @DisplayName("Europe/Berlin overlap: 2026-10-25 02:30 occurs twice and fires once, at its first occurrence")
  void fallBackOverlap() {
    CronSchedule daily = CronSchedule.of("30 2 * * *", "Europe/Berlin");
    // 02:30 CEST = 00:30Z (first), 02:30 CET = 01:30Z (second)
    assertEquals(at("2026-10-25T00:30:00Z"), daily.next(at("2026-10-24T12:00:00Z")).orElseThrow());
    assertEquals(at("2026-10-26T01:30:00Z"), daily.next(at("2026-10-25T00:30:00Z")).orElseThrow());
    assertEquals(at("2026-10-26T01:30:00Z"), daily.next(at("2026-10-25T01:30:00Z")).orElseThrow());
    assertEquals(at("2026-10-25T00:30:00Z"), daily.previous(at("2026-10-25T01:45:00Z")).orElseThrow());

    // every 15 minutes: the repeated hour runs once (its first pass), then 03:00 CET = 02:00Z
    CronSchedule quarter = CronSchedule.of("*/15 * * * *", "Europe/Berlin");
    assertEquals(at("2026-10-25T00:45:00Z"), quarter.next(at("2026-10-25T00:30:00Z")).orElseThrow());
    assertEquals(at("2026-10-25T02:00:00Z"), quarter.next(at("2026-10-25T00:45:00Z")).orElseThrow());
    // woken during the second pass: nothing of it fires
    assertEquals(at("2026-10-25T02:00:00Z"), quarter.next(at("2026-10-25T01:20:00Z")).orElseThrow());
    assertEquals(at("2026-10-25T00:45:00Z"), quarter.previous(at("2026-10-25T01:50:00Z")).orElseThrow());
  }

  @Test
  @DisplayName("an expression that never matches again has no next time")
  void never() {
    assertTrue(CronSchedule.of("0 0 30 2 *", "UTC").next(at("2026-01-01T00:00:00Z")).isEmpty());
  }
}
