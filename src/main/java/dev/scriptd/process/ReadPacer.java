package dev.scriptd.process;

import com.zaxxer.nuprocess.NuProcess;

/**
 * When to pause NuProcess's reader thread after a read of one output stream. A child that writes
 * one line per {@code write()} to a reader that takes every line as it comes pays for waking that
 * reader at every line, which slowed it by ~15-25 % here; so while a stream is busy (its previous
 * read began less than the minimum interval before this one) and a read was small (under half of
 * NuProcess's 64 KiB buffer: the pipe was nearly drained), the thread waits until the interval has
 * passed since the read began, and the child's lines gather in its pipe (grown by
 * {@link ChildPipes#grow} so that they fit). A quiet stream is never paused; a pause is shorter than
 * the interval by the time the read took; and after one run's pause the other streams on the same
 * thread are no longer busy, so a thread shared by many busy runs pauses about once per interval.
 * One instance per stream, used by the one thread that reads it.
 */
final class ReadPacer {
  static final int SMALL_READ_BYTES = NuProcess.BUFFER_CAPACITY / 2;

  private final long minIntervalNanos;
  private long previousReadAt;
  private boolean read;

  ReadPacer(long minIntervalNanos) {
    this.minIntervalNanos = minIntervalNanos;
  }

  /**
   * A read of {@code length} bytes began at {@code readAt} and was handled by {@code now} (both
   * System.nanoTime): how many nanoseconds to pause before the next read (0: none).
   */
  long pauseAfter(long readAt, long now, int length) {
    boolean busy = read && readAt - previousReadAt < minIntervalNanos;
    previousReadAt = readAt;
    read = true;
    if (!busy || length >= SMALL_READ_BYTES) {
      return 0;
    }
    return Math.max(0, minIntervalNanos - (now - readAt));
  }
}
