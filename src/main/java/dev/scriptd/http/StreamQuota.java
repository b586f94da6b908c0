package dev.scriptd.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open streams by client key (a token id, or an address for anonymous callers), shared by every
 * HTTP instance of one server; thread-safe. A key holds an entry only while it has streams open,
 * so the map is bounded by the open streams themselves.
 */
final class StreamQuota {
  private final Map<String, Integer> open = new ConcurrentHashMap<>();

  /** Counts one more stream for {@code key} and returns true, or false when it already has {@code max}. */
  boolean tryOpen(String key, int max) {
    boolean[] taken = new boolean[1];
    open.compute(key, (k, count) -> {
      int now = count == null ? 0 : count;
      if (now >= max) {
        return count;
      }
      taken[0] = true;
      return now + 1;
    });
    return taken[0];
  }

  /** One stream of {@code key} ended. */
  void closed(String key) {
    open.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
  }

  int open(String key) {
    return open.getOrDefault(key, 0);
  }
}
