package dev.scriptd.persistence;

import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers appended log chunks and writes them in batches: when {@code batchLines} lines are
 * pending or {@code flushIntervalMs} after the oldest pending line, whichever comes first. One
 * flush at a time; lines that arrive meanwhile wait for the next. A batch's chunks and its runs'
 * counts are one transaction, so a failed flush stored nothing of it: it keeps its lines and tries
 * again after the interval (while the disk is full, once it has room again), and a retry never
 * counts a line twice. At most {@code maxBufferedLines} lines wait: a chunk beyond that is dropped,
 * counted in the lines-dropped meter and per run ({@link #takeDropped}), so the gap is reported.
 * Used only from the verticle's context, but for encoding a batch's rows, which runs on a worker.
 */
final class LogBatcher {
  private static final Logger LOG = LoggerFactory.getLogger(LogBatcher.class);
  static final int ROW_MAX_LINES = 2000;
  static final int ROW_MAX_BYTES = 1 << 20;
  private static final int LINE_OVERHEAD = 12;

  private final String insertChunk;
  private final String updateRun;

  private final Vertx vertx;
  private final Database db;
  private final int batchLines;
  private final long flushIntervalMs;
  private final long maxBufferedLines;
  /** Lines dropped per run (the buffer was full), until the run's end reports them. */
  private final Map<String, Long> dropped = new java.util.HashMap<>();
  /** Failed flushes in a row; the first is logged, the recovery too. */
  private int failuresInRow;
  private final ScriptdMetrics metrics;
  private final LogBlobCodec codec = new LogBlobCodec();

  private Map<String, List<LogChunk>> pending = new LinkedHashMap<>();
  private int pendingLines;
  /** Lines of the flush in flight (they count against maxBufferedLines until written). */
  private int inFlightLines;
  private long oldestPendingAt;
  private Set<String> inFlightRuns = Set.of();
  private Future<Void> inFlight;
  private long timerId = -1;
  private long retryNotBefore;
  private boolean closed;
  private volatile long lastFlushMs = -1;
  private LogFiles files;
  private RunView view;

  private long committedLines;
  private java.util.function.LongConsumer onCommitted;

  LogBatcher(Vertx vertx, Database db, int batchLines, long flushIntervalMs, ScriptdMetrics metrics) {
    this(vertx, db, batchLines, flushIntervalMs, Long.MAX_VALUE, metrics);
  }

  LogBatcher(Vertx vertx, Database db, int batchLines, long flushIntervalMs, long maxBufferedLines,
      ScriptdMetrics metrics) {
    this.metrics = metrics;
    this.vertx = vertx;
    this.db = db;
    this.batchLines = batchLines;
    this.flushIntervalMs = flushIntervalMs;
    this.maxBufferedLines = maxBufferedLines;
    SqlDialect sql = db.dialect();
    this.insertChunk = sql.insertOrIgnore("log_chunks "
        + "(run_id, first_seq, last_seq, line_count, byte_count, data) VALUES (?, ?, ?, ?, ?, ?)");
    this.updateRun = "UPDATE runs SET log_lines = " + sql.greatest("log_lines", "?")
        + ", log_bytes = log_bytes + ? WHERE id = ?";
    db.onRoomAgain(() -> {
      retryNotBefore = 0;
      if (!closed && inFlight == null && pendingLines > 0) {
        flush();
      }
    });
  }

  /**
   * The lines of the run dropped so far because too many waited (forgotten once taken): its end
   * reports them.
   */
  long takeDropped(String runId) {
    Long lines = dropped.remove(runId);
    return lines == null ? 0 : lines;
  }

  /** Told the running total of committed lines after each write (for back-pressure). */
  void onCommitted(java.util.function.LongConsumer listener) {
    this.onCommitted = listener;
  }

  /** Told each committed change of a run's log_lines and log_bytes, before the flush completes. */
  void countsTo(RunView runView) {
    this.view = runView;
  }

  /** Committed lines are also handed to these files (optional log files). */
  void copyTo(LogFiles logFiles) {
    this.files = logFiles;
  }

  int pendingLines() {
    return pendingLines;
  }

  /** Whether lines wait or a write is under way (the search indexer waits for neither). */
  boolean busy() {
    return pendingLines > 0 || inFlight != null;
  }

  /** Duration of the last successful flush in ms, -1 before the first. */
  long lastFlushMs() {
    return lastFlushMs;
  }

  void append(LogChunk chunk) {
    if (chunk.lines().isEmpty()) {
      return;
    }
    int lines = chunk.lines().size();
    if ((long) pendingLines + inFlightLines + lines > maxBufferedLines) {
      // cannot be kept: counted (and as written for the back-pressure, which would wait for it forever)
      dropped.merge(chunk.runId(), (long) lines, Long::sum);
      metrics.linesDropped(lines);
      committedLines += lines;
      if (onCommitted != null) {
        onCommitted.accept(committedLines);
      }
      return;
    }
    if (pendingLines == 0) {
      oldestPendingAt = System.currentTimeMillis();
    }
    pending.computeIfAbsent(chunk.runId(), id -> new ArrayList<>()).add(chunk);
    pendingLines += chunk.lines().size();
    if (pendingLines >= batchLines && inFlight == null
        && System.currentTimeMillis() >= retryNotBefore) {
      flush();
    } else {
      armTimer();
    }
  }

  /** Completes once the run has no pending or in-flight lines left (writes them if needed). */
  Future<Void> flushRun(String runId) {
    if (pending.containsKey(runId) || inFlightRuns.contains(runId)) {
      return flush();
    }
    return Future.succeededFuture();
  }

  /** Like {@link #flushRun} for several runs at once: one flush if any of them has lines left. */
  Future<Void> flushRuns(Iterable<String> runIds) {
    for (String runId : runIds) {
      if (pending.containsKey(runId) || inFlightRuns.contains(runId)) {
        return flush();
      }
    }
    return Future.succeededFuture();
  }

  /** Writes every line pending now, after the flush in flight if there is one. */
  Future<Void> flush() {
    if (inFlight != null) {
      return inFlight.transform(ignored -> flush());
    }
    if (pending.isEmpty()) {
      return Future.succeededFuture();
    }
    cancelTimer();
    Map<String, List<LogChunk>> batch = pending;
    long batchOldest = oldestPendingAt;
    int batchSize = pendingLines;
    pending = new LinkedHashMap<>();
    pendingLines = 0;
    inFlightRuns = batch.keySet();
    inFlightLines = batchSize;
    long started = System.nanoTime();
    // inFlight is set before the write starts: a write that completes at once must still clear it
    Promise<Void> finished = Promise.promise();
    inFlight = finished.future();
    write(batch).onComplete(result -> {
      if (result.succeeded() && view != null) {
        for (Tuple run : result.result().runs()) {
          view.logFlushed(run.getString(2), run.getLong(0), run.getLong(1));
        }
      }
      inFlight = null;
      inFlightRuns = Set.of();
      inFlightLines = 0;
      if (result.succeeded()) {
        committedLines += batchSize;
        if (onCommitted != null) {
          onCommitted.accept(committedLines);
        }
        long took = System.nanoTime() - started;
        lastFlushMs = took / 1_000_000;
        metrics.batchWritten(batchSize, took);
        retryNotBefore = 0;
        if (failuresInRow > 0) {
          LOG.info("log lines are written again after {} failed flush(es); {} lines still wait", failuresInRow,
              pendingLines);
          failuresInRow = 0;
        }
        if (files != null) {
          files.append(batch);
        }
      } else {
        if (failuresInRow++ == 0) {
          if (DiskSpace.isDiskFull(result.cause())) {
            LOG.error("log flush of {} lines failed, the disk is full: keeping them (at most {}) to write once it"
                + " has room again", batchSize, maxBufferedLines);
          } else {
            LOG.error("log flush of {} runs failed; keeping the lines to retry", batch.size(), result.cause());
          }
        }
        requeue(batch, batchOldest);
        // while the disk is full, the database says when it has room again
        retryNotBefore = System.currentTimeMillis() + (db.diskFull() ? 60_000 : flushIntervalMs);
      }
      finished.handle(result.mapEmpty());
      afterFlush(result.succeeded());
    });
    return finished.future();
  }

  /** Stops the timer, writes everything still pending and frees the codec's native memory. */
  Future<Void> close() {
    closed = true;
    cancelTimer();
    return flush().eventually(() -> {
      codec.close();
      return Future.succeededFuture();
    });
  }

  private void afterFlush(boolean succeeded) {
    if (closed || pendingLines == 0) {
      return;
    }
    if (succeeded && pendingLines >= batchLines) {
      flush();
    } else {
      armTimer();
    }
  }

  private void requeue(Map<String, List<LogChunk>> batch, long batchOldest) {
    Map<String, List<LogChunk>> merged = new LinkedHashMap<>(batch);
    int lines = 0;
    for (List<LogChunk> chunks : batch.values()) {
      lines += countLines(chunks);
    }
    for (Map.Entry<String, List<LogChunk>> entry : pending.entrySet()) {
      merged.computeIfAbsent(entry.getKey(), id -> new ArrayList<>()).addAll(entry.getValue());
    }
    pending = merged;
    pendingLines += lines;
    oldestPendingAt = batchOldest;
  }

  private void armTimer() {
    if (closed || timerId != -1 || pendingLines == 0) {
      return;
    }
    long due = Math.max(oldestPendingAt + flushIntervalMs, retryNotBefore);
    long delay = Math.max(1, due - System.currentTimeMillis());
    timerId = vertx.setTimer(delay, id -> {
      timerId = -1;
      flush();
    });
  }

  private void cancelTimer() {
    if (timerId != -1) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  /**
   * Encoding runs on a worker: it costs 50-150 ns a line, and a batch holds whatever arrived during
   * the previous write (up to runs.max_unwritten_lines after a stall), too much for the event loop.
   * One flush at a time, so the codec is used by one thread at a time.
   */
  private Future<Rows> write(Map<String, List<LogChunk>> batch) {
    if (db.diskFull()) {
      return Future.failedFuture(db.diskFullRefusal());
    }
    return vertx.executeBlocking(() -> rows(batch), false)
        .compose(rows -> db.writeBatches(vertx, List.of(new Database.Batch(insertChunk, rows.chunks()),
            new Database.Batch(updateRun, rows.runs()))).map(rows));
  }

  /** The log_chunks rows of a batch and the runs updates that go with them. */
  private record Rows(List<Tuple> chunks, List<Tuple> runs) {
  }

  private Rows rows(Map<String, List<LogChunk>> batch) {
    List<Tuple> chunks = new ArrayList<>();
    List<Tuple> runs = new ArrayList<>(batch.size());
    for (Map.Entry<String, List<LogChunk>> entry : batch.entrySet()) {
      long bytes = 0;
      long lastSeq = 0;
      for (LogChunk chunk : entry.getValue()) {
        bytes += chunk.bytes();
        lastSeq = Math.max(lastSeq, chunk.lastSeq());
      }
      chunks.addAll(rowsOf(entry.getKey(), entry.getValue(), codec));
      runs.add(Tuple.of(lastSeq, bytes, entry.getKey()));
    }
    // in id order, as the run writer saves runs rows (see RunWriter.write): no deadlock on PostgreSQL
    runs.sort(java.util.Comparator.comparing(row -> row.getString(2)));
    return new Rows(chunks, runs);
  }

  /**
   * Packs a run's lines into as few rows as possible: a row holds consecutive seqs, at most
   * {@link #ROW_MAX_LINES} lines and about {@link #ROW_MAX_BYTES}. A chunk's byte count goes to
   * the row holding its first line.
   */
  static List<Tuple> rowsOf(String runId, List<LogChunk> chunks, LogBlobCodec codec) {
    List<Tuple> rows = new ArrayList<>();
    List<LogLine> lines = new ArrayList<>();
    long rowBytes = 0;
    long rowSize = 0;
    long lastSeq = 0;
    for (LogChunk chunk : chunks) {
      boolean first = true;
      for (LogLine line : chunk.lines()) {
        boolean gap = !lines.isEmpty() && line.seq() != lastSeq + 1;
        if (gap || lines.size() >= ROW_MAX_LINES || rowSize >= ROW_MAX_BYTES) {
          rows.add(row(runId, lines, rowBytes, codec));
          lines.clear();
          rowBytes = 0;
          rowSize = 0;
        }
        if (first) {
          rowBytes += chunk.bytes();
          first = false;
        }
        lines.add(line);
        lastSeq = line.seq();
        rowSize += line.utf8Length() + LINE_OVERHEAD;
      }
    }
    if (!lines.isEmpty()) {
      rows.add(row(runId, lines, rowBytes, codec));
    }
    return rows;
  }

  private static Tuple row(String runId, List<LogLine> lines, long bytes, LogBlobCodec codec) {
    return Tuple.of(runId, lines.get(0).seq(), lines.get(lines.size() - 1).seq(), lines.size(),
        bytes, codec.encode(lines));
  }

  private static int countLines(List<LogChunk> chunks) {
    int lines = 0;
    for (LogChunk chunk : chunks) {
      lines += chunk.lines().size();
    }
    return lines;
  }
}
