package dev.scriptd.persistence;

import dev.scriptd.domain.LogLine;
import io.vertx.pgclient.PgException;
import java.util.List;

/**
 * The pieces of SQL that SQLite and PostgreSQL spell differently, side by side, so the stores write
 * each statement once. Placeholders stay JDBC {@code ?} in both (PostgreSQL's pool rewrites them).
 */
final class SqlDialect {
  static final SqlDialect SQLITE = new SqlDialect(false);
  static final SqlDialect POSTGRES = new SqlDialect(true);

  private final boolean postgres;

  private SqlDialect(boolean postgres) {
    this.postgres = postgres;
  }

  boolean postgres() {
    return postgres;
  }

  /** The larger of two values: SQLite's scalar {@code MAX(a, b)}, PostgreSQL's {@code GREATEST}. */
  String greatest(String a, String b) {
    return (postgres ? "GREATEST(" : "MAX(") + a + ", " + b + ")";
  }

  /** The smaller of two values: SQLite's scalar {@code MIN(a, b)}, PostgreSQL's {@code LEAST}. */
  String least(String a, String b) {
    return (postgres ? "LEAST(" : "MIN(") + a + ", " + b + ")";
  }

  /**
   * An insert that skips a row whose key is taken; {@code rest} is what follows {@code INTO}
   * (table, columns, values).
   */
  String insertOrIgnore(String rest) {
    return postgres ? "INSERT INTO " + rest + " ON CONFLICT DO NOTHING" : "INSERT OR IGNORE INTO " + rest;
  }

  /** The integer at top-level {@code key} of a JSON text (NULL when absent). */
  String jsonLong(String json, String key) {
    return postgres ? "((" + json + ")::jsonb ->> '" + key + "')::bigint" : "json_extract(" + json + ", '$." + key + "')";
  }

  /**
   * Whether the JSON array text {@code array} holds an object whose {@code field} is one of two
   * parameters (two {@code ?}).
   */
  String jsonArrayHasField(String array, String field) {
    return postgres
        ? "EXISTS (SELECT 1 FROM jsonb_array_elements((" + array + ")::jsonb) t WHERE t.value ->> '" + field
            + "' IN (?, ?))"
        : "EXISTS (SELECT 1 FROM json_each(" + array + ") t WHERE json_extract(t.value, '$." + field
            + "') IN (?, ?))";
  }

  /**
   * Log search: the candidate documents ({@code doc}) for one parameter, {@link #searchParameter},
   * plus the chunks not indexed yet. SQLite: its FTS5 trigram table; PostgreSQL: a pg_trgm index.
   */
  String searchCandidateDocs() {
    return postgres ? PostgresSearchSql.CANDIDATE_DOCS
        : "SELECT rowid AS doc FROM log_search WHERE log_search MATCH ? "
            + "UNION ALL SELECT doc FROM log_search_docs WHERE indexed = 0";
  }

  /** The parameter of {@link #searchCandidateDocs} for a search text: an FTS5 query, or a LIKE pattern. */
  String searchParameter(String text) {
    return postgres ? PostgresSearchSql.pattern(text) : LogSearch.match(text);
  }

  /** The indexed document of a chunk's lines. */
  String searchDocument(List<LogLine> lines) {
    return postgres ? PostgresSearchSql.document(lines) : LogSearch.document(lines);
  }

  /**
   * Writes a chunk's document (parameters: the document, its doc number), only while the chunk is
   * still there: a delete meanwhile took its doc row along.
   */
  String searchInsert() {
    return postgres ? PostgresSearchSql.INSERT_DOCUMENT
        : "INSERT OR REPLACE INTO log_search (rowid, text) SELECT doc, ? FROM log_search_docs WHERE doc = ? AND indexed = 0";
  }

  /**
   * Whether {@code error} is a unique-key violation on {@code table.column}: SQLite names both in
   * its message; PostgreSQL gives SQLSTATE 23505, the table, and "Key (column)=..." as detail.
   */
  boolean uniqueViolation(Throwable error, String table, String column) {
    if (postgres) {
      return error instanceof PgException pg && "23505".equals(pg.getSqlState()) && table.equals(pg.getTable())
          && String.valueOf(pg.getDetail()).startsWith("Key (" + column + ")=");
    }
    String message = String.valueOf(error.getMessage());
    return message.contains("UNIQUE") && message.contains(table + "." + column);
  }

  /**
   * A placeholder in a SELECT list feeding an INSERT: PostgreSQL cannot infer its type from the
   * target column there, so it is cast; SQLite takes the bare {@code ?}.
   */
  String typed(String pgType) {
    return postgres ? "?::" + pgType : "?";
  }
}
