package dev.scriptd.process;

import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessHandler;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import io.vertx.core.Context;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NuProcess callbacks of one run. They run on a NuProcess thread shared by many processes: copy the
 * bytes, split them into lines, number them, and hand them to the verticle's context in one task per
 * callback (runOnContext keeps their order). Never blocks (but for fix A's capped wait at exit),
 * never keeps the ByteBuffer, catches everything (NuProcess swallows exceptions).
 *
 * <p>Both pipes of a process are registered with the same event processor (one epoll and one
 * thread per ProcessEpoll; {@code BasePosixProcess.registerProcess} picks it once per process), and
 * onExit is called from that thread after both "closed" callbacks, or from the spawning thread when
 * the spawn failed. So the seq counter and splitters need no locking, and the exit task is queued
 * after every output task.
 */
final class RunProcessHandler implements NuProcessHandler {
  private static final Logger LOG = LoggerFactory.getLogger(RunProcessHandler.class);
  private static final long EXIT_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  /** What the verticle receives, always on its context. */
  interface Events {
    void output(List<LogLine> lines, long bytes);

    /** {@code status} is the wait status read by fix A, or null when it was not available. */
    void exited(int nuProcessCode, ExitWaiter.Status status);
  }

  private final Context context;
  private final IngestGate gate;
  private volatile boolean stopping;
  private final Events events;
  private final LineSplitter stdout;
  private final LineSplitter stderr;
  private long seq;
  private long unsentBytes;
  private boolean stdoutClosed;
  private boolean stderrClosed;
  private volatile int pid;
  private volatile Long pidStart;
  private volatile ExitWaiter.Status exitStatus;

  RunProcessHandler(Context context, int maxLineBytes, IngestGate gate, Events events) {
    this.context = context;
    this.gate = gate;
    this.events = events;
    this.stdout = new LineSplitter(maxLineBytes);
    this.stderr = new LineSplitter(maxLineBytes);
  }

  /** The run is being stopped: read on without back-pressure so the end comes promptly. */
  void stopRequested() {
    stopping = true;
  }

  int pid() {
    return pid;
  }

  /** Start time of the child, read as early as possible (null when it was already reaped). */
  Long pidStart() {
    return pidStart;
  }

  @Override
  public void onPreStart(NuProcess process) {
  }

  @Override
  public void onStart(NuProcess process) {
    try {
      pid = process.getPID();
      pidStart = ProcessGroups.startTime(pid);
    } catch (Throwable e) {
      LOG.warn("could not read the start time of pid {}", pid, e);
    }
  }

  @Override
  public void onStdout(ByteBuffer buffer, boolean closed) {
    read(buffer, closed, LogStream.STDOUT);
  }

  @Override
  public void onStderr(ByteBuffer buffer, boolean closed) {
    read(buffer, closed, LogStream.STDERR);
  }

  @Override
  public boolean onStdinReady(ByteBuffer buffer) {
    return false;
  }

  @Override
  public void onExit(int exitCode) {
    try {
      ExitWaiter.Status status = exitStatus;
      context.runOnContext(v -> events.exited(exitCode, status));
    } catch (Throwable e) {
      LOG.error("could not hand over the exit of pid {}", pid, e);
    }
  }

  private void read(ByteBuffer buffer, boolean closed, LogStream stream) {
    try {
      int length = buffer == null ? 0 : buffer.remaining();
      byte[] bytes = new byte[length];
      if (length > 0) {
        buffer.get(bytes);
      }
      LineSplitter splitter = stream == LogStream.STDOUT ? stdout : stderr;
      List<byte[]> texts = new ArrayList<>();
      splitter.feed(bytes, 0, length, texts);
      if (closed) {
        splitter.finish(texts);
      }
      unsentBytes += length;
      if (!texts.isEmpty()) {
        long now = System.currentTimeMillis();
        List<LogLine> lines = new ArrayList<>(texts.size());
        for (byte[] text : texts) {
          lines.add(LogLine.ofUtf8(++seq, now, stream, text));
        }
        long chunkBytes = unsentBytes;
        unsentBytes = 0;
        gate.awaitRoom(() -> stopping);
        gate.handedOver(lines.size());
        context.runOnContext(v -> events.output(lines, chunkBytes));
      }
      if (closed) {
        pipeClosed(stream);
      }
    } catch (Throwable e) {
      LOG.error("lost output of pid {}", pid, e);
    }
  }

  private void pipeClosed(LogStream stream) {
    if (stream == LogStream.STDOUT) {
      stdoutClosed = true;
    } else {
      stderrClosed = true;
    }
    // NuProcess checks for the exit right after this callback returns: make that check succeed
    if (stdoutClosed && stderrClosed && pid > 0 && exitStatus == null) {
      exitStatus = ExitWaiter.awaitExitable(pid, EXIT_WAIT_NANOS);
    }
  }
}
