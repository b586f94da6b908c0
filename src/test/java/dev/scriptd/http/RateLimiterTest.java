package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Rate limiter: token buckets per key")
class RateLimiterTest {
  @Test
  @DisplayName("a key with its own rate takes its burst at once, then waits about 1/rate; keys are apart")
  void perKeyRate() {
    RateLimiter limiter = new RateLimiter(0, 1, 100);
    for (int i = 0; i < 10; i++) {
      assertEquals(0, limiter.take("endpoint:a", 10, 10), "call " + i);
    }
    long wait = limiter.take("endpoint:a", 10, 10);
    assertTrue(wait > 0 && wait <= 100_000_000L, "about a tenth of a second, got " + wait);
    assertEquals(0, limiter.take("endpoint:b", 1, 1));
    assertTrue(limiter.take("endpoint:b", 1, 1) > 500_000_000L);
  }

  @Test
  @DisplayName("the server-wide rate applies to take(key), and 0 disables it")
  void serverRate() {
    RateLimiter limiter = new RateLimiter(1, 2, 100);
    assertEquals(0, limiter.take("token:x"));
    assertEquals(0, limiter.take("token:x"));
    assertTrue(limiter.take("token:x") > 0);
    RateLimiter off = new RateLimiter(0, 1, 100);
    for (int i = 0; i < 100; i++) {
      assertEquals(0, off.take("token:x"));
    }
  }

  @Test
  @DisplayName("past maxKeys idle buckets are dropped, so the map stays bounded")
  void bounded() {
    RateLimiter limiter = new RateLimiter(0, 1, 100);
    for (int i = 0; i < 1000; i++) {
      limiter.take("endpoint:" + i, 1000, 1000);
    }
    assertTrue(limiter.size() <= 100, "size " + limiter.size());
  }
}
