package dev.scriptd.process;

import dev.scriptd.domain.LogLine;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one run's lines and its exit from the NuProcess thread to the verticle's context with at
 * most one task queued there: lines that arrive while a task is queued or running join the next
 * one, so a busy context receives big chunks instead of a task (and a bus send and publish) per
 * read. A task takes at most {@link #MAX_LINES} lines or {@link #MAX_BYTES} bytes (whole reads)
 * and queues the next one if more are waiting, so no single task runs unboundedly long. The exit
 * is delivered by the task that finds nothing left, so always after every line, in order.
 *
 * <p>{@link #lines} and {@link #exit} are called from one thread at a time (the NuProcess thread,
 * or the spawning thread when the spawn failed); the target is called only by the executor's
 * tasks, which run one after the other in submission order.
 */
final class HandOver {
  private static final Logger LOG = LoggerFactory.getLogger(HandOver.class);
  static final int MAX_LINES = 8192;
  static final long MAX_BYTES = 4L << 20;

  /** What the context receives. */
  interface Target {
    void output(List<LogLine> lines, long bytes);

    /** {@code status} is the wait status read by fix A, or null when it was not available. */
    void exited(int nuProcessCode, ExitWaiter.Status status);
  }

  private record Read(List<LogLine> lines, long bytes) {
  }

  private record Exit(int code, ExitWaiter.Status status) {
  }

  private final Executor context;
  private final Target target;
  private final Runnable task = this::deliver;
  // guarded by this
  private final ArrayDeque<Read> waiting = new ArrayDeque<>();
  private boolean queued;
  private Exit exit;

  HandOver(Executor context, Target target) {
    this.context = context;
    this.target = target;
  }

  /** The lines of one read and the raw bytes they came from (lines must not be empty). */
  void lines(List<LogLine> lines, long bytes) {
    boolean queue;
    synchronized (this) {
      waiting.add(new Read(lines, bytes));
      queue = !queued;
      queued = true;
    }
    if (queue) {
      context.execute(task);
    }
  }

  /** The process ended; no lines follow. */
  void exit(int nuProcessCode, ExitWaiter.Status status) {
    boolean queue;
    synchronized (this) {
      exit = new Exit(nuProcessCode, status);
      queue = !queued;
      queued = true;
    }
    if (queue) {
      context.execute(task);
    }
  }

  private void deliver() {
    List<Read> reads = new ArrayList<>();
    Exit ended = null;
    boolean more;
    synchronized (this) {
      int lines = 0;
      long bytes = 0;
      for (Read read = waiting.peek(); read != null; read = waiting.peek()) {
        if (!reads.isEmpty() && (lines + read.lines().size() > MAX_LINES || bytes + read.bytes() > MAX_BYTES)) {
          break;
        }
        reads.add(waiting.poll());
        lines += read.lines().size();
        bytes += read.bytes();
      }
      more = !waiting.isEmpty();
      if (!more) {
        queued = false;
        ended = exit;
        exit = null;
      }
    }
    if (more) {
      context.execute(task);
    }
    if (!reads.isEmpty()) {
      output(reads);
    }
    if (ended != null) {
      target.exited(ended.code(), ended.status());
    }
  }

  private void output(List<Read> reads) {
    List<LogLine> lines = reads.get(0).lines();
    long bytes = reads.get(0).bytes();
    if (reads.size() > 1) {
      int count = 0;
      for (Read read : reads) {
        count += read.lines().size();
      }
      lines = new ArrayList<>(count);
      bytes = 0;
      for (Read read : reads) {
        lines.addAll(read.lines());
        bytes += read.bytes();
      }
    }
    try {
      target.output(lines, bytes);
    } catch (RuntimeException e) {
      // the exit must still be delivered, or the run would never end
      LOG.error("could not take {} lines of output", lines.size(), e);
    }
  }
}
