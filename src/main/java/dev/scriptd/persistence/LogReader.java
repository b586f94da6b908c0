package dev.scriptd.persistence;

import dev.scriptd.bus.LogPage;
import dev.scriptd.domain.LogLine;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/** Reads stored lines back from {@code log_chunks}, a few rows per query. */
final class LogReader {
  private static final int ROWS_PER_QUERY = 8;
  private static final String SELECT = "SELECT first_seq, last_seq, data FROM log_chunks "
      + "WHERE run_id = ? AND last_seq > ? ORDER BY first_seq LIMIT ?";

  private final Pool reader;
  /** Used only on the verticle's context, where the query results arrive. */
  private final LogBlobCodec codec = new LogBlobCodec();

  LogReader(Pool reader) {
    this.reader = reader;
  }

  /** Lines with seq > afterSeq, in order, at most limit. */
  Future<LogPage> read(String runId, long afterSeq, int limit) {
    return next(runId, afterSeq, afterSeq, limit, new ArrayList<>());
  }

  private Future<LogPage> next(String runId, long afterSeq, long rowsAfter, int limit,
      List<LogLine> found) {
    return reader.preparedQuery(SELECT).execute(Tuple.of(runId, rowsAfter, ROWS_PER_QUERY))
        .compose(rows -> {
          long lastRowSeq = collect(rows, afterSeq, limit, found);
          if (found.size() >= limit || rows.size() < ROWS_PER_QUERY) {
            long nextSince = found.isEmpty() ? afterSeq : found.get(found.size() - 1).seq();
            return Future.succeededFuture(new LogPage(found, nextSince));
          }
          return next(runId, afterSeq, lastRowSeq, limit, found);
        });
  }

  /** Frees the codec's native memory. */
  void close() {
    codec.close();
  }

  private long collect(RowSet<Row> rows, long afterSeq, int limit, List<LogLine> found) {
    long lastRowSeq = afterSeq;
    for (Row row : rows) {
      lastRowSeq = Math.max(lastRowSeq, row.getLong("last_seq"));
      long floor = found.isEmpty() ? afterSeq : found.get(found.size() - 1).seq();
      for (LogLine line : codec.decode(bytes(row.getValue("data")), row.getLong("first_seq"))) {
        if (found.size() >= limit) {
          return lastRowSeq;
        }
        if (line.seq() > floor) {
          found.add(line);
          floor = line.seq();
        }
      }
    }
    return lastRowSeq;
  }

  private static byte[] bytes(Object value) {
    if (value instanceof Buffer buffer) {
      return buffer.getBytes();
    }
    if (value instanceof byte[] array) {
      return array;
    }
    throw new IllegalStateException("log_chunks.data is " + (value == null ? "null" : value.getClass()));
  }
}
