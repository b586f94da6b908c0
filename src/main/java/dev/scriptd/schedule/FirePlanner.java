package dev.scriptd.schedule;

import dev.scriptd.cron.CronSchedule;
import dev.scriptd.cron.Misfire;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Decides which fire times run when the scheduler wakes at {@code now}, given that every time up to
 * {@code handledThrough} was already dealt with. Pure: no clock, no Vert.x.
 *
 * <p>The fire times in {@code (handledThrough, now]} are considered. The latest of them runs if it
 * is at most {@code grace} old (a timer that woke a little late, or a restart within the grace):
 * it is on time. Every other one is missed, and the misfire policy picks among them: none
 * ({@code skip}), the latest ({@code once}), or each of them ({@code all}), the latest
 * {@code maxCatchup} when there are more. Whatever was picked, every time up to the latest one is
 * handled afterwards, so it never fires again.
 */
public final class FirePlanner {
  private FirePlanner() {
  }

  /**
   * @param fire the times to run now, oldest first
   * @param handledThrough the new watermark (unchanged when no time was due)
   * @param missed how many times were missed (counted up to maxCatchup + 1)
   * @param dropped true when {@code all} had more missed times than it may run
   */
  public record Plan(List<Instant> fire, Instant handledThrough, int missed, boolean dropped) {
    public Plan {
      fire = List.copyOf(fire);
    }
  }

  public static Plan plan(CronSchedule schedule, Instant handledThrough, Instant now, Misfire misfire,
      int maxCatchup, Duration grace) {
    Optional<Instant> latest = schedule.previous(now.plusNanos(1));
    if (latest.isEmpty() || !latest.get().isAfter(handledThrough)) {
      return new Plan(List.of(), handledThrough, 0, false);
    }
    boolean onTime = Duration.between(latest.get(), now).compareTo(grace) <= 0;
    int wanted = switch (misfire) {
      case SKIP -> 0;
      case ONCE -> 1;
      case ALL -> maxCatchup;
    };
    // walk back from the newest missed time; never more than wanted + 1 steps (the +1 tells "dropped")
    Deque<Instant> missed = new ArrayDeque<>();
    Instant cursor = onTime ? latest.get() : now.plusNanos(1);
    int seen = 0;
    while (seen <= wanted) {
      Optional<Instant> previous = schedule.previous(cursor);
      if (previous.isEmpty() || !previous.get().isAfter(handledThrough)) {
        break;
      }
      seen++;
      if (missed.size() < wanted) {
        missed.addFirst(previous.get());
      }
      cursor = previous.get();
    }
    List<Instant> fire = new ArrayList<>(missed);
    if (onTime) {
      fire.add(latest.get());
    }
    return new Plan(fire, latest.get(), seen, misfire == Misfire.ALL && seen > wanted);
  }
}
