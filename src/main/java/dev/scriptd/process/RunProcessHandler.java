package dev.scriptd.process;

import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessHandler;
import com.zaxxer.nuprocess.internal.BasePosixProcess;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.RunUsage;
import io.vertx.core.Context;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NuProcess callbacks of one run. They run on a NuProcess thread shared by many processes: copy the
 * bytes into a scratch array, cut them into lines, number them, and pass them to a {@link HandOver},
 * which brings them to the verticle's context in chunks (at most one every 5 ms while output flows).
 * Never blocks (but for the bounded back-pressure wait, the read pacing below and fix A's capped
 * wait at exit), never keeps the ByteBuffer, catches everything (NuProcess swallows exceptions).
 *
 * <p>Busy output is read in fewer, larger reads: see {@link ReadPacer} (when to pause after a read)
 * and {@link ChildPipes} (pipes grown so the lines fit meanwhile, and read to the end at hang-up).
 *
 * <p>The end of a run has two parts. The shell's exit is seen by an {@link ExitWatcher} when one is
 * given and works here: it reaps the shell (NuProcess is told not to) and reports its status at
 * once, even while a background child still holds the pipes. The end of the output is NuProcess's
 * {@code onExit}, which it calls once both pipes closed, after every line. Without a watcher
 * NuProcess reaps the shell after the pipes closed and both parts arrive together (fix A's wait
 * in {@link ExitWaiter} makes that prompt; both fixes: src/docs/architecture.md, "NuProcess").
 */
final class RunProcessHandler implements NuProcessHandler {
  private static final Logger LOG = LoggerFactory.getLogger(RunProcessHandler.class);
  private static final long EXIT_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  /** While output flows, lines reach the context every this many ms (live tails write every 10 ms). */
  private static final long HAND_OVER_PACE_MS = 5;

  /** Told of the shell's exit, on the verticle's context. */
  interface ShellExit {
    /**
     * {@code status} null: lost. {@code othersAlive}: whether some process (possibly a zombie) was
     * left in the run's process group when the shell was reaped. {@code usage}: the shell's and its
     * waited-for children's resource usage, or null.
     */
    void exited(ExitWaiter.Status status, boolean othersAlive, RunUsage usage);
  }

  private final IngestGate gate;
  private final Context context;
  private final ExitWatcher watcher;
  private final ShellExit shellExit;
  /** The watcher reaps the shell and reports its exit; NuProcess's onExit only ends the output. */
  private volatile boolean watched;
  private final int readerNice;
  private final int pipeBytes;
  private final ReadPacer stdoutPacer;
  private final ReadPacer stderrPacer;
  private boolean niced;
  private volatile boolean stopping;
  private final HandOver handOver;
  private final LineSplitter stdout;
  private final LineSplitter stderr;
  /** Each read is copied here (reused: only the one NuProcess thread reads). */
  private byte[] scratch = new byte[0];
  private final List<byte[]> cut = new ArrayList<>();
  private long seq;
  private long unsentBytes;
  private boolean stdoutClosed;
  private boolean stderrClosed;
  private volatile NuProcess process;
  private volatile int pid;
  private volatile Long pidStart;
  private volatile ExitWaiter.Status exitStatus;

  /** {@code watcher} may be null (then NuProcess reaps the shell, and {@code shellExit} is not called). */
  RunProcessHandler(Context context, ScriptdConfig.Runs settings, IngestGate gate, HandOver.Target events,
      ExitWatcher watcher, ShellExit shellExit) {
    this.gate = gate;
    this.context = context;
    this.watcher = watcher;
    this.shellExit = shellExit;
    this.readerNice = settings.readerNice();
    this.pipeBytes = settings.pipeBytes();
    long minReadIntervalNanos = TimeUnit.MICROSECONDS.toNanos(settings.minReadIntervalUs());
    this.stdoutPacer = new ReadPacer(minReadIntervalNanos);
    this.stderrPacer = new ReadPacer(minReadIntervalNanos);
    this.handOver = new HandOver(new HandOver.Runner() {
      @Override
      public void execute(Runnable task) {
        context.runOnContext(v -> task.run());
      }

      @Override
      public void later(long delayMs, Runnable task) {
        context.owner().setTimer(delayMs, id -> task.run());
      }
    }, HAND_OVER_PACE_MS, events);
    this.stdout = new LineSplitter(settings.maxLineBytes());
    this.stderr = new LineSplitter(settings.maxLineBytes());
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

  /** Whether the shell's exit comes from the watcher (set in onStart, before the spawn returns). */
  boolean watched() {
    return watched;
  }

  @Override
  public void onPreStart(NuProcess process) {
  }

  /**
   * Called on the spawning thread before NuProcess watches the pipes, so NuProcess cannot have
   * reaped the child yet: its start time is read and its pidfd opened safely here.
   */
  @Override
  public void onStart(NuProcess process) {
    try {
      pid = process.getPID();
      pidStart = ProcessGroups.startTime(pid);
      this.process = process;
      ChildPipes.grow(process, pipeBytes);
    } catch (Throwable e) {
      LOG.warn("could not read the start time of pid {}", pid, e);
    }
    try {
      if (watcher != null && process instanceof BasePosixProcess posix && watcher.watch(pid, this::shellExited)) {
        // NuProcess (3.0.0) skips its waitpid for a process flagged so and calls onExit(0) as soon
        // as both pipes closed: the watcher reaps the shell. NuProcess looks at the pipes, and so
        // at the flag, only after this callback returned.
        posix.cleanlyExitedBeforeProcess.set(true);
        watched = true;
      }
    } catch (Throwable e) {
      LOG.warn("could not watch the exit of pid {}", pid, e);
    }
  }

  /** On the watcher's thread, once the shell was reaped. */
  private void shellExited(ExitWaiter.Status status, RunUsage usage) {
    // kill(2) with signal 0: does a process of the group remain, now that the leader is gone?
    boolean othersAlive = ProcessGroups.groupExists(pid);
    context.runOnContext(v -> shellExit.exited(status, othersAlive, usage));
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
      handOver.exit(exitCode, exitStatus);
    } catch (Throwable e) {
      LOG.error("could not hand over the exit of pid {}", pid, e);
    }
  }

  private void read(ByteBuffer buffer, boolean closed, LogStream stream) {
    long readAt = System.nanoTime();
    try {
      if (!niced) {
        // once per run (the reader thread keeps it): a reader that does not preempt a running child
        // at every write() reads bigger chunks; on an idle core it still runs at once
        niced = true;
        ThreadNice.atLeast(readerNice);
      }
      int length = buffer == null ? 0 : buffer.remaining();
      if (length > scratch.length) {
        scratch = new byte[length];
      }
      if (length > 0) {
        buffer.get(scratch, 0, length);
      }
      LineSplitter splitter = stream == LogStream.STDOUT ? stdout : stderr;
      splitter.feed(scratch, 0, length, cut);
      unsentBytes += length;
      if (closed) {
        NuProcess child = process;
        if (child != null) {
          // a grown pipe (by us, or by the child itself) can hold more than NuProcess read before
          // it reported the hang-up
          if (scratch.length < NuProcess.BUFFER_CAPACITY) {
            scratch = new byte[NuProcess.BUFFER_CAPACITY];
          }
          unsentBytes += ChildPipes.readRest(child, stream == LogStream.STDOUT, scratch,
              (bytes, read) -> splitter.feed(bytes, 0, read, cut));
        }
        splitter.finish(cut);
      }
      if (!cut.isEmpty()) {
        long now = System.currentTimeMillis();
        List<LogLine> lines = new ArrayList<>(cut.size());
        long textBytes = 0;
        boolean mayHaveProgress = false;
        for (byte[] line : cut) {
          LogLine logLine = LogLine.ofUtf8(++seq, now, stream, line);
          lines.add(logLine);
          textBytes += logLine.utf8Length() + 1L;
          mayHaveProgress |= LiveRun.mayBeProgress(logLine.utf8Length());
        }
        cut.clear();
        long readBytes = unsentBytes;
        unsentBytes = 0;
        gate.awaitRoom(() -> stopping);
        gate.handedOver(lines.size());
        handOver.lines(new OutputBatch(lines, readBytes, textBytes, mayHaveProgress));
      }
      if (closed) {
        pipeClosed(stream);
      } else {
        pace(stream, readAt, length);
      }
    } catch (Throwable e) {
      cut.clear();
      LOG.error("lost output of pid {}", pid, e);
    }
  }

  private void pace(LogStream stream, long readAt, int length) {
    long pause = (stream == LogStream.STDOUT ? stdoutPacer : stderrPacer).pauseAfter(readAt, System.nanoTime(), length);
    if (pause > 0 && !stopping) {
      LockSupport.parkNanos(pause);
    }
  }

  private void pipeClosed(LogStream stream) {
    if (stream == LogStream.STDOUT) {
      stdoutClosed = true;
    } else {
      stderrClosed = true;
    }
    // NuProcess checks for the exit right after this callback returns: make that check succeed
    // (unless the watcher reaps the shell, and NuProcess does not check)
    if (stdoutClosed && stderrClosed && pid > 0 && exitStatus == null && !watched) {
      exitStatus = ExitWaiter.awaitExitable(pid, EXIT_WAIT_NANOS);
    }
  }
}
