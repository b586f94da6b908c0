package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReadPacerTest {
  private static final long INTERVAL = TimeUnit.MICROSECONDS.toNanos(200);
  private static final long US = 1000;

  @Test
  @DisplayName("a busy stream's small read is followed by a pause up to the interval since it began")
  void busySmallReadsPause() {
    ReadPacer pacer = new ReadPacer(INTERVAL);
    assertEquals(0, pacer.pauseAfter(0, 5 * US, 100), "the first read never pauses");
    // 10 us after the previous read began: busy; handled in 5 us, so 195 us are left
    assertEquals(195 * US, pacer.pauseAfter(10 * US, 15 * US, 100));
    // a read that took longer than the interval leaves nothing to wait for
    assertEquals(0, pacer.pauseAfter(20 * US, 400 * US, 100));
  }

  @Test
  @DisplayName("a quiet stream (reads further apart than the interval) is never paused")
  void quietStreamsDoNotPause() {
    ReadPacer pacer = new ReadPacer(INTERVAL);
    long at = 0;
    for (int i = 0; i < 10; i++) {
      assertEquals(0, pacer.pauseAfter(at, at + 5 * US, 10));
      at += INTERVAL + US;
    }
  }

  @Test
  @DisplayName("a large read (the pipe was not drained) does not pause: more is waiting")
  void largeReadsDoNotPause() {
    ReadPacer pacer = new ReadPacer(INTERVAL);
    pacer.pauseAfter(0, US, 100);
    assertEquals(0, pacer.pauseAfter(5 * US, 6 * US, ReadPacer.SMALL_READ_BYTES));
    assertEquals(194 * US, pacer.pauseAfter(10 * US, 16 * US, ReadPacer.SMALL_READ_BYTES - 1));
  }

  @Test
  @DisplayName("an interval of 0 turns pacing off")
  void zeroIntervalIsOff() {
    ReadPacer pacer = new ReadPacer(0);
    assertEquals(0, pacer.pauseAfter(0, US, 10));
    assertEquals(0, pacer.pauseAfter(US, 2 * US, 10));
  }
}
