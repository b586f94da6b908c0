package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Lock;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Backup: POST /api/admin/backup while runs write lines, and a restore from it")
class BackupTest {
  /** The database the servers of a test use: null for SQLite in the data dir; PostgreSQL variants override it. */
  String databaseUrl() {
    return null;
  }

  @TempDir
  Path dataDir;
  @TempDir
  Path restoredDir;

  @Test
  @DisplayName("the backup taken while a run writes restores as documented, holds the runs and their lines,"
      + " and a server started on it lists them")
  void backupWhileRunning(Vertx vertx) throws Exception {
    TestServer server = TestServer.start(vertx, dataDir, databaseUrl());
    Api api = server.api;
    Path go = dataDir.resolve("go");
    String finished = api.startRun("for i in $(seq 1 500); do echo done-$i; done").getString("id");
    api.awaitEnd(finished);
    String writing = api.startRun("i=0; while [ ! -e '" + go + "' ]; do i=$((i+1)); echo live-$i; sleep 0.01;"
        + " done").getString("id");
    api.awaitRun(writing, run -> run.getLong("log_lines", 0L) >= 20, Duration.ofSeconds(30));

    HttpResponse<byte[]> backup = api.client.send(HttpRequest.newBuilder(
            URI.create(api.base + "/api/admin/backup")).POST(HttpRequest.BodyPublishers.noBody())
        .header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, backup.statusCode(), new String(backup.body()));
    assertEquals(contentType(), backup.headers().firstValue("Content-Type").orElse(""));
    assertTrue(backup.headers().firstValue("Content-Disposition").orElse("")
        .matches("attachment; filename=\"scriptd-backup-\\d{8}T\\d{6}Z\\." + extension() + "\""),
        backup.headers().firstValue("Content-Disposition").orElse(""));
    assertEquals("running", api.run(writing).getString("status"), "the backup was taken while the run wrote");
    Files.createFile(go);
    api.awaitEnd(writing);
    server.close();
    try (Stream<Path> files = Files.list(dataDir)) {
      assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(".backup-")).toList(),
          "the snapshot file was deleted once sent");
    }

    TestServer again = TestServer.start(vertx, restoredDir, restore(backup.body(), Set.of(finished, writing)));
    try {
      JsonObject done = again.api.run(finished);
      assertEquals("completed", done.getString("status"));
      List<JsonObject> lines = again.api.allLines(finished);
      assertEquals(500, lines.size());
      assertEquals("done-500", lines.get(499).getString("line"));
      List<JsonObject> live = again.api.allLines(writing);
      assertTrue(live.size() >= 20, "the lines written before the backup: " + live.size());
      assertEquals("live-1", live.get(0).getString("line"));
      // as it was when the snapshot was taken (a server in another JVM would report it lost)
      assertEquals("running", again.api.run(writing).getString("status"));
    } finally {
      again.close();
    }
  }

  /** The backup's media type and file name ending: a SQLite database file here. */
  String contentType() {
    return "application/vnd.sqlite3";
  }

  String extension() {
    return "sqlite3";
  }

  /**
   * The documented restore, checked to hold exactly {@code runIds}; answers the database.url of the
   * restored data (null: SQLite in {@link #restoredDir}). Here the snapshot becomes the database
   * file of a stopped server, and SQLite finds it intact.
   */
  String restore(byte[] backup, Set<String> runIds) throws Exception {
    Path restored = restoredDir.resolve("scriptd.db");
    Files.write(restored, backup);
    Set<String> found = new HashSet<>();
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + restored);
        Statement statement = db.createStatement()) {
      try (ResultSet check = statement.executeQuery("PRAGMA integrity_check")) {
        check.next();
        assertEquals("ok", check.getString(1));
      }
      try (ResultSet runs = statement.executeQuery("SELECT id FROM runs")) {
        while (runs.next()) {
          found.add(runs.getString(1));
        }
      }
    }
    assertEquals(runIds, found);
    return null;
  }

  @Test
  @DisplayName("one backup at a time: 409 while one is being taken; operators get 403")
  void oneAtATime(Vertx vertx) throws Exception {
    TestServer server = TestServer.start(vertx, dataDir, databaseUrl());
    try {
      Lock held = vertx.sharedData().getLocalLock(server.handle.namespace().of("scriptd.admin.backup"))
          .await(10, TimeUnit.SECONDS);
      HttpResponse<String> busy = server.api.post("/api/admin/backup", null);
      held.release();
      assertEquals(409, busy.statusCode(), busy.body());
      assertTrue(new JsonObject(busy.body()).getString("detail").contains("a backup is being taken"));
      assertEquals(200, server.api.post("/api/admin/backup", null).statusCode());

      String operator = new JsonObject(server.api.post("/api/tokens", new JsonObject().put("name", "op")
          .put("role", "operator")).body()).getString("token");
      HttpResponse<String> denied = server.api.as(operator).post("/api/admin/backup", null);
      assertEquals(403, denied.statusCode(), denied.body());
      assertTrue(Files.getPosixFilePermissions(dataDir).equals(PosixFilePermissions.fromString("rwx------")));
    } finally {
      server.close();
    }
  }
}
