package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class SqlTextTest {

  @Test
  void placeholdersAreNumberedInOrder() {
    assertEquals("INSERT INTO runs (id, status, created_at) VALUES ($1, $2, $3)",
        SqlText.rewrite("INSERT INTO runs (id, status, created_at) VALUES (?, ?, ?)"));
    assertEquals("SELECT * FROM runs WHERE (created_at, id) < ($1,$2) LIMIT $3",
        SqlText.rewrite("SELECT * FROM runs WHERE (created_at, id) < (?,?) LIMIT ?"));
    assertEquals("SELECT 1", SqlText.rewrite("SELECT 1"));
    assertEquals("INSERT INTO t (doc) SELECT $1::jsonb, x::text FROM u WHERE y = $2",
        SqlText.rewrite("INSERT INTO t (doc) SELECT ?::jsonb, x::text FROM u WHERE y = ?"));
  }

  @Test
  void questionMarksInLiteralsIdentifiersAndCommentsStay() {
    assertEquals("SELECT 'a?b', $1 FROM t WHERE x = 'it''s ?' AND y = $2",
        SqlText.rewrite("SELECT 'a?b', ? FROM t WHERE x = 'it''s ?' AND y = ?"));
    assertEquals("SELECT \"odd?name\", \"say \"\"?\"\"\" FROM t WHERE a = $1",
        SqlText.rewrite("SELECT \"odd?name\", \"say \"\"?\"\"\" FROM t WHERE a = ?"));
    assertEquals("SELECT $1 -- why? because\nFROM t WHERE a = $2",
        SqlText.rewrite("SELECT ? -- why? because\nFROM t WHERE a = ?"));
    assertEquals("SELECT $1 /* outer ? /* nested ? */ still ? */ , $2",
        SqlText.rewrite("SELECT ? /* outer ? /* nested ? */ still ? */ , ?"));
    assertEquals("SELECT $1 -- trailing comment ?", SqlText.rewrite("SELECT ? -- trailing comment ?"));
  }

  @Test
  void escapeStringsAndDollarQuotesAreLiterals() {
    assertEquals("SELECT E'it\\'s ?', $1", SqlText.rewrite("SELECT E'it\\'s ?', ?"));
    // not an escape string: the backslash is a plain character and the quote ends the literal
    assertEquals("SELECT '\\', $1", SqlText.rewrite("SELECT '\\', ?"));
    assertEquals("SELECT $$ a ? $$, $tag$ b ? $$ ? $tag$, $1",
        SqlText.rewrite("SELECT $$ a ? $$, $tag$ b ? $$ ? $tag$, ?"));
  }

  @Test
  void doubledQuestionMarkIsTheLiteralOperator() {
    assertEquals("SELECT doc ? 'key', doc ?| array['a'] FROM t WHERE id = $1",
        SqlText.rewrite("SELECT doc ?? 'key', doc ??| array['a'] FROM t WHERE id = ?"));
  }

  @Test
  void unterminatedQuotesAndCommentsSwallowTheRest() {
    assertEquals("SELECT $1, 'open ?", SqlText.rewrite("SELECT ?, 'open ?"));
    assertEquals("SELECT $1 /* open ?", SqlText.rewrite("SELECT ? /* open ?"));
  }

  @Test
  void rewrittenTextsAreKeptUpToTheCapacity() {
    SqlText texts = new SqlText(2);
    String first = texts.postgres("SELECT ? + 1");
    assertEquals("SELECT $1 + 1", first);
    assertSame(first, texts.postgres("SELECT ? + 1"), "the second call answers from the cache");
    texts.postgres("SELECT ? + 2");
    texts.postgres("SELECT ? + 3");
    texts.postgres("SELECT ? + 4");
    assertEquals(2, texts.cached());
    assertEquals("SELECT $1 + 4", texts.postgres("SELECT ? + 4"), "past the capacity, still rewritten");
  }
}
