package dev.scriptd.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;

/**
 * The most recent lines of one run, in seq order, in a fixed-size circular buffer. Not
 * thread-safe: each owner uses it from its own event loop.
 */
public final class LineRing {
  private final LogLine[] slots;
  private int start;
  private int size;

  public LineRing(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    slots = new LogLine[capacity];
  }

  /** Appends a line; a line that does not follow the last one restarts the ring at that line. */
  public void add(LogLine line) {
    if (size > 0 && line.seq() != lastSeq() + 1) {
      if (line.seq() <= lastSeq()) {
        return; // already have it
      }
      clear();
    }
    if (size < slots.length) {
      slots[(start + size) % slots.length] = line;
      size++;
    } else {
      slots[start] = line;
      start = (start + 1) % slots.length;
    }
  }

  /**
   * Appends lines in order. Consecutive lines that follow the last one (the usual case: a chunk of
   * a run's output) are copied in one go, looking only at the first and the last; anything else
   * goes line by line through {@link #add}.
   */
  public void addAll(List<LogLine> lines) {
    int count = lines.size();
    if (count == 0) {
      return;
    }
    long first = lines.get(0).seq();
    boolean follows = size == 0 || first == lastSeq() + 1;
    if (!follows || lines.get(count - 1).seq() != first + count - 1 || !(lines instanceof RandomAccess)) {
      for (LogLine line : lines) {
        add(line);
      }
      return;
    }
    // only the newest capacity lines can stay
    int skip = Math.max(0, count - slots.length);
    int kept = count - skip;
    int overflow = Math.max(0, size + kept - slots.length);
    start = (start + overflow) % slots.length;
    size -= overflow;
    int at = (start + size) % slots.length;
    for (int i = skip; i < count; i++) {
      slots[at] = lines.get(i);
      at = at + 1 == slots.length ? 0 : at + 1;
    }
    size += kept;
  }

  public void clear() {
    java.util.Arrays.fill(slots, null);
    start = 0;
    size = 0;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return slots.length;
  }

  /** Seq of the oldest line held, or 0 when empty. */
  public long firstSeq() {
    return size == 0 ? 0 : slots[start].seq();
  }

  /** Seq of the newest line held, or 0 when empty. */
  public long lastSeq() {
    return size == 0 ? 0 : slots[(start + size - 1) % slots.length].seq();
  }

  /** True when every line after {@code seq} that this ring has ever seen is still held. */
  public boolean covers(long seq) {
    return size > 0 && seq + 1 >= firstSeq();
  }

  /** Up to {@code max} lines with a seq greater than {@code seq}, oldest first. */
  public List<LogLine> after(long seq, int max) {
    if (size == 0 || seq >= lastSeq()) {
      return List.of();
    }
    long first = firstSeq();
    int offset = (int) Math.max(0, seq + 1 - first);
    int count = Math.min(max, size - offset);
    List<LogLine> result = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      result.add(slots[(start + offset + i) % slots.length]);
    }
    return result;
  }
}
