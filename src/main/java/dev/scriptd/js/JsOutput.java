package dev.scriptd.js;

import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.RunOutputs;
import java.util.ArrayList;
import java.util.List;

/**
 * The log lines of one execution: the program's thread adds them, the verticle takes them in
 * chunks (and passes them through the run's {@link dev.scriptd.domain.OutputGuard}, which masks
 * secrets, counts and caps them). One seq per run, from 1 without gaps, assigned as lines arrive.
 * Bounded: a program that logs faster than the lines are taken waits (its own thread only) until the
 * buffer drains. Once the output limit was hit, lines are dropped as they come.
 */
final class JsOutput {
  /** Lines buffered at most before the program's thread waits for a drain. */
  static final int MAX_PENDING = 10_000;

  private final int maxLineChars;
  private final Runnable wakeDrain;
  private List<LogLine> pending = new ArrayList<>();
  private long seq;
  private boolean drainRequested;
  private volatile boolean stopped;
  private volatile boolean discarding;

  /** What the program declared with setOutput (written on the program's thread, read once it ended). */
  private final RunOutputs declared = new RunOutputs();

  /** setOutput(name, value): false when the name is invalid or a limit dropped it. */
  synchronized boolean declare(String name, Object value) {
    return declared.put(name, value);
  }

  /** A setOutput value too large to keep: dropped, and said so in the run's error. */
  synchronized boolean declareTooLarge() {
    declared.dropForSize();
    return false;
  }

  /** The outputs declared so far (read once the program ended). */
  synchronized RunOutputs declared() {
    return declared;
  }

  /** {@code wakeDrain} asks the verticle to take the lines soon (called from the program's thread). */
  JsOutput(int maxLineChars, Runnable wakeDrain) {
    this.maxLineChars = maxLineChars;
    this.wakeDrain = wakeDrain;
  }

  /** Adds {@code text} as one line per {@code \n}-separated part. */
  void add(LogStream stream, String text) {
    int start = 0;
    while (!discarding) {
      int end = text.indexOf('\n', start);
      addLine(stream, end < 0 ? text.substring(start) : text.substring(start, end));
      if (end < 0) {
        return;
      }
      start = end + 1;
    }
  }

  private void addLine(LogStream stream, String line) {
    String text = line.length() > maxLineChars ? line.substring(0, maxLineChars) : line;
    boolean wake;
    synchronized (this) {
      while (pending.size() >= MAX_PENDING && !stopped && !discarding) {
        try {
          wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (discarding) {
        return;
      }
      pending.add(new LogLine(++seq, System.currentTimeMillis(), stream, text));
      wake = pending.size() >= 500 && !drainRequested;
      if (wake) {
        drainRequested = true;
      }
    }
    if (wake) {
      wakeDrain.run();
    }
  }

  /** The lines added since the last call, or null when there are none. */
  synchronized List<LogLine> take() {
    drainRequested = false;
    if (pending.isEmpty()) {
      return null;
    }
    List<LogLine> taken = pending;
    pending = new ArrayList<>();
    notifyAll();
    return taken;
  }

  /** Releases a program waiting for room (it is being cancelled). */
  synchronized void stop() {
    stopped = true;
    notifyAll();
  }

  /** Nothing more is kept (the output limit was hit): later lines are dropped at once. */
  synchronized void discard() {
    discarding = true;
    pending = new ArrayList<>();
    notifyAll();
  }
}
