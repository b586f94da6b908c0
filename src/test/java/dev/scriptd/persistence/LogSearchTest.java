package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.RunQuery;
import dev.scriptd.bus.SearchPage;
import dev.scriptd.bus.SearchQuery;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Search index: one document per stored chunk, kept in step with deletes, backfilled for older chunks")
class LogSearchTest extends PersistenceTestBase {

  private SearchPage search(String text, int limit, String cursor) {
    return request(Addresses.DB_SEARCH_LOGS, new SearchQuery(text, new RunQuery(null, null, null, null, limit, cursor)));
  }

  @Test
  @DisplayName("a chunk's document is its lines without escapes, one per line")
  void documentStripsEscapes() {
    List<LogLine> lines = List.of(new LogLine(1, T0, LogStream.STDOUT, "a \u001b[31mred\u001b[0m b"),
        new LogLine(2, T0, LogStream.STDERR, "plain"));
    assertEquals("a red b\nplain", LogSearch.document(lines));
  }

  @Test
  @DisplayName("a line matches when its text without escapes contains the needle in any case")
  void matchingIgnoresEscapesAndCase() {
    assertTrue(LogSearch.matches("x \u001b[1mFoo\u001b[0mBar y", "foobar"));
    assertFalse(LogSearch.matches("foo bar", "foobar"));
  }

  @Test
  @DisplayName("the FTS query asks for every trigram of the text, lower-cased and quoted, so no query syntax gets through")
  void matchQuotesEachTrigram() {
    assertEquals("\"say\" AND \"ay \" AND \"y \"\"\" AND \" \"\"x\"", LogSearch.match("Say \"x"));
    assertEquals("\"aaa\"", LogSearch.match("aaaaa"));
    String longText = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    assertEquals(LogSearch.MAX_TRIGRAMS, LogSearch.match(longText).split(" AND ").length);
  }

  @Test
  @DisplayName("a cursor keeps the run's time, id and seq; anything else is refused")
  void cursorRoundTrips() {
    LogSearch.Position position = new LogSearch.Position(T0, "run:with:colons", 42);
    assertEquals(position, LogSearch.Position.decode(position.encode()));
    assertThrows(IllegalArgumentException.class, () -> LogSearch.Position.decode("bm9wZQ"));
  }

  /** Polls until the indexer, which trails the log writer, has indexed every stored chunk. */
  private void awaitIndexed() throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (queryLong("SELECT count(*) FROM log_search_docs WHERE indexed = 0") > 0) {
      if (System.nanoTime() > deadline) {
        fail("the search indexer did not index the stored chunks within 10 s");
      }
      LockSupport.parkNanos(20_000_000L);
    }
  }

  @Test
  @DisplayName("stored chunks get one document each, and deleting the run deletes its documents")
  void deleteTakesTheDocumentsAlong() throws Exception {
    Run run = save(runningRun(T0));
    append(chunk(run.id(), 1, 10));
    readLogs(run.id(), 0, 1); // waits for the write
    append(chunk(run.id(), 11, 10));
    readLogs(run.id(), 0, 1);
    awaitIndexed();
    assertEquals(2, queryLong("SELECT count(*) FROM log_search_docs WHERE run_id = '" + run.id() + "'"));
    assertEquals(2, queryLong("SELECT count(*) FROM log_search WHERE log_search MATCH '\"ine\"'"));
    assertEquals(List.of(1L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L),
        search("LINE 1", 100, null).items().stream().map(hit -> hit.line().seq()).toList());
    save(run.ended(RunStatus.COMPLETED, 0, null, null, Instant.ofEpochMilli(T0 + 9)));

    assertNull(request(Addresses.DB_DELETE_RUN, run.id()));

    assertEquals(0, queryLong("SELECT count(*) FROM log_search_docs"));
    assertEquals(0, queryLong("SELECT count(*) FROM log_search WHERE log_search MATCH '\"ine\"'"));
    assertEquals(List.of(), search("line 1", 100, null).items());
  }

  @Test
  @DisplayName("chunks stored before the index existed are found at once and indexed in the background after start")
  void olderChunksAreBackfilled() throws Exception {
    Run run = save(runningRun(T0));
    append(chunk(run.id(), 1, 30));
    readLogs(run.id(), 0, 1);
    await(vertx.undeploy(deploymentId));
    // as the migration leaves a database written before it: documents to write, none written
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + dbFile());
         Statement statement = conn.createStatement()) {
      statement.execute("INSERT INTO log_search (log_search) VALUES ('delete-all')");
      statement.execute("UPDATE log_search_docs SET indexed = 0");
    }
    deploymentId = deploy(new JsonObject());
    assertEquals(21L, search("line 21", 10, null).items().get(0).line().seq());
    awaitIndexed();
    assertEquals(1, queryLong("SELECT count(*) FROM log_search WHERE log_search MATCH '\"e 2\" AND \" 21\"'"));
    assertEquals(21L, search("line 21", 10, null).items().get(0).line().seq());
  }

  @Test
  @DisplayName("a page holds at most limit lines and its cursor continues after the last one")
  void pagesContinueAfterTheLastLine() {
    Run run = save(runningRun(T0));
    append(chunk(run.id(), 1, 30));
    readLogs(run.id(), 0, 1);
    SearchPage first = search("line 2", 4, null);
    assertEquals(List.of(2L, 20L, 21L, 22L), first.items().stream().map(hit -> hit.line().seq()).toList());
    SearchPage second = search("line 2", 4, first.nextCursor());
    assertEquals(List.of(23L, 24L, 25L, 26L), second.items().stream().map(hit -> hit.line().seq()).toList());
    SearchPage last = search("line 2", 4, second.nextCursor());
    assertEquals(List.of(27L, 28L, 29L), last.items().stream().map(hit -> hit.line().seq()).toList());
    assertNull(last.nextCursor());
  }
}
