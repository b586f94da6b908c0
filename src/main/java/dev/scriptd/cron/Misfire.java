package dev.scriptd.cron;

/** What happens to fire times missed while the server was down (or the clock jumped, or it stalled). */
public enum Misfire {
  /** Missed times are dropped; the next normal time runs. */
  SKIP,
  /** One catch-up run for the latest missed time. */
  ONCE,
  /** A run for each missed time, the latest ones up to {@code scheduler.max_catchup_runs}. */
  ALL;

  /** The wire value (skip, once, all), null meaning skip. */
  public static Misfire fromWire(String value) {
    if (value == null) {
      return SKIP;
    }
    return switch (value) {
      case "skip" -> SKIP;
      case "once" -> ONCE;
      case "all" -> ALL;
      default -> throw new IllegalArgumentException("misfire must be one of skip, once, all");
    };
  }
}
