package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.AuditQuery;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.AuditRecord;
import dev.scriptd.metrics.Meters;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The audit log's writer, list, checker and retention on a real SQLite file, on one context as in the verticle. */
@ExtendWith(VertxExtension.class)
@DisplayName("AuditLog: one writer chains records in order; verify finds a changed row; audit.days keeps the chain checkable")
class AuditLogTest {
  @TempDir
  Path dir;
  Vertx vertx;
  Context context;
  Database db;
  ScriptdMetrics metrics;
  AuditLog audit;

  @BeforeEach
  void open(Vertx vertx) {
    this.vertx = vertx;
    context = vertx.getOrCreateContext();
    metrics = ScriptdMetrics.of(vertx, new JsonObject());
    db = on(() -> Database.open(vertx, ScriptdConfig.fromJson(new JsonObject().put("data_dir", dir.toString()))
        .storage()));
    audit = start(new JsonObject());
  }

  @AfterEach
  void close() {
    on(() -> audit.close(1000).compose(v -> db.close()));
  }

  private AuditLog start(JsonObject auditSettings) {
    AuditLog log = new AuditLog(vertx, db, metrics, ScriptdConfig.audit(new JsonObject().put("audit", auditSettings)));
    on(() -> log.start().map(log));
    return log;
  }

  /** Runs {@code work} on the one context and waits for its future. */
  private <T> T on(Callable<Future<T>> work) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> {
      try {
        work.call().onComplete(done);
      } catch (Exception e) {
        done.fail(e);
      }
    });
    return done.future().timeout(30, TimeUnit.SECONDS).await();
  }

  private static AuditRecord record(int i, String action, String actor) {
    return AuditRecord.of("rec-" + i, Instant.ofEpochMilli(1_800_000_000_000L + i), "token", "id-" + actor, actor,
        action, "target-" + i, i % 3 == 0 ? AuditRecord.DENIED : AuditRecord.OK, i % 3 == 0 ? 403 : 200,
        "127.0.0.1", new JsonObject().put("n", i));
  }

  private void appendAll(List<AuditRecord> records) {
    on(() -> {
      records.forEach(audit::append);
      return audit.settled();
    });
  }

  private void sql(String statement) throws SQLException {
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("scriptd.db"))) {
      conn.createStatement().executeUpdate(statement);
    }
  }

  private JsonObject verify() {
    return on(() -> audit.verify());
  }

  @Test
  @DisplayName("records are chained in arrival order across batches and listed newest first with filters and a cursor")
  void chainsAndLists() {
    List<AuditRecord> records = new ArrayList<>();
    for (int i = 0; i < 1200; i++) { // more than two writer batches and two verify pages
      records.add(record(i, i % 2 == 0 ? "run.start" : "run.kill", i % 4 == 0 ? "ci" : "admin"));
    }
    appendAll(records);

    assertEquals(new JsonObject().put("ok", true).put("records", 1200L), verify());

    JsonObject first = on(() -> audit.list(new AuditQuery(null, null, null, null, null, 2, null)));
    JsonArray items = first.getJsonArray("items");
    assertEquals(List.of("rec-1199", "rec-1198"), items.stream().map(o -> ((JsonObject) o).getString("id")).toList());
    JsonObject newest = items.getJsonObject(0);
    assertEquals(items.getJsonObject(1).getString("hash"), newest.getString("prev_hash"));
    assertEquals(new JsonObject().put("type", "token").put("id", "id-admin").put("name", "admin"), newest.getJsonObject("actor"));
    JsonObject second = on(() -> audit.list(new AuditQuery(null, null, null, null, null, 2, first.getString("next_cursor"))));
    assertEquals("rec-1197", second.getJsonArray("items").getJsonObject(0).getString("id"));

    JsonObject filtered = on(() -> audit.list(new AuditQuery("ci", "run.start", "denied", Instant.ofEpochMilli(1_800_000_000_000L),
        Instant.ofEpochMilli(1_800_000_000_100L), 1000, null)));
    // i < 100, i % 4 == 0 (ci, so run.start) and i % 3 == 0 (denied): 0, 12, 24 ... 96
    List<String> ids = filtered.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("id")).toList();
    assertEquals(9, ids.size(), ids.toString());
    assertEquals("rec-96", ids.get(0));
    assertNull(filtered.getString("next_cursor"));
  }

  @Test
  @DisplayName("a row changed or removed directly in the database makes verify name the first record that no longer holds")
  void verifyFindsTampering() throws Exception {
    List<AuditRecord> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      records.add(record(i, "script.update", "ci"));
    }
    appendAll(records);
    sql("UPDATE audit SET actor_name = 'mallory' WHERE id = 'rec-6'");
    assertEquals(new JsonObject().put("ok", false).put("first_bad_id", "rec-6"), verify());
    sql("UPDATE audit SET actor_name = 'ci' WHERE id = 'rec-6'");
    assertTrue(verify().getBoolean("ok"), "put back, the row holds again");

    sql("UPDATE audit SET details = 'not json' WHERE id = 'rec-2'");
    assertEquals("rec-2", verify().getString("first_bad_id"));
    sql("UPDATE audit SET details = '{\"n\":2}' WHERE id = 'rec-2'");

    sql("DELETE FROM audit WHERE id = 'rec-4'");
    assertEquals("rec-5", verify().getString("first_bad_id"), "the record after a removed one no longer follows");
  }

  @Test
  @DisplayName("audit.days drops the oldest records and stores the anchor: the rest verifies and new records chain on")
  void retentionKeepsTheChainCheckable() throws Exception {
    List<AuditRecord> records = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      records.add(record(i, "run.start", "ci"));
    }
    appendAll(records);
    // the first three are a year old (which breaks their hashes: dropping them must not matter)
    sql("UPDATE audit SET at = " + (System.currentTimeMillis() - TimeUnit.DAYS.toMillis(400)) + " WHERE seq <= 3");
    assertFalse(verify().getBoolean("ok"));
    assertEquals(3L, on(() -> audit.prune()));
    assertEquals(new JsonObject().put("ok", true).put("records", 3L), verify());

    // a restart finds the chain's end and goes on from it
    on(() -> audit.close(1000));
    audit = start(new JsonObject().put("days", 365));
    appendAll(List.of(record(6, "run.kill", "ci")));
    assertEquals(new JsonObject().put("ok", true).put("records", 4L), verify());
    JsonArray left = on(() -> audit.list(new AuditQuery(null, null, null, null, null, 100, null))).getJsonArray("items");
    assertEquals(List.of("rec-6", "rec-5", "rec-4", "rec-3"),
        left.stream().map(o -> ((JsonObject) o).getString("id")).toList());
  }

  @Test
  @DisplayName("a full queue drops and counts records instead of waiting; what was queued is written and verifies")
  void fullQueueDrops() {
    on(() -> audit.close(1000));
    audit = start(new JsonObject().put("max_queued", 3));
    double before = metrics.registry().find(Meters.AUDIT_DROPPED).counter().count();
    List<AuditRecord> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      records.add(record(i, "hook.call", "ci"));
    }
    appendAll(records);
    // three wait (the first of them in flight); at most one more fits if that write ends meanwhile
    long dropped = Math.round(metrics.registry().find(Meters.AUDIT_DROPPED).counter().count() - before);
    assertTrue(dropped == 7 || dropped == 6, "dropped " + dropped);
    assertEquals(new JsonObject().put("ok", true).put("records", 10 - dropped), verify());
  }
}
