package dev.scriptd.schedule;

import java.time.Instant;

/**
 * The scheduler's clocks: the wall clock that cron times are read against, and a monotonic one to
 * notice when the wall clock jumps. Tests pass their own to simulate downtime and clock changes.
 */
public interface TimeSource {
  /** Wall-clock time. */
  Instant now();

  /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
  long nanoTime();

  static TimeSource system() {
    return new TimeSource() {
      @Override
      public Instant now() {
        return Instant.now();
      }

      @Override
      public long nanoTime() {
        return System.nanoTime();
      }
    };
  }
}
