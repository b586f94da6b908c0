package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.LogPage;
import dev.scriptd.bus.LogQuery;
import dev.scriptd.bus.RunPage;
import dev.scriptd.bus.RunQuery;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.Run;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Deploys the verticle on a fresh file and drives it through the event bus only. */
@ExtendWith(VertxExtension.class)
abstract class PersistenceTestBase {
  static final long T0 = 1_763_900_000_000L;

  @TempDir
  Path tempDir;
  Vertx vertx;
  String deploymentId;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    deploymentId = deploy(new JsonObject());
  }

  /** Test config: the temp dir plus overrides for the "persistence" section. */
  JsonObject config(JsonObject persistence) {
    return new JsonObject().put("data_dir", tempDir.toString()).put("persistence", persistence);
  }

  String deploy(JsonObject persistence) {
    return await(vertx.deployVerticle(new PersistenceVerticle(),
        new DeploymentOptions().setConfig(config(persistence))));
  }

  /** Replaces the default deployment with one using these persistence settings. */
  void redeploy(JsonObject persistence) {
    await(vertx.undeploy(deploymentId));
    deploymentId = deploy(persistence);
  }

  Path dbFile() {
    return tempDir.resolve("scriptd.db");
  }

  static <T> T await(Future<T> future) {
    return future.timeout(60, TimeUnit.SECONDS).await();
  }

  <T> T request(String address, Object body) {
    return await(vertx.eventBus().<T>request(address, body)).body();
  }

  static void assertFails(int code, String messagePart, Executable call) {
    ReplyException failure = assertThrows(ReplyException.class, call);
    assertEquals(code, failure.failureCode(), failure.getMessage());
    if (!failure.getMessage().contains(messagePart)) {
      throw new AssertionError("'" + failure.getMessage() + "' lacks '" + messagePart + "'");
    }
  }

  Run save(Run run) {
    return request(Addresses.DB_SAVE_RUN, run);
  }

  Run get(String id) {
    return request(Addresses.DB_GET_RUN, id);
  }

  RunPage list(RunQuery query) {
    return request(Addresses.DB_LIST_RUNS, query);
  }

  LogPage readLogs(String runId, long afterSeq, int limit) {
    return request(Addresses.DB_READ_LOGS, new LogQuery(runId, afterSeq, limit));
  }

  void append(LogChunk chunk) {
    vertx.eventBus().send(Addresses.DB_APPEND_LOGS, chunk);
  }

  static Run pendingRun(String scriptId, long createdAtMs) {
    return Run.pending(UUID.randomUUID().toString(), scriptId, Run.KIND_SHELL, "echo hi", "api",
        3600, Map.of(), "/tmp", null, Instant.ofEpochMilli(createdAtMs));
  }

  static Run runningRun(long createdAtMs) {
    return pendingRun(null, createdAtMs).started(4242, 99L, Instant.ofEpochMilli(createdAtMs + 1));
  }

  /** Lines firstSeq..firstSeq+count-1 with a text that names their seq. */
  static LogChunk chunk(String runId, long firstSeq, int count) {
    List<LogLine> lines = new ArrayList<>(count);
    long bytes = 0;
    for (int i = 0; i < count; i++) {
      long seq = firstSeq + i;
      String text = "line " + seq + (seq % 7 == 0 ? " \u001b[32mok\u001b[0m é" : "");
      lines.add(new LogLine(seq, T0 + seq, seq % 3 == 0 ? LogStream.STDERR : LogStream.STDOUT, text));
      bytes += text.length() + 1;
    }
    return new LogChunk(runId, lines, bytes);
  }

  /** A plain JDBC query on the file, outside the verticle. */
  long queryLong(String sql) throws SQLException {
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + dbFile());
         Statement statement = conn.createStatement();
         ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  String queryString(String sql) throws SQLException {
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + dbFile());
         Statement statement = conn.createStatement();
         ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
