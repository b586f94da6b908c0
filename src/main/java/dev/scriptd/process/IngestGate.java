package dev.scriptd.process;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Back-pressure from the SQLite writer to the children. Lines read but not yet committed (handed
 * to the verticle, or sent to persistence and not yet written) are counted; while there are more
 * than the bound, the NuProcess reader thread waits before reading on, so the pipes fill and the
 * children block in {@code write()} instead of the server holding their output in memory.
 *
 * <p>Waiting on the NuProcess thread is deliberate here: the writer is the one shared bottleneck,
 * so pausing every reader is the right response. Each wait is capped, so a writer that stops
 * answering slows output down but never freezes it.
 */
final class IngestGate {
  private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final long maxUnwrittenLines;
  private final long maxWaitNanos;
  private final AtomicLong handedOver = new AtomicLong();
  private final AtomicLong sentToWriter = new AtomicLong();
  private volatile long committed;

  IngestGate(long maxUnwrittenLines, long maxWaitMs) {
    this.maxUnwrittenLines = maxUnwrittenLines;
    this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
  }

  /**
   * NuProcess thread: before handing lines over, wait (bounded) while too much is unwritten, unless
   * {@code released} says the run is being stopped (its end must not wait for the writer).
   */
  void awaitRoom(BooleanSupplier released) {
    if (maxUnwrittenLines <= 0 || unwritten() <= maxUnwrittenLines) {
      return;
    }
    long deadline = System.nanoTime() + maxWaitNanos;
    while (unwritten() > maxUnwrittenLines && System.nanoTime() < deadline && !released.getAsBoolean()) {
      LockSupport.parkNanos(PARK_NANOS);
    }
  }

  /** NuProcess thread: lines handed to the verticle's context. */
  void handedOver(int lines) {
    handedOver.addAndGet(lines);
  }

  /** Verticle context: those lines were taken (sent to the writer, or dropped by the output cap). */
  void taken(int lines, int sent) {
    handedOver.addAndGet(-lines);
    sentToWriter.addAndGet(sent);
  }

  /** The writer's running total of committed lines (it also counts lines of JS runs: harmless). */
  void committed(long total) {
    committed = total;
  }

  long unwritten() {
    return handedOver.get() + Math.max(0, sentToWriter.get() - committed);
  }
}
