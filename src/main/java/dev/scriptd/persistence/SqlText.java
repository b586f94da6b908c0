package dev.scriptd.persistence;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Statements are written once, with JDBC's {@code ?} placeholders, for both databases; PostgreSQL
 * numbers its parameters ({@code $1, $2, ...}). {@link #rewrite(String)} turns the one into the other,
 * leaving alone a {@code ?} inside a string literal ({@code '...'}, {@code E'...'}, {@code $tag$...$tag$}),
 * a quoted identifier ({@code "..."}) or a comment ({@code --} to the end of the line, {@code /* *}{@code /},
 * which nest in PostgreSQL). {@code ??} stands for a literal {@code ?} (the JSON operators), as in JDBC.
 *
 * <p>The statements are a fixed set of texts plus the few shapes a filter builds, so each rewritten text
 * is kept; past {@code capacity} distinct texts, new ones are rewritten each time, so memory stays bounded.
 */
final class SqlText {
  private final int capacity;
  private final Map<String, String> cache = new ConcurrentHashMap<>();

  SqlText(int capacity) {
    this.capacity = capacity;
  }

  /** {@link #rewrite(String)}, remembered for up to {@code capacity} distinct texts. */
  String postgres(String sql) {
    String known = cache.get(sql);
    if (known != null) {
      return known;
    }
    String rewritten = rewrite(sql);
    if (cache.size() < capacity) {
      cache.putIfAbsent(sql, rewritten);
    }
    return rewritten;
  }

  /** The number of texts remembered (for tests). */
  int cached() {
    return cache.size();
  }

  /** The statement with its {@code ?} placeholders numbered {@code $1, $2, ...} in order. */
  static String rewrite(String sql) {
    if (sql.indexOf('?') < 0) {
      return sql;
    }
    StringBuilder out = new StringBuilder(sql.length() + 16);
    int n = sql.length();
    int parameter = 0;
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      int end;
      if (c == '\'') {
        boolean escapes = i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
            && (i == 1 || !identifierPart(sql.charAt(i - 2)));
        end = quoted(sql, i, '\'', escapes);
      } else if (c == '"') {
        end = quoted(sql, i, '"', false);
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int newline = sql.indexOf('\n', i);
        end = newline < 0 ? n : newline + 1;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        end = blockComment(sql, i);
      } else if (c == '$' && (i == 0 || !identifierPart(sql.charAt(i - 1)))) {
        end = dollarQuoted(sql, i);
      } else if (c == '?') {
        if (i + 1 < n && sql.charAt(i + 1) == '?') {
          out.append('?');
          i += 2;
        } else {
          out.append('$').append(++parameter);
          i++;
        }
        continue;
      } else {
        end = i + 1;
      }
      out.append(sql, i, end);
      i = end;
    }
    return out.toString();
  }

  /** The index after the quote that closes the one at {@code start}; a doubled quote is part of the text. */
  private static int quoted(String sql, int start, char quote, boolean backslashEscapes) {
    int i = start + 1;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (backslashEscapes && c == '\\') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return sql.length();
  }

  private static int blockComment(String sql, int start) {
    int depth = 0;
    int i = start;
    while (i < sql.length()) {
      if (sql.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (sql.startsWith("*/", i)) {
        depth--;
        i += 2;
        if (depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return sql.length();
  }

  /**
   * At a {@code $}: the end of a dollar-quoted string ({@code $$...$$}, {@code $tag$...$tag$}); a
   * {@code $} that opens none (such as {@code $1}) is one character.
   */
  private static int dollarQuoted(String sql, int start) {
    int i = start + 1;
    if (i < sql.length() && Character.isDigit(sql.charAt(i))) {
      return start + 1;
    }
    while (i < sql.length() && identifierPart(sql.charAt(i))) {
      i++;
    }
    if (i >= sql.length() || sql.charAt(i) != '$') {
      return start + 1;
    }
    String tag = sql.substring(start, i + 1);
    int close = sql.indexOf(tag, i + 1);
    return close < 0 ? sql.length() : close + tag.length();
  }

  private static boolean identifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }
}
