package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group commit of run rows against a real SQLite file. A trigger-fed {@code history} table
 * records every row write (and every log row) in commit order, so the order tests see what SQLite
 * stored, not what the writer meant to do.
 */
@ExtendWith(VertxExtension.class)
class RunWriterTest {
  private static final long T0 = 1_763_900_000_000L;

  @TempDir
  Path tempDir;
  private Vertx vertx;
  private Context context;
  private SqliteDatabase db;
  private LogBatcher batcher;
  private RunWriter writer;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    // the log batcher holds its lines until asked: a save must flush them itself
    JsonObject config = new JsonObject().put("data_dir", tempDir.toString())
        .put("persistence", new JsonObject().put("batch_lines", 1_000_000).put("flush_interval_ms", 60_000));
    ScriptdConfig.Storage storage = ScriptdConfig.fromJson(config).storage();
    db = onContext(() -> SqliteDatabase.open(vertx, storage));
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db.file());
        Statement statement = conn.createStatement()) {
      statement.execute("CREATE TABLE history (seq INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT, run_id TEXT, status TEXT)");
      statement.execute("CREATE TRIGGER run_inserted AFTER INSERT ON runs BEGIN "
          + "INSERT INTO history (what, run_id, status) VALUES ('row', NEW.id, NEW.status); END");
      statement.execute("CREATE TRIGGER run_updated AFTER UPDATE OF status ON runs BEGIN "
          + "INSERT INTO history (what, run_id, status) VALUES ('row', NEW.id, NEW.status); END");
      statement.execute("CREATE TRIGGER lines_inserted AFTER INSERT ON log_chunks BEGIN "
          + "INSERT INTO history (what, run_id, status) VALUES ('lines', NEW.run_id, NULL); END");
      statement.execute("CREATE TRIGGER refuse_boom BEFORE INSERT ON runs WHEN NEW.command = 'boom' BEGIN "
          + "SELECT RAISE(ABORT, 'the test refuses boom'); END");
    }
    startWriter(config, new ScriptdConfig.RunWrites(256, 0, 10_000));
  }

  private void startWriter(JsonObject config, ScriptdConfig.RunWrites settings) {
    ScriptdConfig.Storage storage = ScriptdConfig.fromJson(config).storage();
    writer = onContext(() -> {
      batcher = new LogBatcher(vertx, db, storage.batchLines(), storage.flushIntervalMs(),
          ScriptdMetrics.of(vertx, config));
      LogFiles files = new LogFiles(vertx, storage.logDir(), false);
      RunView view = new RunView(1000);
      return Future.succeededFuture(new RunWriter(vertx, db, batcher,
          new ScriptStore(db, batcher, files, view), files, view, settings));
    });
  }

  @AfterEach
  void tearDown() {
    onContext(() -> writer.settled().compose(v -> batcher.close()).eventually(() -> db.close()));
  }

  @Test
  void manySavesMadeTogetherShareFewTransactionsAndAreCommittedWhenAnswered() throws Exception {
    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      runs.add(pending(T0 + i, "echo " + i));
    }

    List<Future<Run>> saves = onContext(() -> Future.succeededFuture(runs.stream().map(writer::save).toList()));
    for (Future<Run> save : saves) {
      await(save);
    }

    // 300 rows, 256 a transaction: the first group took all that came in one turn of the event loop
    assertEquals(2, onContext(() -> Future.succeededFuture(writer.transactions())));
    assertEquals(300, onContext(() -> Future.succeededFuture(writer.rowsWritten())));
    assertEquals(300, queryLong("SELECT count(*) FROM runs"));
  }

  @Test
  void concurrentClientsGetEveryAnswerOnlyAfterTheirVersionIsCommitted() throws Exception {
    int clients = 8;
    int runsEach = 40;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        done.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < runsEach; i++) {
            Run run = pending(T0 + client * 1000L + i, "echo " + i);
            Run running = run.started(100 + i, 7L, Instant.ofEpochMilli(T0 + 1));
            Run completed = running.ended(RunStatus.COMPLETED, 0, null, null, Instant.ofEpochMilli(T0 + 2));
            for (Run version : List.of(run, running, completed)) {
              await(callOnContext(() -> writer.save(version)));
              assertEquals(version.status().wire(), statusOf(version.id()), "answered before commit");
            }
          }
        }, pool));
      }
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    assertEquals(clients * runsEach, queryLong("SELECT count(*) FROM runs WHERE status = 'completed'"));
  }

  @Test
  void theLastVersionOfARunInAGroupWinsAndEachCallerGetsItsOwn() throws Exception {
    Run run = pending(T0, "echo hi");
    Run running = run.started(4242, 99L, Instant.ofEpochMilli(T0 + 1));
    Run completed = running.ended(RunStatus.COMPLETED, 0, null, null, Instant.ofEpochMilli(T0 + 2));

    List<Future<Run>> saves = onContext(() -> Future.succeededFuture(List.of(
        writer.save(run), writer.save(running), writer.save(completed))));

    assertEquals(RunStatus.PENDING, await(saves.get(0)).status());
    assertEquals(RunStatus.RUNNING, await(saves.get(1)).status());
    assertEquals(RunStatus.COMPLETED, await(saves.get(2)).status());
    assertEquals(1, onContext(() -> Future.succeededFuture(writer.transactions())));
    assertEquals(1, onContext(() -> Future.succeededFuture(writer.rowsWritten())));
    assertEquals(List.of("completed"), history("row", run.id()));
  }

  @Test
  void aRunsVersionsAreStoredInTheOrderTheyWereSavedAcrossGroups() throws Exception {
    startWriter(defaultConfig(), new ScriptdConfig.RunWrites(4, 0, 10_000));
    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      runs.add(pending(T0 + i, "echo " + i));
    }

    // a version of each run in every turn: groups of 4 rows each hold a different mix of versions
    List<Future<Run>> saves = new ArrayList<>();
    saves.addAll(onContext(() -> Future.succeededFuture(runs.stream().map(writer::save).toList())));
    saves.addAll(onContext(() -> Future.succeededFuture(runs.stream()
        .map(run -> writer.save(run.started(1, 1L, Instant.ofEpochMilli(T0 + 100)))).toList())));
    saves.addAll(onContext(() -> Future.succeededFuture(runs.stream()
        .map(run -> writer.save(run.started(1, 1L, Instant.ofEpochMilli(T0 + 100))
            .ended(RunStatus.COMPLETED, 0, null, null, Instant.ofEpochMilli(T0 + 200)))).toList())));
    for (Future<Run> save : saves) {
      await(save);
    }

    for (Run run : runs) {
      List<String> stored = history("row", run.id());
      assertEquals("completed", stored.get(stored.size() - 1), run.id() + " stored " + stored);
      assertEquals(stored.stream().sorted((a, b) -> rank(a) - rank(b)).toList(), stored,
          run.id() + " stored out of order: " + stored);
    }
    // at least 12 rows in groups of at most 4: versions of one run were spread over groups
    assertTrue(onContext(() -> Future.succeededFuture(writer.transactions())) >= 3);
  }

  @Test
  void aRunsBufferedLinesAreCommittedBeforeItsRow() throws Exception {
    Run running = runningRun(T0);
    await(callOnContext(() -> writer.save(running)));
    onContext(() -> {
      batcher.append(chunk(running.id(), 1, 5));
      return Future.succeededFuture();
    });
    assertEquals(5, onContext(() -> Future.succeededFuture(batcher.pendingLines())));

    await(callOnContext(() -> writer.save(running.ended(RunStatus.COMPLETED, 0, null, null,
        Instant.ofEpochMilli(T0 + 9)))));

    assertEquals(List.of("row:running", "lines:null", "row:completed"), historyOf(running.id()));
    assertEquals(5, queryLong("SELECT log_lines FROM runs WHERE id = '" + running.id() + "'"));
  }

  @Test
  void aFailedTransactionFailsEveryCallerInItWritesNothingAndTheNextGroupWorks() throws Exception {
    List<Run> good = List.of(pending(T0, "echo 1"), pending(T0 + 1, "echo 2"), pending(T0 + 2, "echo 3"));
    Run bad = pending(T0 + 3, "boom");

    List<Future<Run>> saves = onContext(() -> {
      List<Future<Run>> all = new ArrayList<>(good.stream().map(writer::save).toList());
      all.add(writer.save(bad));
      return Future.succeededFuture(all);
    });
    onContext(() -> Future.join(saves).transform(ignored -> Future.succeededFuture()));

    Throwable first = saves.get(0).cause();
    assertTrue(first != null && first.getMessage().contains("the test refuses boom"), String.valueOf(first));
    for (Future<Run> save : saves) {
      assertTrue(save.failed());
      assertEquals(first.getMessage(), save.cause().getMessage());
    }
    assertEquals(0, queryLong("SELECT count(*) FROM runs"));
    assertEquals(0, onContext(() -> Future.succeededFuture(writer.transactions())));

    Run next = pending(T0 + 4, "echo 4");
    assertEquals(next.id(), await(callOnContext(() -> writer.save(next))).id());
    assertEquals(1, queryLong("SELECT count(*) FROM runs"));
    assertEquals(1, onContext(() -> Future.succeededFuture(writer.transactions())));
  }

  @Test
  void savesBeyondTheQueueBoundFailAtOnceWith503() throws Exception {
    // nothing is written until the interval ends: the queue only fills
    startWriter(defaultConfig(), new ScriptdConfig.RunWrites(256, 60_000, 3));
    List<Run> runs = List.of(pending(T0, "a"), pending(T0 + 1, "b"), pending(T0 + 2, "c"), pending(T0 + 3, "d"));

    List<Future<Run>> saves = onContext(() -> Future.succeededFuture(runs.stream().map(writer::save).toList()));

    Throwable refused = saves.get(3).cause();
    BusFailure failure = assertInstanceOf(BusFailure.class, refused);
    assertEquals(ReplyCodes.UNAVAILABLE, failure.code());
    assertTrue(failure.getMessage().contains("persistence.run_max_queued"), failure.getMessage());
    assertEquals(3, onContext(() -> Future.succeededFuture(writer.waitingSaves())));

    onContext(() -> writer.settled());
    for (int i = 0; i < 3; i++) {
      assertEquals(runs.get(i).id(), await(saves.get(i)).id());
    }
    assertEquals(3, queryLong("SELECT count(*) FROM runs"));
    Future<Run> again = onContext(() -> {
      Future<Run> save = writer.save(runs.get(3));
      writer.settled();
      return Future.succeededFuture(save);
    });
    assertEquals(runs.get(3).id(), await(again).id());
  }

  @Test
  void aQueuedRunIsMarkedQueuedAndKeepsTheMarkWhenSavedAgainInTheSameGroup() throws Exception {
    Run alone = pending(T0, "echo alone");
    Run twice = pending(T0 + 1, "echo twice");
    Run plain = pending(T0 + 2, "echo plain");

    List<Future<Run>> saves = onContext(() -> Future.succeededFuture(List.of(writer.queue(alone),
        writer.queue(twice), writer.save(twice.withProgress(50)), writer.save(plain))));
    for (Future<Run> save : saves) {
      await(save);
    }

    assertEquals(1, queryLong("SELECT queued FROM runs WHERE id = '" + alone.id() + "'"));
    assertEquals(1, queryLong("SELECT queued FROM runs WHERE id = '" + twice.id() + "'"));
    assertEquals(50, queryLong("SELECT progress FROM runs WHERE id = '" + twice.id() + "'"));
    assertEquals(0, queryLong("SELECT queued FROM runs WHERE id = '" + plain.id() + "'"));
  }

  private JsonObject defaultConfig() {
    return new JsonObject().put("data_dir", tempDir.toString())
        .put("persistence", new JsonObject().put("batch_lines", 1_000_000).put("flush_interval_ms", 60_000));
  }

  private static int rank(String status) {
    return switch (status) {
      case "pending" -> 0;
      case "running" -> 1;
      default -> 2;
    };
  }

  /** Runs work on the writer's context and waits for its result. */
  private <T> T onContext(Supplier<Future<T>> work) {
    return await(callOnContext(work));
  }

  private <T> Future<T> callOnContext(Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        work.get().onComplete(result);
      } catch (RuntimeException e) {
        result.fail(e);
      }
    });
    return result.future();
  }

  private static <T> T await(Future<T> future) {
    return future.timeout(60, TimeUnit.SECONDS).await();
  }

  private static Run pending(long createdAtMs, String command) {
    return Run.pending(UUID.randomUUID().toString(), null, Run.KIND_SHELL, command, "api",
        3600, Map.of(), "/tmp", null, Instant.ofEpochMilli(createdAtMs));
  }

  private static Run runningRun(long createdAtMs) {
    return pending(createdAtMs, "echo hi").started(4242, 99L, Instant.ofEpochMilli(createdAtMs + 1));
  }

  private static LogChunk chunk(String runId, long firstSeq, int count) {
    List<LogLine> lines = new ArrayList<>(count);
    long bytes = 0;
    for (int i = 0; i < count; i++) {
      long seq = firstSeq + i;
      String text = "line " + seq;
      lines.add(new LogLine(seq, T0 + seq, LogStream.STDOUT, text));
      bytes += text.length() + 1;
    }
    return new LogChunk(runId, lines, bytes);
  }

  private String statusOf(String runId) {
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db.file());
        Statement statement = conn.createStatement();
        ResultSet rs = statement.executeQuery("SELECT status FROM runs WHERE id = '" + runId + "'")) {
      return rs.next() ? rs.getString(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private long queryLong(String sql) throws SQLException {
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db.file());
        Statement statement = conn.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The statuses stored for a run's row, in commit order. */
  private List<String> history(String what, String runId) throws SQLException {
    List<String> stored = new ArrayList<>();
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db.file());
        Statement statement = conn.createStatement();
        ResultSet rs = statement.executeQuery("SELECT status FROM history WHERE what = '" + what
            + "' AND run_id = '" + runId + "' ORDER BY seq")) {
      while (rs.next()) {
        stored.add(rs.getString(1));
      }
    }
    return stored;
  }

  /** Every row and log write of a run as "what:status", in commit order. */
  private List<String> historyOf(String runId) throws SQLException {
    List<String> stored = new ArrayList<>();
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db.file());
        Statement statement = conn.createStatement();
        ResultSet rs = statement.executeQuery("SELECT what, status FROM history WHERE run_id = '"
            + runId + "' ORDER BY seq")) {
      while (rs.next()) {
        stored.add(rs.getString(1) + ":" + rs.getString(2));
      }
    }
    return stored;
  }
}
