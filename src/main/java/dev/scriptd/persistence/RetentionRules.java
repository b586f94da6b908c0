package dev.scriptd.persistence;

import java.util.List;

/** The arithmetic of the retention rules, apart from the SQL that feeds it. */
final class RetentionRules {
  /** The rule names of the cleanup stats, in the order a pass applies them. */
  static final String DAYS = "days";
  static final String MAX_RUNS = "max_runs";
  static final String MAX_BYTES = "max_bytes";
  static final String KEEP_FAILED_DAYS = "keep_failed_days";
  static final List<String> ALL = List.of(DAYS, KEEP_FAILED_DAYS, MAX_RUNS, MAX_BYTES);

  private RetentionRules() {
  }

  /**
   * How many of {@code sizes} (the log bytes of runs, oldest first) to delete, from the front, to
   * bring {@code total} stored bytes down to {@code budget} or below: as few as possible. A budget
   * of 0 means none (nothing to delete). All of them when even that is not enough.
   */
  static int oldestOverBudget(long total, long budget, List<Long> sizes) {
    if (budget <= 0) {
      return 0;
    }
    long left = total;
    int count = 0;
    while (left > budget && count < sizes.size()) {
      left -= sizes.get(count);
      count++;
    }
    return count;
  }

  /** The end-time cutoff (epoch ms) of the age rule: runs that ended before it go. 0 days: all. */
  static long ageCutoff(long nowMs, int days) {
    return days == 0 ? Long.MAX_VALUE : nowMs - java.util.concurrent.TimeUnit.DAYS.toMillis(days);
  }
}
