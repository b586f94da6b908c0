package dev.scriptd.http;

import io.vertx.core.shareddata.Shareable;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets by client key (a token id, or a client address), shared by every HTTP instance of
 * one server (handed out through a Vert.x local map, hence {@link Shareable}); thread-safe. A bucket
 * holds up to {@code burst} requests and refills at {@code rate} per second. The map is bounded:
 * past {@code maxKeys} it drops full (idle) buckets, then arbitrary ones, which only ever gives a
 * client a fresh bucket, never a smaller one.
 */
public final class RateLimiter implements Shareable {
  private final double rate;
  private final double burst;
  private final int maxKeys;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long refilledAt;
    /** The rate and burst of the last take (a key's own, for endpoints), for eviction. */
    double rate;
    double burst;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.refilledAt = now;
    }

    synchronized long take(double rate, double burst, long now) {
      this.rate = rate;
      this.burst = burst;
      tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * rate);
      refilledAt = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) / rate * 1e9);
    }

    synchronized boolean full(long now) {
      return tokens + (now - refilledAt) / 1e9 * rate >= burst;
    }
  }

  public RateLimiter(int rate, int burst, int maxKeys) {
    this.rate = rate;
    this.burst = Math.max(1, burst);
    this.maxKeys = maxKeys;
  }

  public boolean enabled() {
    return rate > 0;
  }

  /** 0 when the request may go ahead, else the nanoseconds until one would be allowed. */
  public long take(String key) {
    if (!enabled()) {
      return 0;
    }
    return take(key, rate, burst);
  }

  /**
   * As {@link #take(String)} with this key's own rate (requests a second, above 0) and burst, for
   * limits that differ by key (endpoints); enabled or not.
   */
  public long take(String key, double rate, double burst) {
    burst = Math.max(1, burst);
    long now = System.nanoTime();
    Bucket bucket = buckets.get(key);
    if (bucket == null) {
      if (buckets.size() >= maxKeys) {
        evict(now);
      }
      double full = burst;
      bucket = buckets.computeIfAbsent(key, k -> new Bucket(full, now));
    }
    return bucket.take(rate, burst, now);
  }

  int size() {
    return buckets.size();
  }

  private void evict(long now) {
    int target = maxKeys - Math.max(1, maxKeys / 10);
    for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext() && buckets.size() > target; ) {
      if (it.next().full(now)) {
        it.remove();
      }
    }
    for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext() && buckets.size() > target; ) {
      it.next();
      it.remove();
    }
  }
}
