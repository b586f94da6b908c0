package dev.scriptd.process;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one run's lines and its exit from the NuProcess thread to the verticle's context. The
 * first read after a quiet spell is handed over at once; while output keeps coming, the rest is
 * handed over every {@code paceMs}, so a busy run costs the context one wake-up (and one bus send
 * and publish) per {@code paceMs} instead of one per read (thousands a second even with read
 * pacing), and waking a thread costs more than handling a read's lines. A delivery takes
 * at most {@link #MAX_LINES} lines or {@link #MAX_BYTES} bytes (whole reads) and runs again at once
 * if more are waiting, so none runs unboundedly long. The exit does not wait for the pace: it is
 * delivered at once, by the delivery that finds no line left, so always after every line.
 *
 * <p>{@link #lines} and {@link #exit} are called from one thread at a time (the NuProcess thread,
 * or the spawning thread when the spawn failed); the target is called only by deliveries, which run
 * one after the other on the context.
 */
final class HandOver {
  private static final Logger LOG = LoggerFactory.getLogger(HandOver.class);
  static final int MAX_LINES = 8192;
  static final long MAX_BYTES = 4L << 20;

  /** What the context receives. */
  interface Target {
    void output(OutputBatch output);

    /**
     * No line follows. {@code status} is the wait status read by fix A, or null when it was not
     * available; both mean nothing when the exit watcher reaps the child (it reports the exit).
     */
    void exited(int nuProcessCode, ExitWaiter.Status status);
  }

  /** The verticle's context. */
  interface Runner {
    /** From any thread: runs the task on the context. */
    void execute(Runnable task);

    /** On the context: runs the task there after {@code delayMs}. */
    void later(long delayMs, Runnable task);
  }

  private record Exit(int code, ExitWaiter.Status status) {
  }

  private final Runner context;
  private final long paceMs;
  private final Target target;
  private final Runnable task = () -> deliver(false);
  private final Runnable tick = () -> deliver(true);
  // guarded by this
  private final ArrayDeque<OutputBatch> waiting = new ArrayDeque<>();
  /** A task was executed and has not started yet. */
  private boolean queued;
  /** The pace timer is armed: it takes whatever arrives until it fires. */
  private boolean paced;
  private Exit exit;

  HandOver(Runner context, long paceMs, Target target) {
    this.context = context;
    this.paceMs = paceMs;
    this.target = target;
  }

  /** The lines of one read (must not be empty). */
  void lines(OutputBatch read) {
    boolean queue;
    synchronized (this) {
      waiting.add(read);
      queue = !queued && !paced;
      queued |= queue;
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

  private void deliver(boolean fromTimer) {
    List<OutputBatch> reads = new ArrayList<>();
    Exit ended = null;
    boolean again;
    boolean pace = false;
    synchronized (this) {
      if (fromTimer) {
        paced = false;
      } else {
        queued = false;
      }
      int lines = 0;
      long bytes = 0;
      for (OutputBatch read = waiting.peek(); read != null; read = waiting.peek()) {
        if (!reads.isEmpty() && (lines + read.lines().size() > MAX_LINES || bytes + read.readBytes() > MAX_BYTES)) {
          break;
        }
        reads.add(waiting.poll());
        lines += read.lines().size();
        bytes += read.readBytes();
      }
      again = !waiting.isEmpty() && !queued;
      queued |= again;
      if (waiting.isEmpty()) {
        if (exit != null) {
          ended = exit;
          exit = null;
        } else if (!reads.isEmpty() && !paced) {
          // output is flowing: take what comes next in one go, after the pace
          pace = true;
          paced = true;
        }
      }
    }
    if (again) {
      context.execute(task);
    } else if (pace) {
      context.later(paceMs, tick);
    }
    if (!reads.isEmpty()) {
      output(reads);
    }
    if (ended != null) {
      target.exited(ended.code(), ended.status());
    }
  }

  private void output(List<OutputBatch> reads) {
    OutputBatch output = OutputBatch.merge(reads);
    try {
      target.output(output);
    } catch (RuntimeException e) {
      // the exit must still be delivered, or the run would never end
      LOG.error("could not take {} lines of output", output.lines().size(), e);
    }
  }
}
