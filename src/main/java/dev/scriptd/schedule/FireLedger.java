package dev.scriptd.schedule;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.ScheduleFire;
import dev.scriptd.cron.CronSchedule;
import dev.scriptd.cron.Misfire;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The schedule ledger's rules: which row each due fire time of a wake gets, and which outcome a run
 * start's answer means. Pure: no clock, no Vert.x beyond its JSON values.
 */
public final class FireLedger {
  /** Older missed times are counted up to here, no further: a wake on the event loop stays short. */
  static final long MAX_OMITTED_COUNT = 1_000;

  private FireLedger() {
  }

  /** How a due fire time was planned. */
  public enum Kind {
    /** runs as scheduled (at most the misfire grace late) */
    ON_TIME,
    /** missed, and run by the misfire policy */
    CATCH_UP,
    /** missed, and not run */
    MISSED
  }

  /** One due fire time and how it was planned; {@code detail} says why for MISSED. */
  public record Entry(Instant fireTime, Kind kind, String detail) {
  }

  /**
   * The rows of one wake, oldest first; {@code omitted} counts the older missed times left out to
   * bound the work of one wake (a long downtime of a frequent schedule).
   */
  public record Rows(List<Entry> entries, long omitted) {
    public Rows {
      entries = List.copyOf(entries);
    }
  }

  /**
   * Every fire time in {@code (handledThrough, now]}, at most {@code maxRows} of them (the newest),
   * with the kind {@code plan} gave it: a time of {@code plan.fire()} is on time when it is the
   * latest and at most {@code grace} late, else a catch-up; any other time is missed.
   */
  public static Rows rows(CronSchedule schedule, Instant handledThrough, Instant now, FirePlanner.Plan plan,
      Misfire misfire, int maxCatchup, Duration grace, int maxRows) {
    Set<Instant> fired = new HashSet<>(plan.fire());
    Deque<Entry> entries = new ArrayDeque<>();
    Instant cursor = now.plusNanos(1);
    Instant latest = null;
    long omitted = 0;
    while (true) {
      Optional<Instant> previous = schedule.previous(cursor);
      if (previous.isEmpty() || !previous.get().isAfter(handledThrough)) {
        break;
      }
      Instant time = previous.get();
      cursor = time;
      if (entries.size() >= maxRows) {
        omitted++;
        if (omitted >= MAX_OMITTED_COUNT) {
          break; // counting only, and bounded (a schedule of every second over weeks)
        }
        continue;
      }
      if (latest == null) {
        latest = time;
      }
      boolean onTime = time.equals(latest) && Duration.between(time, now).compareTo(grace) <= 0;
      Kind kind = fired.contains(time) ? (onTime ? Kind.ON_TIME : Kind.CATCH_UP) : Kind.MISSED;
      entries.addFirst(new Entry(time, kind, kind == Kind.MISSED ? missedDetail(misfire, maxCatchup) : null));
    }
    return new Rows(List.copyOf(entries), omitted);
  }

  static String missedDetail(Misfire misfire, int maxCatchup) {
    String why = "the server was down or behind at this time; ";
    return why + switch (misfire) {
      case SKIP -> "misfire skip runs no missed time";
      case ONCE -> "misfire once runs only the latest missed time";
      case ALL -> "misfire all runs only the latest " + maxCatchup
          + " missed time(s) (scheduler.max_catchup_runs)";
    };
  }

  /** The row a fire time gets once the run start answered with {@code run} (a run JSON). */
  public static ScheduleFire started(ScheduleFire claimed, Kind kind, JsonObject run, Instant decidedAt) {
    boolean pending = "pending".equals(run.getString("status"));
    String outcome = kind == Kind.CATCH_UP ? ScheduleFire.CAUGHT_UP
        : pending ? ScheduleFire.QUEUED : ScheduleFire.STARTED;
    String detail = (kind == Kind.CATCH_UP ? "missed while the server was down or behind; run as a catch-up "
        + "by the misfire policy" : "run on schedule")
        + (pending ? ", queued behind the script's active run or a free slot" : "");
    return new ScheduleFire(claimed.scriptId(), claimed.fireTime(), decidedAt, outcome, run.getString("id"),
        detail);
  }

  /** The row a fire time gets when the run start failed with {@code failure}. */
  public static ScheduleFire refused(ScheduleFire claimed, Kind kind, Throwable failure, Instant decidedAt) {
    String message = String.valueOf(failure.getMessage());
    // forbid's refusal names the active run; any other 409 (a changed schedule) did not start either
    boolean forbid = BusFailure.codeOf(failure) == ReplyCodes.CONFLICT
        && message.toLowerCase(Locale.ROOT).contains("active run");
    String prefix = kind == Kind.CATCH_UP ? "catch-up not run: " : "";
    return new ScheduleFire(claimed.scriptId(), claimed.fireTime(), decidedAt,
        forbid ? ScheduleFire.SKIPPED_FORBID : ScheduleFire.FAILED_TO_START, null,
        prefix + (forbid ? "concurrency forbid: " : "") + message);
  }
}
