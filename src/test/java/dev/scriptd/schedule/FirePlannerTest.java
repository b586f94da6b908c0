package dev.scriptd.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.cron.CronSchedule;
import dev.scriptd.cron.Misfire;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FirePlanner: on-time fires, misfire skip/once/all, the cap, never a time twice")
class FirePlannerTest {
  static final CronSchedule HOURLY = CronSchedule.of("0 * * * *", "UTC");
  static final Duration GRACE = Duration.ofSeconds(60);

  static Instant at(String iso) {
    return Instant.parse(iso);
  }

  static FirePlanner.Plan plan(Instant handled, Instant now, Misfire misfire, int cap) {
    return FirePlanner.plan(HOURLY, handled, now, misfire, cap, GRACE);
  }

  @Test
  @DisplayName("a timer that wakes on time fires that time once, whatever the policy")
  void onTime() {
    for (Misfire misfire : Misfire.values()) {
      FirePlanner.Plan plan = plan(at("2026-01-01T00:00:00Z"), at("2026-01-01T01:00:00.020Z"), misfire, 10);
      assertEquals(List.of(at("2026-01-01T01:00:00Z")), plan.fire(), misfire.name());
      assertEquals(at("2026-01-01T01:00:00Z"), plan.handledThrough());
      assertEquals(0, plan.missed());
    }
  }

  @Test
  @DisplayName("nothing due, or due but already handled: nothing fires (a late timer cannot double-fire)")
  void nothingDue() {
    FirePlanner.Plan early = plan(at("2026-01-01T00:00:00Z"), at("2026-01-01T00:59:59.990Z"), Misfire.ALL, 10);
    assertEquals(List.of(), early.fire());
    assertEquals(at("2026-01-01T00:00:00Z"), early.handledThrough());
    FirePlanner.Plan again = plan(at("2026-01-01T01:00:00Z"), at("2026-01-01T01:00:30Z"), Misfire.ALL, 10);
    assertEquals(List.of(), again.fire());
  }

  @Test
  @DisplayName("down from 01:00 to 05:30: skip runs nothing, once the latest, all each missed time")
  void downtime() {
    Instant handled = at("2026-01-01T01:00:00Z");
    Instant now = at("2026-01-01T05:30:00Z");
    FirePlanner.Plan skip = plan(handled, now, Misfire.SKIP, 10);
    assertEquals(List.of(), skip.fire());
    assertEquals(at("2026-01-01T05:00:00Z"), skip.handledThrough());
    assertEquals(List.of(at("2026-01-01T05:00:00Z")), plan(handled, now, Misfire.ONCE, 10).fire());
    FirePlanner.Plan all = plan(handled, now, Misfire.ALL, 10);
    assertEquals(List.of(at("2026-01-01T02:00:00Z"), at("2026-01-01T03:00:00Z"), at("2026-01-01T04:00:00Z"),
        at("2026-01-01T05:00:00Z")), all.fire());
    assertFalse(all.dropped());
    FirePlanner.Plan capped = plan(handled, now, Misfire.ALL, 3);
    assertEquals(List.of(at("2026-01-01T03:00:00Z"), at("2026-01-01T04:00:00Z"), at("2026-01-01T05:00:00Z")),
        capped.fire());
    assertTrue(capped.dropped());
  }

  @Test
  @DisplayName("back within the grace: the latest time is on time, the older ones follow the policy")
  void withinGrace() {
    Instant handled = at("2026-01-01T01:00:00Z");
    Instant now = at("2026-01-01T04:00:30Z");
    assertEquals(List.of(at("2026-01-01T04:00:00Z")), plan(handled, now, Misfire.SKIP, 10).fire());
    assertEquals(List.of(at("2026-01-01T03:00:00Z"), at("2026-01-01T04:00:00Z")),
        plan(handled, now, Misfire.ONCE, 10).fire());
    assertEquals(List.of(at("2026-01-01T02:00:00Z"), at("2026-01-01T03:00:00Z"), at("2026-01-01T04:00:00Z")),
        plan(handled, now, Misfire.ALL, 10).fire());
  }

  @Test
  @DisplayName("a year of every-second fires missed: planning stays bounded by the cap")
  void boundedWork() {
    CronSchedule everySecond = CronSchedule.of("* * * * * *", "UTC");
    long start = System.nanoTime();
    FirePlanner.Plan plan = FirePlanner.plan(everySecond, at("2025-01-01T00:00:00Z"), at("2026-01-01T00:00:00.500Z"),
        Misfire.ALL, 5, Duration.ZERO);
    assertEquals(5, plan.fire().size());
    assertEquals(at("2026-01-01T00:00:00Z"), plan.handledThrough());
    assertTrue(plan.dropped());
    assertTrue(System.nanoTime() - start < 2_000_000_000L, "planning took too long");
  }

  @Test
  @DisplayName("Europe/Berlin: the gap fires once at 03:00 CEST, the repeated 02:30 fires only the first time")
  void daylightSaving() {
    CronSchedule daily = CronSchedule.of("30 2 * * *", "Europe/Berlin");
    FirePlanner.Plan gap = FirePlanner.plan(daily, at("2026-03-28T01:30:00Z"), at("2026-03-29T01:00:00.015Z"),
        Misfire.ALL, 10, GRACE);
    assertEquals(List.of(at("2026-03-29T01:00:00Z")), gap.fire());
    assertEquals(List.of(), FirePlanner.plan(daily, gap.handledThrough(), at("2026-03-29T01:30:00Z"),
        Misfire.ALL, 10, GRACE).fire());

    FirePlanner.Plan first = FirePlanner.plan(daily, at("2026-10-24T00:30:00Z"), at("2026-10-25T00:30:00.010Z"),
        Misfire.ALL, 10, GRACE);
    assertEquals(List.of(at("2026-10-25T00:30:00Z")), first.fire());
    // the second 02:30 (CET, 01:30Z): nothing is due
    assertEquals(List.of(), FirePlanner.plan(daily, first.handledThrough(), at("2026-10-25T01:30:00.010Z"),
        Misfire.ALL, 10, GRACE).fire());
    assertEquals(at("2026-10-26T01:30:00Z"), daily.next(first.handledThrough()).orElseThrow());
  }
}
