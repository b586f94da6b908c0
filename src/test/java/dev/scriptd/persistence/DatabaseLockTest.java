package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Database: telling another process's write lock from a failure")
class DatabaseLockTest {
  @TempDir
  Path dataDir;
  private Vertx vertx;
  private SqliteDatabase db;

  @AfterEach
  void close() throws Exception {
    if (db != null) {
      db.close().await(10, TimeUnit.SECONDS);
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("SQLite's busy answers count as locked, other failures do not")
  void lockedErrors() {
    vertx = Vertx.vertx();
    assertTrue(SqliteDatabase.lockedError(new SQLException("[SQLITE_BUSY] The database file is locked (database is locked)")));
    assertTrue(SqliteDatabase.lockedError(new RuntimeException("wrapped", new SQLException("database is locked"))));
    assertFalse(SqliteDatabase.lockedError(new SQLException("[SQLITE_FULL] Insertion failed because database is full")));
    assertFalse(SqliteDatabase.lockedError(new RuntimeException((String) null)));
  }

  @Test
  @DisplayName("the probe sees another connection's exclusive lock, and sees it go")
  void probeSeesTheLock() throws Exception {
    vertx = Vertx.vertx();
    ScriptdConfig.Storage storage = ScriptdConfig.fromJson(new JsonObject().put("data_dir", dataDir.toString()))
        .storage();
    db = SqliteDatabase.open(vertx, storage).await(30, TimeUnit.SECONDS);
    assertFalse(db.lockedByOther());
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + storage.dbFile());
        Statement statement = other.createStatement()) {
      statement.execute("BEGIN EXCLUSIVE");
      assertTrue(db.lockedByOther());
      statement.execute("ROLLBACK");
    }
    assertFalse(db.lockedByOther());
  }
}
