package dev.scriptd.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DeliveryBackoff: 1 s doubling, capped at 5 minutes, up to notify.max_attempts")
class DeliveryBackoffTest {
  @Test
  @DisplayName("the waits after each failed attempt are 1, 2, 4, 8 ... seconds, then 5 minutes at most")
  void waitsDoubleUpToTheCap() {
    List<Long> waits = IntStream.rangeClosed(1, 12).mapToObj(DeliveryBackoff::delayMs).toList();
    assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L, 64_000L, 128_000L, 256_000L, 300_000L,
        300_000L, 300_000L), waits);
    assertEquals(300_000L, DeliveryBackoff.delayMs(1_000), "no overflow far out");
  }

  @Test
  @DisplayName("a failed attempt with attempts left is tried again at now + its wait")
  void retriesWhileAttemptsAreLeft() {
    DeliveryBackoff backoff = new DeliveryBackoff(8);
    DeliveryBackoff.Next next = backoff.afterFailure(3, 10_000);
    assertFalse(next.giveUp());
    assertEquals(14_000L, next.retryAtMs());
  }

  @Test
  @DisplayName("the max_attempts-th failed attempt gives the notification up")
  void givesUpAfterTheLastAttempt() {
    DeliveryBackoff backoff = new DeliveryBackoff(3);
    assertFalse(backoff.afterFailure(2, 0).giveUp());
    DeliveryBackoff.Next last = backoff.afterFailure(3, 0);
    assertTrue(last.giveUp());
    assertNull(last.retryAtMs());
    assertTrue(new DeliveryBackoff(1).afterFailure(1, 0).giveUp(), "one attempt: no retry");
    assertThrows(IllegalArgumentException.class, () -> new DeliveryBackoff(0));
  }
}
