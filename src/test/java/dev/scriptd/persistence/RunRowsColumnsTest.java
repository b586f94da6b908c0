package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunLineage;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.RunUsage;
import dev.scriptd.it.PostgresServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("RunRows: a run row is read by position when it is selected in the usual order, else by name")
class RunRowsColumnsTest {
  private static final List<String> SELECTED = List.of(RunRows.SELECTED.split(", "));
  @TempDir
  Path dataDir;
  private Vertx vertx;
  private PostgresDatabase db;

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    ScriptdConfig.Storage storage = ScriptdConfig.fromJson(new JsonObject().put("data_dir", dataDir.toString())
        .put("database", new JsonObject().put("url", PostgresServer.shared().newDatabaseUrl()))).storage();
    db = PostgresDatabase.open(vertx, storage).await(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    db.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private Row select(List<String> columns) throws Exception {
    return db.reader().preparedQuery("SELECT " + String.join(", ", columns) + " FROM runs WHERE id = ?")
        .execute(Tuple.of("r1")).await(10, TimeUnit.SECONDS).iterator().next();
  }

  @Test
  @DisplayName("the same stored run comes out of the usual order, of a shuffled one and of one with other"
      + " columns before it; a row without one of the columns is refused")
  void positionsOrNames() throws Exception {
    Instant created = Instant.parse("2026-12-06T10:00:00.123Z");
    Run stored = new Run("r1", "script-1", Run.KIND_SHELL, "echo hi", RunStatus.COMPLETED, 0, 42, 7L, 100, "api",
        created, created.plusMillis(5), created.plusMillis(900), 60L, 3L, 30L, null, new JsonObject().put("a", 1),
        null, Map.of("K", "V"), "/tmp", null, false, "admin", null,
        new RunLineage("parent", "first", 2, created.plusSeconds(1), 1), new RunUsage(2L, 1L, null, null, "cgroup"),
        "node-a");
    db.write(conn -> conn.preparedQuery(RunRows.upsert(db.dialect())).execute(RunRows.upsertParams(stored)))
        .await(10, TimeUnit.SECONDS);
    db.write(conn -> conn.preparedQuery(RunRows.SET_PINNED).execute(Tuple.of(1, "r1"))).await(10, TimeUnit.SECONDS);
    String expected = stored.withPinned(true).toJson().put("duration_ms", 0).encode();

    Row inOrder = select(SELECTED);
    int[] identity = new int[SELECTED.size()];
    for (int i = 0; i < identity.length; i++) {
      identity[i] = i;
    }
    assertArrayEquals(identity, RunRows.columns(inOrder));
    assertEquals(expected, RunRows.fromRow(inOrder).toJson().put("duration_ms", 0).encode());

    List<String> shuffled = new ArrayList<>(SELECTED);
    Collections.shuffle(shuffled, new java.util.Random(3));
    Row reordered = select(shuffled);
    int[] at = RunRows.columns(reordered);
    for (int i = 0; i < SELECTED.size(); i++) {
      assertEquals(SELECTED.get(i), reordered.getColumnName(at[i]));
    }
    assertEquals(expected, RunRows.fromRow(reordered).toJson().put("duration_ms", 0).encode());

    List<String> behindOthers = new ArrayList<>(List.of("1 AS s_id", "'x' AS s_name"));
    behindOthers.addAll(SELECTED);
    assertEquals(expected, RunRows.fromRow(select(behindOthers)).toJson().put("duration_ms", 0).encode());

    Row withoutNode = select(SELECTED.subList(0, SELECTED.size() - 1).stream()
        .map(column -> column.equals("node") ? "1 AS other" : column).toList());
    assertThrows(java.util.NoSuchElementException.class, () -> RunRows.fromRow(withoutNode));
  }
}
