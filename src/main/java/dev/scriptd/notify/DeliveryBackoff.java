package dev.scriptd.notify;

/**
 * When a notification is tried again after a failed attempt: exponential backoff, 1 s after the
 * first failure, doubling each time, capped at 5 minutes; after {@code maxAttempts} attempts it is
 * given up. No clock, no I/O.
 */
record DeliveryBackoff(int maxAttempts) {
  static final long FIRST_DELAY_MS = 1000;
  static final long MAX_DELAY_MS = 300_000;

  /** What happens after attempt number {@code attempts} (1 = the first) failed, at {@code nowMs}. */
  record Next(boolean giveUp, Long retryAtMs) {
  }

  DeliveryBackoff {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
  }

  /** The wait after the {@code attempts}-th failed attempt: 1 s, 2 s, 4 s, ... capped at 5 min. */
  static long delayMs(int attempts) {
    int doublings = Math.max(0, attempts - 1);
    if (doublings >= 30) {
      return MAX_DELAY_MS;
    }
    return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS << doublings);
  }

  Next afterFailure(int attempts, long nowMs) {
    if (attempts >= maxAttempts) {
      return new Next(true, null);
    }
    return new Next(false, nowMs + delayMs(attempts));
  }
}
