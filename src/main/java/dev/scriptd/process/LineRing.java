package dev.scriptd.process;

import dev.scriptd.bus.LogPage;
import dev.scriptd.domain.LogLine;
import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code capacity} lines of a live run, for viewers that join late. Lines are added in
 * seq order without gaps, so a seq maps straight to a slot. Confined to the verticle's context.
 */
final class LineRing {
  private final LogLine[] slots;
  private long firstSeq = 1;
  private int size;
  private int head;

  LineRing(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    slots = new LogLine[capacity];
  }

  void add(LogLine line) {
    if (line.seq() != firstSeq + size) {
      throw new IllegalArgumentException("expected seq " + (firstSeq + size) + " but got " + line.seq());
    }
    if (size == slots.length) {
      slots[head] = line;
      head = (head + 1) % slots.length;
      firstSeq++;
    } else {
      slots[(head + size) % slots.length] = line;
      size++;
    }
  }

  /** Whether every line after {@code afterSeq} is still here (false means: read storage, 416). */
  boolean covers(long afterSeq) {
    return afterSeq + 1 >= firstSeq;
  }

  long firstSeq() {
    return firstSeq;
  }

  long lastSeq() {
    return firstSeq + size - 1;
  }

  /** Lines with seq > afterSeq, at most {@code limit}; call {@link #covers} first. */
  LogPage since(long afterSeq, int limit) {
    if (!covers(afterSeq)) {
      throw new IllegalArgumentException("seq " + (afterSeq + 1) + " has left the ring");
    }
    long from = afterSeq + 1;
    long available = lastSeq() - from + 1;
    int count = (int) Math.max(0, Math.min(available, Math.max(0, limit)));
    List<LogLine> lines = new ArrayList<>(count);
    int offset = (int) (from - firstSeq);
    for (int i = 0; i < count; i++) {
      lines.add(slots[(head + offset + i) % slots.length]);
    }
    long next = count == 0 ? afterSeq : lines.get(count - 1).seq();
    return new LogPage(lines, next);
  }
}
