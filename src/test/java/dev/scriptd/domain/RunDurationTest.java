package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A run's duration_ms: the difference of its times as shown, in whole milliseconds")
class RunDurationTest {
  private static Run pending() {
    return Run.pending("r", null, Run.KIND_SHELL, "true", "api", 60, Map.of(), null, null,
        Instant.parse("2026-12-06T19:12:42.662Z"));
  }

  @Test
  @DisplayName("ended_at - started_at of the millisecond times, whatever finer time the clock gave")
  void differenceOfTheShownTimes() {
    Run ended = pending().started(1, null, Instant.parse("2026-12-06T19:12:42.776900Z"))
        .ended(RunStatus.COMPLETED, 0, null, null, Instant.parse("2026-12-06T19:12:42.799200Z"));
    // the same run as stored: its times in whole milliseconds
    Run stored = pending().started(1, null, Instant.parse("2026-12-06T19:12:42.776Z"))
        .ended(RunStatus.COMPLETED, 0, null, null, Instant.parse("2026-12-06T19:12:42.799Z"));
    assertEquals(23L, ended.durationMs(Instant.now()));
    assertEquals(stored.durationMs(Instant.now()), ended.durationMs(Instant.now()));
    assertEquals(23L, ended.toJson().getLong("duration_ms"));
  }

  @Test
  @DisplayName("null before the start; while running, up to now")
  void beforeAndWhileRunning() {
    assertNull(pending().durationMs(Instant.now()));
    Run running = pending().started(1, null, Instant.parse("2026-12-06T19:12:42.776900Z"));
    assertEquals(1000L, running.durationMs(Instant.parse("2026-12-06T19:12:43.776Z")));
  }
}
