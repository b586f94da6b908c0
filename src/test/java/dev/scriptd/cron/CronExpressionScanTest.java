package dev.scriptd.cron;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDateTime;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CronExpression: next and previous find exactly what a minute-by-minute scan of matches finds")
class CronExpressionScanTest {
  private static final String[][] PARTS = {
      {"*", "0", "*/7", "5/20", "10-20", "1,30,59", "0-59/15"},
      {"*", "0", "*/5", "9-17", "23", "0,12", "22/1"},
      {"*", "1", "*/2", "13", "1-7", "15,31", "29", "?"},
      {"*", "1", "FEB", "*/3", "JAN-MAR", "2,11", "DEC"},
      {"*", "0", "7", "MON-FRI", "SUN-TUE", "FRI-SUN", "5/2", "*/2", "SAT", "?"}};

  @Test
  @DisplayName("random 5-field expressions over random starts in 2026-2029 (leap day included)")
  void agreesWithAScan() {
    Random random = new Random(20);
    for (int n = 0; n < 300; n++) {
      StringBuilder text = new StringBuilder();
      for (String[] choices : PARTS) {
        text.append(text.length() == 0 ? "" : " ").append(choices[random.nextInt(choices.length)]);
      }
      CronExpression cron = Crons.parse(text.toString());
      LocalDateTime start = LocalDateTime.of(2026, 1, 1, 0, 0).plusMinutes(random.nextInt(4 * 365 * 24 * 60))
          .plusSeconds(random.nextInt(2) * 30);
      assertEquals(scan(cron, start, 1), cron.next(start), text + " next after " + start);
      assertEquals(scan(cron, start, -1), cron.previous(start), text + " previous before " + start);
    }
  }

  /** The nearest whole minute strictly after (direction 1) or before (-1) {@code from} that matches, within 2 years. */
  private static Optional<LocalDateTime> scan(CronExpression cron, LocalDateTime from, int direction) {
    LocalDateTime minute = from.withSecond(0).withNano(0);
    if (direction > 0 || minute.equals(from)) {
      minute = minute.plusMinutes(direction);
    }
    for (int i = 0; i < 2 * 366 * 24 * 60; i++, minute = minute.plusMinutes(direction)) {
      if (cron.matches(minute)) {
        return Optional.of(minute);
      }
    }
    return Optional.empty();
  }
}
