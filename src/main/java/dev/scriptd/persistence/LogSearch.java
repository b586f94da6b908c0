package dev.scriptd.persistence;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.RunQuery;
import dev.scriptd.bus.SearchPage;
import dev.scriptd.bus.SearchQuery;
import dev.scriptd.domain.Ansi;
import dev.scriptd.domain.LogLine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Search of stored lines. The full-text index ({@code log_search}, trigram) holds one document per
 * {@code log_chunks} row, so it names the chunks that may hold a match (those with every trigram of
 * the text; and every chunk the indexer, which trails the log writer, has not indexed yet), in the order of the
 * answer (newest run first, then by seq); each candidate chunk is decoded and its lines scanned,
 * which confirms the match and finds its lines. Candidates come a few chunks per query, and a page
 * scans at most {@link #MAX_CHUNKS_PER_PAGE} of them: a page can end short of the limit, with a cursor
 * to go on from, but its work is bounded.
 */
final class LogSearch {
  static final int MIN_LENGTH = 3;
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 1000;
  static final int MAX_CHUNKS_PER_PAGE = 2000;
  private static final int CANDIDATES_PER_QUERY = 8;
  static final int MAX_TRIGRAMS = 32;

  private final Vertx vertx;
  private final Pool reader;
  private final SqlDialect dialect;

  LogSearch(Vertx vertx, Pool reader, SqlDialect dialect) {
    this.vertx = vertx;
    this.reader = reader;
    this.dialect = dialect;
  }

  /** The search document of a chunk's lines: each line without escapes, one per line. */
  static String document(List<LogLine> lines) {
    StringBuilder text = new StringBuilder();
    for (LogLine line : lines) {
      if (!text.isEmpty()) {
        text.append('\n');
      }
      text.append(Ansi.strip(line.text()));
    }
    return text.toString();
  }

  /**
   * The FTS5 query for the documents that hold every trigram of the text (the index keeps no
   * positions, so it cannot ask for them in a row: the scan of the chunk checks that). Each trigram
   * is quoted, inner quotes doubled, so no query syntax gets through; at most {@link #MAX_TRIGRAMS}
   * distinct ones, spread over the text: more would only narrow a candidate list that is short by then.
   */
  static String match(String text) {
    int[] points = text.toLowerCase(Locale.ROOT).codePoints().toArray();
    java.util.LinkedHashSet<String> trigrams = new java.util.LinkedHashSet<>();
    for (int i = 0; i + 3 <= points.length; i++) {
      trigrams.add(new String(points, i, 3));
    }
    List<String> all = new ArrayList<>(trigrams);
    StringBuilder query = new StringBuilder();
    int take = Math.min(all.size(), MAX_TRIGRAMS);
    for (int k = 0; k < take; k++) {
      String trigram = all.get(take == all.size() ? k : (int) ((long) k * (all.size() - 1) / (take - 1)));
      if (!query.isEmpty()) {
        query.append(" AND ");
      }
      query.append('"').append(trigram.replace("\"", "\"\"")).append('"');
    }
    return query.toString();
  }

  /** Whether a stored line, escapes stripped, contains the lower-cased needle. */
  static boolean matches(String line, String needle) {
    return Ansi.strip(line).toLowerCase(Locale.ROOT).contains(needle);
  }

  /** Where a page stops: after the line {@code seq} of the run {@code runId} (created at createdAt). */
  record Position(long createdAt, String runId, long seq) {
    String encode() {
      String plain = createdAt + ":" + seq + ":" + runId;
      return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses {@link #encode()}'s form; throws IllegalArgumentException otherwise. */
    static Position decode(String cursor) {
      String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      String[] parts = plain.split(":", 3);
      if (parts.length != 3 || parts[2].isEmpty()) {
        throw new IllegalArgumentException("cursor has no position");
      }
      return new Position(Long.parseLong(parts[0]), parts[2], Long.parseLong(parts[1]));
    }
  }

  /** The candidate query: chunk keys in answer order (a subquery, so only those read their data). */
  static String candidates(SqlDialect dialect, RunQuery runs, Position after, Tuple params, String match) {
    StringBuilder sql = new StringBuilder("SELECT k.run_id, k.first_seq, k.last_seq, k.created_at, "
        + "k.script_id, c.data FROM (SELECT d.run_id, d.first_seq, d.last_seq, created_at, script_id "
        + "FROM (" + dialect.searchCandidateDocs() + ") m "
        + "JOIN log_search_docs d ON d.doc = m.doc JOIN runs r ON r.id = d.run_id WHERE 1 = 1");
    params.addString(match);
    RunRows.filters(runs, sql, params, false);
    if (after != null) {
      sql.append(" AND ((r.created_at, r.id) < (?, ?) OR (d.run_id = ? AND d.last_seq > ?))");
      params.addLong(after.createdAt()).addString(after.runId()).addString(after.runId()).addLong(after.seq());
    }
    sql.append(" ORDER BY r.created_at DESC, r.id DESC, d.first_seq LIMIT ?) k "
        + "JOIN log_chunks c ON c.run_id = k.run_id AND c.first_seq = k.first_seq "
        + "ORDER BY k.created_at DESC, k.run_id DESC, k.first_seq");
    params.addInteger(CANDIDATES_PER_QUERY);
    return sql.toString();
  }

  Future<SearchPage> search(SearchQuery query) {
    Position after;
    try {
      after = query.runs().cursor() == null ? null : Position.decode(query.runs().cursor());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new BusFailure(ReplyCodes.BAD_REQUEST,
          "cursor is not valid; pass back the next_cursor of a previous page"));
    }
    if (query.text().codePointCount(0, query.text().length()) < MIN_LENGTH) {
      return Future.failedFuture(new BusFailure(ReplyCodes.BAD_REQUEST,
          "q must have at least " + MIN_LENGTH + " characters"));
    }
    int limit = query.runs().limit() <= 0 ? DEFAULT_LIMIT : Math.min(query.runs().limit(), MAX_LIMIT);
    Scan scan = new Scan(query, limit, dialect.searchParameter(query.text()));
    return next(scan, after).eventually(() -> {
      scan.codec.close();
      return Future.succeededFuture();
    });
  }

  /** The state of one page's search; its codec is used by one thread at a time, step after step. */
  private static final class Scan {
    final SearchQuery query;
    final String needle;
    final String match;
    final int limit;
    final List<SearchPage.Hit> hits = new ArrayList<>();
    final List<Position> positions = new ArrayList<>();
    final LogBlobCodec codec = new LogBlobCodec();
    int chunks;

    Scan(SearchQuery query, int limit, String match) {
      this.query = query;
      this.needle = query.text().toLowerCase(Locale.ROOT);
      this.match = match;
      this.limit = limit;
    }
  }

  private Future<SearchPage> next(Scan scan, Position after) {
    Tuple params = Tuple.tuple();
    String sql = candidates(dialect, scan.query.runs(), after, params, scan.match);
    return reader.preparedQuery(sql).execute(params)
        .compose(rows -> vertx.executeBlocking(() -> collect(scan, rows, after), false))
        .compose(reached -> {
          if (scan.hits.size() > scan.limit) {
            Position last = scan.positions.get(scan.limit - 1);
            return Future.succeededFuture(new SearchPage(scan.hits.subList(0, scan.limit), last.encode()));
          }
          if (reached == null) {
            return Future.succeededFuture(new SearchPage(scan.hits, null));
          }
          if (scan.chunks >= MAX_CHUNKS_PER_PAGE) {
            return Future.succeededFuture(new SearchPage(scan.hits, reached.encode()));
          }
          return next(scan, reached);
        });
  }

  /**
   * Scans a batch of candidate chunks; returns the position after the last chunk scanned, or null
   * when the batch was the last one.
   */
  private static Position collect(Scan scan, RowSet<Row> rows, Position after) {
    Position reached = null;
    for (Row row : rows) {
      String runId = row.getString("run_id");
      long createdAt = row.getLong("created_at");
      String scriptId = row.getString("script_id");
      long floor = after != null && runId.equals(after.runId()) ? after.seq() : 0;
      for (LogLine line : scan.codec.decode(bytes(row.getValue("data")), row.getLong("first_seq"))) {
        if (line.seq() > floor && matches(line.text(), scan.needle)) {
          scan.hits.add(new SearchPage.Hit(runId, scriptId, line));
          scan.positions.add(new Position(createdAt, runId, line.seq()));
          if (scan.hits.size() > scan.limit) {
            return reached;
          }
        }
      }
      scan.chunks++;
      reached = new Position(createdAt, runId, row.getLong("last_seq"));
    }
    return rows.size() < CANDIDATES_PER_QUERY ? null : reached;
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
