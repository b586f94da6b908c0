package dev.scriptd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PauseWatch: a node that stood still decides on member removals only once settled")
class PauseWatchTest {
  private static final long PAUSE = 1000;
  private static final long SETTLE = 14_000;

  @Test
  @DisplayName("ticks on time are no pause: a removal is acted on at once and the node is settled")
  void onTimeTicksAreNoPause() {
    PauseWatch watch = new PauseWatch(PAUSE, SETTLE, 0);
    for (long now = 200; now <= 5000; now += 200) {
      assertEquals(0, watch.tick(now));
    }
    assertEquals(0, watch.waitMs(5100));
    assertFalse(watch.unsettled(5100));
  }

  @Test
  @DisplayName("a late tick is a pause: removals wait until settled, counted from the tick that ended it")
  void aLateTickUnsettlesTheNode() {
    PauseWatch watch = new PauseWatch(PAUSE, SETTLE, 0);
    assertEquals(8000, watch.tick(8000));
    assertEquals(8000, watch.lastPauseMs());
    assertTrue(watch.unsettled(8100));
    assertEquals(SETTLE - 100, watch.waitMs(8100));
    for (long now = 8200; now <= 8000 + SETTLE; now += 200) {
      assertEquals(0, watch.tick(now));
    }
    assertEquals(0, watch.waitMs(8000 + SETTLE), "settled once the settle time passed");
  }

  @Test
  @DisplayName("a pause not ticked yet counts: a removal seen in it waits the whole settle time")
  void anUntickedPauseCounts() {
    PauseWatch watch = new PauseWatch(PAUSE, SETTLE, 0);
    watch.tick(200);
    assertEquals(SETTLE, watch.waitMs(9000));
    assertEquals(0, watch.waitMs(900), "not late enough to be a pause");
  }

  @Test
  @DisplayName("merged back into the cluster: settled at once")
  void mergedSettles() {
    PauseWatch watch = new PauseWatch(PAUSE, SETTLE, 0);
    watch.tick(8000);
    watch.merged();
    assertFalse(watch.unsettled(8100));
    assertEquals(0, watch.waitMs(8100));
  }
}
