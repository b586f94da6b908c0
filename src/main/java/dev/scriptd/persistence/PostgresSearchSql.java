package dev.scriptd.persistence;

import dev.scriptd.domain.LogLine;
import java.util.List;
import java.util.Locale;

/**
 * What search needs on PostgreSQL, where the FTS5 trigram table of SQLite is a plain table
 * {@code log_search (doc, text)} under a pg_trgm GIN index ({@code log_search_text}), read through
 * the function {@code log_search_matching(pattern)} so that the planner never prefers a sequential
 * scan (which would decompress every document). The
 * document is stored lower-cased by the server and searched with a case-sensitive {@code LIKE}
 * of the lower-cased text, so the candidates are exactly the chunks whose lines, lower-cased the way
 * {@link LogSearch#matches} does, contain the text, whatever the database's locale. The index
 * answers {@code LIKE '%text%'} from the text's trigrams and PostgreSQL rechecks each row, so no
 * matching chunk is left out; as on SQLite, the scan of each candidate chunk finds the lines.
 * A text without three letters or digits in a row gives pg_trgm no trigram to look up: such a
 * search reads every document (correct, slower).
 */
final class PostgresSearchSql {
  /**
   * The candidate documents (one column, {@code doc}): those containing the text, plus every chunk
   * the indexer has not written yet. Takes the place of SQLite's
   * {@code SELECT rowid AS doc FROM log_search WHERE log_search MATCH ? UNION ALL ...}; its
   * parameter is {@link #pattern(String)}.
   */
  static final String CANDIDATE_DOCS = "SELECT doc FROM log_search_matching(?) AS m(doc) "
      + "UNION ALL SELECT doc FROM log_search_docs WHERE indexed = 0";

  /**
   * Writes a chunk's document, only while the chunk is still there (a delete meanwhile took its
   * doc row along); parameters: {@link #document(List)}, doc. Takes the place of SQLite's
   * {@code INSERT OR REPLACE INTO log_search (rowid, text) ...}.
   */
  static final String INSERT_DOCUMENT = "INSERT INTO log_search (doc, text) "
      + "SELECT doc, ? FROM log_search_docs WHERE doc = ? AND indexed = 0 "
      + "ON CONFLICT (doc) DO UPDATE SET text = excluded.text";

  private PostgresSearchSql() {
  }

  /** The document of a chunk's lines: {@link LogSearch#document(List)}, lower-cased. */
  static String document(List<LogLine> lines) {
    return LogSearch.document(lines).toLowerCase(Locale.ROOT);
  }

  /**
   * The LIKE pattern for the documents that contain the text anywhere: lower-cased, with LIKE's
   * own characters ({@code %}, {@code _} and the escape {@code \}) escaped.
   */
  static String pattern(String text) {
    String needle = text.toLowerCase(Locale.ROOT);
    StringBuilder pattern = new StringBuilder(needle.length() + 8).append('%');
    for (int i = 0; i < needle.length(); i++) {
      char c = needle.charAt(i);
      if (c == '%' || c == '_' || c == '\\') {
        pattern.append('\\');
      }
      pattern.append(c);
    }
    return pattern.append('%').toString();
  }
}
