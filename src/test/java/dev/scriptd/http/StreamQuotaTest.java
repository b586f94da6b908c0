package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Stream quota: open streams per client key")
class StreamQuotaTest {
  @Test
  @DisplayName("a key opens up to its maximum, one more after a close; other keys are counted apart")
  void perKey() {
    StreamQuota quota = new StreamQuota();
    assertTrue(quota.tryOpen("token:a", 2));
    assertTrue(quota.tryOpen("token:a", 2));
    assertFalse(quota.tryOpen("token:a", 2));
    assertTrue(quota.tryOpen("token:b", 2));
    quota.closed("token:a");
    assertTrue(quota.tryOpen("token:a", 2));
    assertEquals(2, quota.open("token:a"));
  }

  @Test
  @DisplayName("a key with no open stream holds no entry, and closes never go below zero")
  void boundedByOpenStreams() {
    StreamQuota quota = new StreamQuota();
    assertTrue(quota.tryOpen("addr:1", 1));
    quota.closed("addr:1");
    quota.closed("addr:1");
    assertEquals(0, quota.open("addr:1"));
    assertTrue(quota.tryOpen("addr:1", 1));
    assertFalse(quota.tryOpen("addr:1", 1));
  }
}
