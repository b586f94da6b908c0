package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LineRingTest {

  private static LineRing ringWith(int capacity, long from, long to) {
    LineRing ring = new LineRing(capacity);
    for (long seq = from; seq <= to; seq++) {
      ring.add(new LogLine(seq, 0, LogStream.STDOUT, "line " + seq));
    }
    return ring;
  }

  private static List<Long> seqs(List<LogLine> lines) {
    return lines.stream().map(LogLine::seq).toList();
  }

  private static List<LogLine> lines(long from, long to) {
    List<LogLine> lines = new java.util.ArrayList<>();
    for (long seq = from; seq <= to; seq++) {
      lines.add(new LogLine(seq, 0, LogStream.STDOUT, "line " + seq));
    }
    return lines;
  }

  @Test
  @DisplayName("addAll of following chunks keeps the same lines as adding them one by one, across the wrap")
  void addAllMatchesAdd() {
    int[][] chunkings = {{1, 2, 3}, {4, 4, 4}, {5, 1, 9}, {12}, {25, 1}, {2, 30, 1, 1}};
    for (int[] chunks : chunkings) {
      LineRing bulk = new LineRing(10);
      long next = 1;
      for (int count : chunks) {
        bulk.addAll(lines(next, next + count - 1));
        next += count;
      }
      LineRing single = ringWith(10, 1, next - 1);
      assertEquals(seqs(single.after(0, 100)), seqs(bulk.after(0, 100)), java.util.Arrays.toString(chunks));
      assertEquals(single.firstSeq(), bulk.firstSeq());
      assertEquals(single.size(), bulk.size());
    }
  }

  @Test
  @DisplayName("addAll of lines that do not follow falls back to add: duplicates skipped, a jump restarts the ring")
  void addAllThatDoesNotFollow() {
    LineRing ring = ringWith(10, 1, 5);
    ring.addAll(lines(4, 7));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), seqs(ring.after(0, 100)));
    ring.addAll(lines(20, 22));
    assertEquals(List.of(20L, 21L, 22L), seqs(ring.after(0, 100)));
    ring.addAll(List.of());
    assertEquals(22, ring.lastSeq());
  }

  @Test
  @DisplayName("keeps only the last capacity lines, oldest first")
  void capacity() {
    LineRing ring = ringWith(3, 1, 5);
    assertEquals(3, ring.firstSeq());
    assertEquals(5, ring.lastSeq());
    assertEquals(3, ring.size());
    assertEquals(List.of(3L, 4L, 5L), seqs(ring.after(0, 100)));
  }

  @Test
  @DisplayName("after() honours the seq and the limit")
  void afterQueries() {
    LineRing ring = ringWith(10, 1, 7);
    assertEquals(List.of(3L, 4L, 5L), seqs(ring.after(2, 3)));
    assertEquals(List.of(), seqs(ring.after(7, 10)));
    assertEquals(List.of(), seqs(new LineRing(4).after(0, 10)));
  }

  @Test
  @DisplayName("covers() is false once the next wanted line has left the ring, and for an empty ring")
  void covers() {
    LineRing ring = ringWith(3, 1, 5);
    assertFalse(ring.covers(1));
    assertTrue(ring.covers(2));
    assertTrue(ring.covers(5));
    assertFalse(new LineRing(3).covers(0));
  }

  @Test
  @DisplayName("a ring may start mid-run; a duplicate is ignored and a jump restarts it")
  void startsAnywhere() {
    LineRing ring = ringWith(5, 40, 42);
    assertEquals(40, ring.firstSeq());
    ring.add(new LogLine(41, 0, LogStream.STDOUT, "again"));
    assertEquals(42, ring.lastSeq());
    ring.add(new LogLine(50, 0, LogStream.STDOUT, "jump"));
    assertEquals(50, ring.firstSeq());
    assertEquals(1, ring.size());
  }
}
