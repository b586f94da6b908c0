package dev.scriptd.cron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Vixie cron's rules in both forms, checked against fire times worked out by hand from the calendar
 * (2026-01-01 is a Thursday; 2026-02-13 is the first Friday the 13th; the zones' 2026 transitions:
 * Europe/Berlin 03-29 02:00 -> 03:00 and 10-25 03:00 -> 02:00, America/New_York 03-08 02:00 ->
 * 03:00 and 11-01 02:00 -> 01:00, Australia/Lord_Howe 04-05 02:00 -> 01:30 and 10-04 02:00 -> 02:30).
 */
@DisplayName("Cron rules: both forms, names, Sunday, the day-of-month/day-of-week OR rule, macros, daylight saving, errors")
class CronRulesTest {

  @ParameterizedTest(name = "{4}: ''{0}'' in {1} after {2} fires at {3}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      */15 * * * *       | UTC | 2026-01-01T00:00:00Z | 2026-01-01T00:15:00Z 2026-01-01T00:30:00Z | every 15 minutes
      0 9 * * 1-5        | UTC | 2026-01-01T00:00:00Z | 2026-01-01T09:00:00Z 2026-01-02T09:00:00Z 2026-01-05T09:00:00Z | weekdays, Thursday to Monday
      5/20 * * * *       | UTC | 2026-01-01T00:00:00Z | 2026-01-01T00:05:00Z 2026-01-01T00:25:00Z 2026-01-01T00:45:00Z 2026-01-01T01:05:00Z | N/step runs from N to the end of the field
      */10 * * * * *     | UTC | 2026-01-01T00:00:00Z | 2026-01-01T00:00:10Z 2026-01-01T00:00:20Z | 6 fields: every 10 seconds
      30 15 10 * * *     | UTC | 2026-01-01T00:00:00Z | 2026-01-01T10:15:30Z 2026-01-02T10:15:30Z | 6 fields: seconds first
      0 12 13 * 5        | UTC | 2026-01-01T00:00:00Z | 2026-01-02T12:00:00Z 2026-01-09T12:00:00Z 2026-01-13T12:00:00Z 2026-01-16T12:00:00Z | OR rule, 5 fields: the 13th and every Friday
      0 0 12 13 * 5      | UTC | 2026-01-01T00:00:00Z | 2026-01-02T12:00:00Z 2026-01-09T12:00:00Z 2026-01-13T12:00:00Z 2026-01-16T12:00:00Z | OR rule, 6 fields: the 13th and every Friday
      0 0 1,15 * MON     | UTC | 2026-01-01T00:00:00Z | 2026-01-05T00:00:00Z 2026-01-12T00:00:00Z 2026-01-15T00:00:00Z 2026-01-19T00:00:00Z | OR rule with a list and a day name
      0 0 */2 * MON      | UTC | 2026-01-01T00:00:00Z | 2026-01-05T00:00:00Z 2026-01-19T00:00:00Z | a day-of-month starting with * does not restrict: odd days that are Mondays
      0 0 13 * *         | UTC | 2026-01-01T00:00:00Z | 2026-01-13T00:00:00Z 2026-02-13T00:00:00Z | day-of-month alone
      0 0 ? * MON        | UTC | 2026-01-01T00:00:00Z | 2026-01-05T00:00:00Z 2026-01-12T00:00:00Z | ? is * in a day field
      0 0 12 ? * MON     | UTC | 2026-01-01T00:00:00Z | 2026-01-05T12:00:00Z | ? in the 6-field form
      0 0 * * SUN-TUE    | UTC | 2026-01-01T00:00:00Z | 2026-01-04T00:00:00Z 2026-01-05T00:00:00Z 2026-01-06T00:00:00Z 2026-01-11T00:00:00Z | a range may start at SUN
      0 0 0 * * SUN-TUE  | UTC | 2026-01-01T00:00:00Z | 2026-01-04T00:00:00Z 2026-01-05T00:00:00Z | a range from SUN, 6 fields
      0 0 * * FRI-SUN    | UTC | 2026-01-01T00:00:00Z | 2026-01-02T00:00:00Z 2026-01-03T00:00:00Z 2026-01-04T00:00:00Z 2026-01-09T00:00:00Z | a range may end at SUN
      0 0 * * 5-7        | UTC | 2026-01-01T00:00:00Z | 2026-01-02T00:00:00Z 2026-01-03T00:00:00Z 2026-01-04T00:00:00Z 2026-01-09T00:00:00Z | 7 is Sunday in a range
      0 0 * * 0          | UTC | 2026-01-01T00:00:00Z | 2026-01-04T00:00:00Z 2026-01-11T00:00:00Z | Sunday as 0
      0 0 * * 7          | UTC | 2026-01-01T00:00:00Z | 2026-01-04T00:00:00Z 2026-01-11T00:00:00Z | Sunday as 7
      0 0 * * sun        | UTC | 2026-01-01T00:00:00Z | 2026-01-04T00:00:00Z | names in any case
      30 6 * FEB MON,WED | UTC | 2026-01-01T00:00:00Z | 2026-02-02T06:30:00Z 2026-02-04T06:30:00Z 2026-02-09T06:30:00Z | month and day names
      0 0 1 JAN-MAR/2 *  | UTC | 2026-01-01T00:00:00Z | 2026-03-01T00:00:00Z 2027-01-01T00:00:00Z | a named range with a step
      0 0 29 2 *         | UTC | 2026-01-01T00:00:00Z | 2028-02-29T00:00:00Z | the 29th of February waits for a leap year
      @yearly            | UTC | 2026-01-01T00:00:00Z | 2027-01-01T00:00:00Z 2028-01-01T00:00:00Z | @yearly
      @annually          | UTC | 2026-01-01T00:00:00Z | 2027-01-01T00:00:00Z | @annually
      @monthly           | UTC | 2026-01-01T00:00:00Z | 2026-02-01T00:00:00Z 2026-03-01T00:00:00Z | @monthly
      @weekly            | UTC | 2026-01-01T00:00:00Z | 2026-01-04T00:00:00Z 2026-01-11T00:00:00Z | @weekly is Sunday midnight
      @daily             | UTC | 2026-01-01T00:00:00Z | 2026-01-02T00:00:00Z 2026-01-03T00:00:00Z | @daily
      @midnight          | UTC | 2026-01-01T00:00:00Z | 2026-01-02T00:00:00Z | @midnight
      @hourly            | UTC | 2026-01-01T00:00:00Z | 2026-01-01T01:00:00Z 2026-01-01T02:00:00Z | @hourly
      @DAILY             | America/New_York | 2026-01-01T00:00:00Z | 2026-01-01T05:00:00Z | a macro in any case, in a zone
      30 2 * * *         | Europe/Berlin | 2026-03-28T12:00:00Z | 2026-03-29T01:00:00Z 2026-03-30T00:30:00Z | Berlin gap: 02:30 fires at 03:00 CEST
      0 30 2 * * *       | Europe/Berlin | 2026-03-28T12:00:00Z | 2026-03-29T01:00:00Z 2026-03-30T00:30:00Z | Berlin gap, 6 fields
      @daily             | Europe/Berlin | 2026-03-28T12:00:00Z | 2026-03-28T23:00:00Z 2026-03-29T22:00:00Z | Berlin midnight across the gap
      30 2 * * *         | Europe/Berlin | 2026-10-24T12:00:00Z | 2026-10-25T00:30:00Z 2026-10-26T01:30:00Z | Berlin overlap: 02:30 fires once, CEST
      30 2 * * *         | America/New_York | 2026-03-07T12:00:00Z | 2026-03-08T07:00:00Z 2026-03-09T06:30:00Z | New York gap: 02:30 fires at 03:00 EDT
      30 1 * * *         | America/New_York | 2026-11-01T04:00:00Z | 2026-11-01T05:30:00Z 2026-11-02T06:30:00Z | New York overlap: 01:30 fires once, EDT
      15 2 * * *         | Australia/Lord_Howe | 2026-10-03T12:00:00Z | 2026-10-03T15:30:00Z 2026-10-04T15:15:00Z | Lord Howe 30-minute gap: 02:15 fires at 02:30
      45 1 * * *         | Australia/Lord_Howe | 2026-04-04T12:00:00Z | 2026-04-04T14:45:00Z 2026-04-05T15:15:00Z | Lord Howe 30-minute overlap: 01:45 fires once
      */15 * * * *       | Australia/Lord_Howe | 2026-04-04T14:30:00Z | 2026-04-04T14:45:00Z 2026-04-04T15:30:00Z | Lord Howe: the repeated half hour does not run again
      """)
  void nextFireTimes(String cron, String zone, String after, String expected, String why) {
    List<Instant> want = Arrays.stream(expected.trim().split("\\s+")).map(Instant::parse).toList();
    CronSchedule schedule = CronSchedule.of(cron, zone);
    assertEquals(want, schedule.next(Instant.parse(after), want.size()), why);
    // and back: the last fire before each time is the one before it
    for (int i = 1; i < want.size(); i++) {
      assertEquals(want.get(i - 1), schedule.previous(want.get(i)).orElseThrow(), why + " (previous)");
    }
  }

  @Test
  @DisplayName("Friday the 13th alone is still possible: day-of-month with a * day-of-week")
  void fridayThe13thNeedsBothWhenOneIsStar() {
    CronExpression thirteenth = Crons.parse("0 0 13 * *");
    assertFalse(thirteenth.matches(java.time.LocalDateTime.parse("2026-01-02T00:00:00")));
    assertTrue(thirteenth.matches(java.time.LocalDateTime.parse("2026-01-13T00:00:00")));
  }

  @ParameterizedTest(name = "''{0}'' is refused: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      61 * * * *        | minute 61 is out of range 0-59
      60 * * * * *      | second 60 is out of range 0-59
      0 25 * * *        | hour 25 is out of range 0-23
      0 0 32 * *        | day-of-month 32 is out of range 1-31
      0 0 0 * *         | day-of-month 0 is out of range 1-31
      0 0 * 13 *        | month 13 is out of range 1-12
      0 0 * * 8         | day-of-week 8 is out of range 0-7
      0 0 * FOO *       | month 'FOO' is not a number 1-12 or a month name JAN-DEC
      0 0 * * MON-FUN   | day-of-week 'FUN' is not a number 0-7 (0 and 7 are Sunday) or a day name SUN-SAT
      0 MON * * *       | hour 'MON' is not a number 0-23
      0 0 * * 5-1       | day-of-week range '5-1' goes backwards; a range runs from low to high (0-7), use a list for a wrap-around
      */0 * * * *       | minute '*/0' has step '/0'; a step is a whole number of at least 1
      0 0 * * 1/x       | day-of-week '1/x' has step '/x'
      1,,2 * * * *      | minute '1,,2' has an empty item in its list
      0 1- * * *        | hour '1-' is incomplete: a number 0-23 is missing
      ? * * * *         | minute '?' is not allowed
      0 0 L * *         | day-of-month 'L' is not a number 1-31 (L, W and # are Quartz extensions, not cron)
      0 0 * * 5#2       | day-of-week '5#2' is not a number 0-7 (0 and 7 are Sunday) or a day name SUN-SAT (L, W and # are Quartz extensions, not cron)
      99999999999 * * * * | minute 99999999999 is out of range 0-59
      * * *             | has 3 fields; use 5 (minute hour day-of-month month day-of-week), 6 with seconds first, or a macro such as @daily
      * * * * * * *     | has 7 fields
      @reboot           | '@reboot' is not a macro; use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly
      @daily 5          | '@daily 5' is not a macro
      """)
  void errorsNameTheFieldAndTheValue(String cron, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Crons.parse(cron));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
    String full = assertThrows(IllegalArgumentException.class, () -> CronSchedule.of(cron, "UTC")).getMessage();
    assertEquals("'" + cron + "' is not a valid cron expression: " + e.getMessage(), full);
  }

  @Test
  @DisplayName("an empty expression says how many fields it wants")
  void empty() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Crons.parse("  ")).getMessage()
        .startsWith("has 0 fields; use 5"));
  }
}
