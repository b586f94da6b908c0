package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Other local users must not read the database: it holds run environments (secrets) and token hashes. */
@ExtendWith(VertxExtension.class)
@DisplayName("The data dir is 0700 and the database files 0600 once the server runs")
class DataPermissionsTest {
  @TempDir
  Path temp;

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private static JsonObject config(Path data) throws Exception {
    return TestServer.config(data, TestServer.freePort()).put("logs", new JsonObject().put("files", true));
  }

  /** The database and whichever of its -wal / -shm files exist: all owner-only. */
  private static void assertPrivate(Path data) throws Exception {
    assertEquals("rwx------", mode(data));
    assertEquals("rwx------", mode(data.resolve("logs")));
    Path db = data.resolve("scriptd.db");
    assertEquals("rw-------", mode(db));
    assertTrue(Files.exists(data.resolve("scriptd.db-wal")), "the database runs in WAL mode");
    for (String suffix : new String[] {"-wal", "-shm"}) {
      Path file = data.resolve("scriptd.db" + suffix);
      if (Files.exists(file)) {
        assertEquals("rw-------", mode(file), file.toString());
      }
    }
  }

  @Test
  @DisplayName("a new data dir, database and log dir are created private")
  void createdPrivate(Vertx vertx) throws Exception {
    Path data = temp.resolve("fresh");
    TestServer server = TestServer.start(vertx, config(data));
    try {
      JsonObject run = server.api.startRun("echo stored");
      server.api.awaitEnd(run.getString("id"));
      assertPrivate(data);
    } finally {
      server.close();
    }
  }

  @Test
  @DisplayName("an existing world-readable data dir, database and log dir are tightened at start")
  void tightenedAtStart(Vertx vertx) throws Exception {
    Path data = temp.resolve("loose");
    JsonObject config = config(data);
    TestServer first = TestServer.start(vertx, config);
    first.close();
    for (Path path : new Path[] {data, data.resolve("logs")}) {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Path file = data.resolve("scriptd.db" + suffix);
      if (Files.exists(file)) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      }
    }
    TestServer second = TestServer.start(vertx, config);
    try {
      assertPrivate(data);
    } finally {
      second.close();
    }
  }
}
