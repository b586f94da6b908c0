package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.it.PostgresServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The search statements against a real PostgreSQL with the baseline schema. */
@ExtendWith(VertxExtension.class)
class PostgresSearchSqlTest {
  private static final int CHUNKS = 3000;
  private static final String MARK = "UPDATE log_search_docs SET indexed = 1 WHERE doc = ?";

  private PgConnection conn;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    conn = PgConnection.connect(vertx, PgConnectOptions.fromUri(PostgresServer.shared().newDatabaseUrl()))
        .await(30, TimeUnit.SECONDS);
    PostgresSchemaTest.applyMigrations(conn);
  }

  @AfterEach
  void tearDown() throws Exception {
    conn.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void aSubstringQueryUsesTheTrigramIndexAndFindsTheChunksThatHoldIt() throws Exception {
    // chunk i of run "r<i % 30>": ordinary lines, and a few chunks with the lines searched for below
    List<Tuple> chunks = new ArrayList<>();
    for (int i = 0; i < CHUNKS; i++) {
      chunks.add(Tuple.of("r" + (i % 30), (long) i * 10 + 1, (long) i * 10 + 10, 10L, 100L,
          Buffer.buffer(new byte[] {(byte) i})));
    }
    sql("INSERT INTO log_chunks (run_id, first_seq, last_seq, line_count, byte_count, data) VALUES (?, ?, ?, ?, ?, ?)")
        .executeBatch(chunks).await(30, TimeUnit.SECONDS);
    assertEquals(CHUNKS, count("SELECT count(*) FROM log_search_docs WHERE indexed = 0"),
        "storing a chunk adds its doc row, not indexed yet");

    List<Tuple> documents = new ArrayList<>();
    List<Tuple> marks = new ArrayList<>();
    for (Row row : conn.query("SELECT doc, first_seq FROM log_search_docs ORDER BY doc").execute().await(30, TimeUnit.SECONDS)) {
      long firstSeq = row.getLong("first_seq");
      if (firstSeq == 29_991) {
        continue; // the last chunk stays unindexed, as if the indexer had not reached it
      }
      documents.add(Tuple.of(PostgresSearchSql.document(lines(firstSeq)), row.getLong("doc")));
      marks.add(Tuple.of(row.getLong("doc")));
    }
    sql(PostgresSearchSql.INSERT_DOCUMENT).executeBatch(documents).await(30, TimeUnit.SECONDS);
    sql(MARK).executeBatch(marks).await(30, TimeUnit.SECONDS);
    conn.query("ANALYZE").execute().await(30, TimeUnit.SECONDS);

    String plans = plans(PostgresSearchSql.CANDIDATE_DOCS, PostgresSearchSql.pattern("Disk-Full ON /VAR"));
    assertTrue(plans.contains("Bitmap Index Scan on log_search_text") && !plans.contains("Seq Scan on log_search "),
        "the trigram index answers the substring query (small as the table is):\n" + plans);

    // case-insensitive, across the escapes the document dropped; plus the unindexed chunk
    assertEquals(Set.of(1001L, 29_991L), candidates("Disk-Full ON /VAR"));
    assertEquals(Set.of(1001L, 29_991L), candidates("ull on /v"));
    // LIKE's own characters are plain text: "100%_done" is not "100 of 9 done"
    assertEquals(Set.of(2001L, 29_991L), candidates("100%_done"));
    assertEquals(Set.of(2001L, 29_991L), candidates("\\path\\"));
    assertEquals(Set.of(29_991L), candidates("not in any line"));

    sql("DELETE FROM log_chunks WHERE run_id = ? AND first_seq = ?").execute(Tuple.of("r10", 1001L))
        .await(30, TimeUnit.SECONDS);
    assertEquals(Set.of(29_991L), candidates("disk-full on /var"), "a deleted chunk takes its document along");
    assertEquals(0, count("SELECT count(*) FROM log_search s LEFT JOIN log_search_docs d ON d.doc = s.doc "
        + "WHERE d.doc IS NULL"));
    assertEquals(CHUNKS - 1, count("SELECT count(*) FROM log_search_docs"));
  }

  @Test
  void writingADocumentOfADeletedChunkWritesNothing() throws Exception {
    sql("INSERT INTO log_chunks (run_id, first_seq, last_seq, line_count, byte_count, data) VALUES (?, ?, ?, ?, ?, ?)")
        .execute(Tuple.of("gone", 1L, 10L, 10L, 100L, Buffer.buffer("x"))).await(30, TimeUnit.SECONDS);
    long doc = count("SELECT doc FROM log_search_docs WHERE run_id = 'gone'");
    sql("DELETE FROM log_chunks WHERE run_id = ?").execute(Tuple.of("gone")).await(30, TimeUnit.SECONDS);

    sql(PostgresSearchSql.INSERT_DOCUMENT).execute(Tuple.of("some text", doc)).await(30, TimeUnit.SECONDS);

    assertEquals(0, count("SELECT count(*) FROM log_search"));
  }

  @Test
  void patternsEscapeLikeCharactersAndLowerCase() {
    assertEquals("%abc%", PostgresSearchSql.pattern("AbC"));
    assertEquals("%100\\%\\_done \\\\x%", PostgresSearchSql.pattern("100%_done \\x"));
    assertEquals("red\nplain", PostgresSearchSql.document(List.of(
        new LogLine(1, 0, LogStream.STDOUT, "\u001b[31mRED\u001b[0m"),
        new LogLine(2, 0, LogStream.STDOUT, "Plain"))));
    assertFalse(PostgresSearchSql.document(List.of(new LogLine(1, 0, LogStream.STDOUT, "\u001b[1mX"))).contains("["));
  }

  /** Ten lines; the chunk at 1001 mentions a full disk (in colour), the one at 2001 some literal % and _. */
  private static List<LogLine> lines(long firstSeq) {
    List<LogLine> lines = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String text = "step " + (firstSeq + i) + " checksum " + Long.toHexString((firstSeq + i) * 7919) + " ok";
      if (firstSeq == 1001 && i == 4) {
        text = "error: \u001b[31mDISK-FULL\u001b[0m on /var/lib";
      } else if (firstSeq == 2001 && i == 7) {
        text = "progress 100%_done at C:\\path\\file";
      } else if (firstSeq == 2011 && i == 2) {
        text = "progress 100 of 9 done";
      }
      lines.add(new LogLine(firstSeq + i, 0, LogStream.STDOUT, text));
    }
    return lines;
  }

  private Set<Long> candidates(String text) throws Exception {
    Set<Long> firstSeqs = new TreeSet<>();
    for (Row row : sql("SELECT d.first_seq FROM (" + PostgresSearchSql.CANDIDATE_DOCS + ") m "
        + "JOIN log_search_docs d ON d.doc = m.doc").execute(Tuple.of(PostgresSearchSql.pattern(text)))
        .await(30, TimeUnit.SECONDS)) {
      firstSeqs.add(row.getLong(0));
    }
    return firstSeqs;
  }

  /**
   * The plans of the query and of the statements it runs inside functions, as auto_explain reports
   * them (here as notices to this connection; the test server's user is a superuser, so it may LOAD it).
   */
  private String plans(String query, Object parameter) throws Exception {
    StringBuilder plans = new StringBuilder();
    conn.noticeHandler(notice -> plans.append(notice.getMessage()).append('\n'));
    for (String setting : List.of("LOAD 'auto_explain'", "SET auto_explain.log_min_duration = 0",
        "SET auto_explain.log_nested_statements = on", "SET auto_explain.log_level = notice")) {
      conn.query(setting).execute().await(30, TimeUnit.SECONDS);
    }
    sql(query).execute(Tuple.of(parameter)).await(30, TimeUnit.SECONDS);
    conn.query("SET auto_explain.log_min_duration = -1").execute().await(30, TimeUnit.SECONDS);
    return plans.toString();
  }

  private io.vertx.sqlclient.PreparedQuery<io.vertx.sqlclient.RowSet<Row>> sql(String jdbcText) {
    return conn.preparedQuery(SqlText.rewrite(jdbcText));
  }

  private long count(String query) throws Exception {
    return conn.query(query).execute().await(30, TimeUnit.SECONDS).iterator().next().getLong(0);
  }
}
