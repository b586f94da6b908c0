package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.LogPage;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LineRingTest {

  private static LineRing ringWith(int capacity, int lines) {
    LineRing ring = new LineRing(capacity);
    for (int seq = 1; seq <= lines; seq++) {
      ring.add(new LogLine(seq, 0, LogStream.STDOUT, "line " + seq));
    }
    return ring;
  }

  private static List<Long> seqs(LogPage page) {
    return page.lines().stream().map(LogLine::seq).toList();
  }

  @Test
  @DisplayName("keeps only the last capacity lines")
  void capacity() {
    LineRing ring = ringWith(3, 5);
    assertEquals(3, ring.firstSeq());
    assertEquals(5, ring.lastSeq());
    assertEquals(List.of(3L, 4L, 5L), seqs(ring.since(2, 100)));
  }

  @Test
  @DisplayName("since-queries honour afterSeq and limit and report nextSince")
  void sinceQueries() {
    LineRing ring = ringWith(10, 7);
    LogPage page = ring.since(2, 3);
    assertEquals(List.of(3L, 4L, 5L), seqs(page));
    assertEquals(5, page.nextSince());
    LogPage tail = ring.since(7, 10);
    assertEquals(List.of(), seqs(tail));
    assertEquals(7, tail.nextSince());
    assertEquals(List.of(1L, 2L), seqs(ringWith(10, 2).since(0, 10)));
    assertEquals(0, ringWith(10, 0).since(0, 10).nextSince());
  }

  @Test
  @DisplayName("a query older than the ring is not covered (the 416 case)")
  void tooOld() {
    LineRing ring = ringWith(3, 5);
    assertFalse(ring.covers(1));
    assertTrue(ring.covers(2));
    assertTrue(ringWith(3, 0).covers(0));
  }
}
