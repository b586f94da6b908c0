package dev.scriptd.cron;

import dev.scriptd.domain.Script;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** Reading a script's {@code schedule} object. */
public final class Schedules {
  private Schedules() {
  }

  /** The schedule of an enabled script, or null when it is disabled, unscheduled or (no longer) valid. */
  public static CronSchedule of(Script script) {
    JsonObject schedule = script.schedule();
    if (!script.enabled() || schedule == null || schedule.getString("cron") == null) {
      return null;
    }
    try {
      return CronSchedule.of(schedule.getString("cron"), schedule.getString("timezone", "UTC"));
    } catch (IllegalArgumentException invalid) {
      return null;
    }
  }

  /** The script's {@code next_run_at}: its next fire time after {@code now}, null when it has none. */
  public static Instant nextRunAt(Script script, Instant now) {
    CronSchedule schedule = of(script);
    return schedule == null ? null : schedule.next(now).orElse(null);
  }

  /** The schedule's misfire policy (skip when absent). */
  public static Misfire misfire(Script script) {
    JsonObject schedule = script.schedule();
    try {
      return Misfire.fromWire(schedule == null ? null : schedule.getString("misfire"));
    } catch (IllegalArgumentException invalid) {
      return Misfire.SKIP;
    }
  }
}
