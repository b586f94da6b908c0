package dev.scriptd.process;

import dev.scriptd.bus.LogPage;
import dev.scriptd.domain.LineRing;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.OutputGuard;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.RunUsage;
import io.vertx.core.Promise;
import java.util.List;

/**
 * State of one run this run owner is running. Confined to the verticle's context: only touched
 * there, so it needs no locking.
 */
final class LiveRun {
  private static final String PROGRESS_PREFIX = "::progress ";

  /** The last value built (and, once {@link #started} completed, saved) for this run. */
  Run run;
  final LineRing ring;
  /** Completes when the running state is saved (or the spawn failed); exit handling waits on it. */
  final Promise<Void> started = Promise.promise();
  /** Completes with the final run once it is saved (or its save failed). */
  final Promise<Run> ended = Promise.promise();

  /** A row of the run is stored (pending, or running). */
  boolean saved;
  /**
   * Output of a run spawned before any row of it was stored, held until its first row is committed
   * (storage places a run's log file from its row), then sent in order; null once sent, or when the
   * run had a row before its spawn.
   */
  List<LogChunk> unsavedOutput;
  /** Written to the child's stdin at spawn (null: stdin closed at once). */
  String stdin;
  int pgid;
  Long pidStart;
  long lines;
  long bytes;
  int progress;
  long progressSavedAt;
  boolean progressSaveScheduled;
  /** The run's NuProcess handler once spawned (told when the run must stop). */
  RunProcessHandler handler;
  /** KILLED or TIMED_OUT once the API, shutdown or the timeout asked the run to stop. */
  RunStatus requestedEnd;
  /** Signals the run's process group; set once spawned. */
  GroupStop stop;
  /** The shell exited (its exit code, if known, is in {@link #exitCode}). */
  boolean exited;
  Integer exitCode;
  /** Both pipes closed and every line was taken. */
  boolean outputEnded;
  /** No live process is left in the run's group (after the shell exited). */
  boolean groupEnded;
  /** Waiting for a free slot (limits.max_concurrent_runs); not spawned yet. */
  boolean queued;
  /** The limits this run gets: the server's defaults with the run's override. */
  RunLimits limits;
  /** Masks secrets and applies limits.max_log_bytes to this run's output. */
  OutputGuard guard;
  /** The error to record at the end (output limit), or null. */
  String endError;
  /** Its SCRIPTD_OUTPUT file once spawned (read and removed when it ends), or null. */
  java.nio.file.Path outputFile;
  /** The run's cgroup (with a cgroup per run), set once spawned. */
  RunCgroup cgroup;
  /** Its cgroup was removed at the end. */
  boolean cgroupRemoved;
  /** The shell's resource usage as reaped (null: not known). */
  RunUsage shellUsage;
  /** Found stored lost (see RunFence): it ends without a save. */
  boolean abandoned;
  /** Its end is being made (outputs read and usage measured, then saved): a second call does nothing. */
  boolean finishing;
  long timeoutTimer = -1;
  long progressTimer = -1;

  LiveRun(Run pending, int ringLines) {
    this.run = pending;
    this.ring = new LineRing(ringLines);
  }

  String id() {
    return run.id();
  }

  boolean spawned() {
    return pgid > 0;
  }

  /**
   * Takes one chunk of output: counts it, keeps it in the ring, and returns true when one of its
   * lines set a new progress value ({@code mayHaveProgress} false: none of them can, see
   * {@link #mayBeProgress}).
   */
  boolean take(List<LogLine> chunk, long chunkBytes, boolean mayHaveProgress) {
    lines += chunk.size();
    bytes += chunkBytes;
    ring.addAll(chunk);
    if (!mayHaveProgress) {
      return false;
    }
    int before = progress;
    for (LogLine line : chunk) {
      Integer percent = progressOf(line);
      if (percent != null) {
        progress = percent;
      }
    }
    return progress != before;
  }

  /**
   * Lines after {@code afterSeq}, or null when some of them have left the ring. Every line of
   * this run passed through the ring, so an empty ring or a query at the end is fully covered.
   */
  LogPage linesAfter(long afterSeq, int limit) {
    if (afterSeq >= lines) {
      return new LogPage(List.of(), afterSeq);
    }
    if (!ring.covers(afterSeq)) {
      return null;
    }
    List<LogLine> page = ring.after(afterSeq, Math.max(0, limit));
    return new LogPage(page, page.isEmpty() ? afterSeq : page.get(page.size() - 1).seq());
  }

  /** The run with the current counters and progress. */
  Run current() {
    return run.withLog(lines, bytes).withProgress(progress);
  }

  /**
   * The progress value of a line; only lines of the length of one ({@code ::progress} and one to
   * three ASCII digits) are decoded, so output is not turned into text just to look for it.
   */
  static Integer progressOf(LogLine line) {
    return mayBeProgress(line.utf8Length()) ? progressOf(line.text()) : null;
  }

  /** Whether a line of this many UTF-8 bytes has the length of a {@code ::progress N} line. */
  static boolean mayBeProgress(int utf8Length) {
    return utf8Length > PROGRESS_PREFIX.length() && utf8Length <= PROGRESS_PREFIX.length() + 3;
  }

  /** N of a line of the exact form {@code ::progress N} with N in 0..100, else null. */
  static Integer progressOf(String text) {
    if (!text.startsWith(PROGRESS_PREFIX)) {
      return null;
    }
    String number = text.substring(PROGRESS_PREFIX.length());
    if (number.isEmpty() || number.length() > 3 || !number.chars().allMatch(Character::isDigit)) {
      return null;
    }
    int value = Integer.parseInt(number);
    return value <= 100 ? value : null;
  }
}
