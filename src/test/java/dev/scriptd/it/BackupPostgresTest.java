package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Backup on PostgreSQL (database.url): a pg_dump-style script that psql restores")
class BackupPostgresTest extends BackupTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }

  /** The SQLite file form of the backup; on PostgreSQL see {@link #scriptWhileRunning}. */
  @Override
  void snapshotWhileRunning(Vertx vertx) {
  }

  @Test
  @DisplayName("the script taken while a run writes is application/sql, psql restores it into an empty database,"
      + " and a server started on that database lists the runs and their lines")
  void scriptWhileRunning(Vertx vertx) throws Exception {
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
    assertEquals("application/sql", backup.headers().firstValue("Content-Type").orElse(""));
    assertTrue(backup.headers().firstValue("Content-Disposition").orElse("")
        .matches("attachment; filename=\"scriptd-backup-\\d{8}T\\d{6}Z\\.sql\""),
        backup.headers().firstValue("Content-Disposition").orElse(""));
    assertEquals("running", api.run(writing).getString("status"), "the backup was taken while the run wrote");
    Files.createFile(go);
    api.awaitEnd(writing);
    server.close();
    try (Stream<Path> files = Files.list(dataDir)) {
      assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(".backup-")).toList(),
          "the snapshot file was deleted once sent");
    }

    // the documented restore: psql runs the script in an empty database, a server starts on it
    Path script = restoredDir.resolve("backup.sql");
    Files.write(script, backup.body());
    String restored = PostgresServer.shared().newDatabase();
    PostgresServer.shared().psql(restored, "-f", script.toString());
    String restoredUrl = "postgresql://postgres@127.0.0.1:" + PostgresServer.shared().port() + "/" + restored;
    TestServer again = TestServer.start(vertx, restoredDir, restoredUrl);
    try {
      assertEquals("completed", again.api.run(finished).getString("status"));
      List<io.vertx.core.json.JsonObject> lines = again.api.allLines(finished);
      assertEquals(500, lines.size());
      assertEquals("done-500", lines.get(499).getString("line"));
      List<io.vertx.core.json.JsonObject> live = again.api.allLines(writing);
      assertTrue(live.size() >= 20, "the lines written before the backup: " + live.size());
      assertEquals("live-1", live.get(0).getString("line"));
    } finally {
      again.close();
    }
  }
}
