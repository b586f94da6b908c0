package dev.scriptd.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.ScheduleFire;
import dev.scriptd.cron.CronSchedule;
import dev.scriptd.cron.Misfire;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FireLedger: one row per due fire time with the misfire policy's decision, and the outcome of a run start")
class FireLedgerTest {
  static final CronSchedule HOURLY = CronSchedule.of("0 * * * *", "UTC");
  static final Duration GRACE = Duration.ofSeconds(60);
  static final Instant T0 = Instant.parse("2026-01-01T01:00:00Z");

  static FireLedger.Rows rows(Instant handled, Instant now, Misfire misfire, int cap, int maxRows) {
    FirePlanner.Plan plan = FirePlanner.plan(HOURLY, handled, now, misfire, cap, GRACE);
    return FireLedger.rows(HOURLY, handled, now, plan, misfire, cap, GRACE, maxRows);
  }

  static List<FireLedger.Kind> kinds(FireLedger.Rows rows) {
    return rows.entries().stream().map(FireLedger.Entry::kind).toList();
  }

  static Instant hour(int h) {
    return Instant.parse(String.format("2026-01-01T%02d:00:00Z", h));
  }

  @Test
  @DisplayName("a timer that wakes on time gives one on-time row")
  void onTime() {
    FireLedger.Rows rows = rows(hour(0), hour(1).plusMillis(20), Misfire.SKIP, 10, 1000);
    assertEquals(List.of(new FireLedger.Entry(hour(1), FireLedger.Kind.ON_TIME, null)), rows.entries());
    assertEquals(0, rows.omitted());
  }

  @Test
  @DisplayName("down from 01:00 to 06:30: skip misses 02..06, once catches up 06, all (cap 3) catches up 04..06")
  void downtime() {
    Instant now = Instant.parse("2026-01-01T06:30:00Z");
    FireLedger.Rows skip = rows(T0, now, Misfire.SKIP, 3, 1000);
    assertEquals(List.of(hour(2), hour(3), hour(4), hour(5), hour(6)),
        skip.entries().stream().map(FireLedger.Entry::fireTime).toList());
    assertEquals(List.of(FireLedger.Kind.MISSED, FireLedger.Kind.MISSED, FireLedger.Kind.MISSED,
        FireLedger.Kind.MISSED, FireLedger.Kind.MISSED), kinds(skip));
    assertTrue(skip.entries().get(0).detail().contains("misfire skip"), skip.toString());
    assertEquals(List.of(FireLedger.Kind.MISSED, FireLedger.Kind.MISSED, FireLedger.Kind.MISSED,
        FireLedger.Kind.MISSED, FireLedger.Kind.CATCH_UP), kinds(rows(T0, now, Misfire.ONCE, 3, 1000)));
    FireLedger.Rows all = rows(T0, now, Misfire.ALL, 3, 1000);
    assertEquals(List.of(FireLedger.Kind.MISSED, FireLedger.Kind.MISSED, FireLedger.Kind.CATCH_UP,
        FireLedger.Kind.CATCH_UP, FireLedger.Kind.CATCH_UP), kinds(all));
    assertTrue(all.entries().get(0).detail().contains("max_catchup_runs"), all.toString());
  }

  @Test
  @DisplayName("a restart within the grace: the older times are missed, the latest is on time")
  void restartWithinGrace() {
    FireLedger.Rows once = rows(T0, hour(4).plusSeconds(10), Misfire.ONCE, 10, 1000);
    assertEquals(List.of(FireLedger.Kind.MISSED, FireLedger.Kind.CATCH_UP, FireLedger.Kind.ON_TIME), kinds(once));
    assertEquals(hour(4), once.entries().get(2).fireTime());
  }

  @Test
  @DisplayName("a long downtime writes the newest rows only and counts the rest")
  void boundedRows() {
    FireLedger.Rows rows = rows(T0, Instant.parse("2026-01-02T01:30:00Z"), Misfire.SKIP, 10, 5);
    assertEquals(5, rows.entries().size());
    assertEquals(Instant.parse("2026-01-02T01:00:00Z"), rows.entries().get(4).fireTime());
    assertEquals(19, rows.omitted());
  }

  @Test
  @DisplayName("the run start's answer: running is started, pending is queued, a catch-up is caught_up;"
      + " forbid's 409 is skipped_forbid, anything else failed_to_start")
  void outcomes() {
    ScheduleFire claimed = new ScheduleFire("s", T0, T0, null, null, "the run is being started");
    Instant now = T0.plusMillis(5);
    JsonObject running = new JsonObject().put("id", "r1").put("status", "running");
    JsonObject pending = new JsonObject().put("id", "r2").put("status", "pending");
    ScheduleFire started = FireLedger.started(claimed, FireLedger.Kind.ON_TIME, running, now);
    assertEquals(ScheduleFire.STARTED, started.outcome());
    assertEquals("r1", started.runId());
    assertEquals(now, started.decidedAt());
    assertEquals(ScheduleFire.QUEUED, FireLedger.started(claimed, FireLedger.Kind.ON_TIME, pending, now).outcome());
    ScheduleFire caughtUp = FireLedger.started(claimed, FireLedger.Kind.CATCH_UP, running, now);
    assertEquals(ScheduleFire.CAUGHT_UP, caughtUp.outcome());
    assertEquals("r1", caughtUp.runId());

    ScheduleFire forbid = FireLedger.refused(claimed, FireLedger.Kind.ON_TIME, new BusFailure(ReplyCodes.CONFLICT,
        "script s already has an active run r1; wait for it or kill it"), now);
    assertEquals(ScheduleFire.SKIPPED_FORBID, forbid.outcome());
    assertNull(forbid.runId());
    assertTrue(forbid.detail().contains("active run r1"), forbid.detail());
    assertEquals(ScheduleFire.FAILED_TO_START, FireLedger.refused(claimed, FireLedger.Kind.ON_TIME,
        new BusFailure(ReplyCodes.CONFLICT, "the schedule of script s changed; this cron fire is dropped"), now)
        .outcome());
    assertEquals(ScheduleFire.FAILED_TO_START, FireLedger.refused(claimed, FireLedger.Kind.CATCH_UP,
        new BusFailure(ReplyCodes.UNAVAILABLE, "database error"), now).outcome());
  }
}
