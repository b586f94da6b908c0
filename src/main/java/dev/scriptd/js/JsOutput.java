package dev.scriptd.js;

import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The log lines of one execution: the program's thread adds them, the verticle takes them in
 * chunks. One seq per run, from 1 without gaps, assigned as lines arrive. Bounded: a program that
 * logs faster than the lines are taken waits (its own thread only) until the buffer drains.
 */
final class JsOutput {
  /** Lines buffered at most before the program's thread waits for a drain. */
  static final int MAX_PENDING = 10_000;

  private final int maxLineChars;
  private final Runnable wakeDrain;
  private List<LogLine> pending = new ArrayList<>();
  private long seq;
  private long lines;
  private long bytes;
  private long pendingBytes;
  private boolean drainRequested;
  private volatile boolean stopped;

  /** {@code wakeDrain} asks the verticle to take the lines soon (called from the program's thread). */
  JsOutput(int maxLineChars, Runnable wakeDrain) {
    this.maxLineChars = maxLineChars;
    this.wakeDrain = wakeDrain;
  }

  /** Adds {@code text} as one line per {@code \n}-separated part. */
  void add(LogStream stream, String text) {
    int start = 0;
    while (true) {
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
      while (pending.size() >= MAX_PENDING && !stopped) {
        try {
          wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      long size = text.getBytes(StandardCharsets.UTF_8).length + 1L;
      pending.add(new LogLine(++seq, System.currentTimeMillis(), stream, text));
      lines++;
      bytes += size;
      pendingBytes += size;
      wake = pending.size() >= 500 && !drainRequested;
      if (wake) {
        drainRequested = true;
      }
    }
    if (wake) {
      wakeDrain.run();
    }
  }

  /** The lines added since the last call (possibly none) and their byte count. */
  synchronized Taken take() {
    drainRequested = false;
    if (pending.isEmpty()) {
      return null;
    }
    Taken taken = new Taken(pending, pendingBytes);
    pending = new ArrayList<>();
    pendingBytes = 0;
    notifyAll();
    return taken;
  }

  /** Releases a program waiting for room (it is being cancelled). */
  synchronized void stop() {
    stopped = true;
    notifyAll();
  }

  synchronized long lines() {
    return lines;
  }

  synchronized long bytes() {
    return bytes;
  }

  record Taken(List<LogLine> lines, long bytes) {
  }
}
