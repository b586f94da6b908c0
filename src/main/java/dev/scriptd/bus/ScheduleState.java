package dev.scriptd.bus;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The stored state of one script's schedule: the script version it was armed for, when that
 * version was armed, the latest fire time dealt with (null before the first), and the next one.
 */
public record ScheduleState(String scriptId, long version, Instant armedAt, Instant lastFireAt, Instant nextFireAt) {
  public ScheduleState {
    Objects.requireNonNull(scriptId, "scriptId");
    Objects.requireNonNull(armedAt, "armedAt");
  }

  /** Every stored schedule state. */
  public record All(List<ScheduleState> items) {
    public All {
      items = List.copyOf(items);
    }
  }
}
