package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("A locked database: another process holds SQLite's write lock, then lets it go")
class LockedDatabaseTest {
  private static final long BUSY_TIMEOUT_MS = 1000;

  @TempDir
  Path dataDir;
  private TestServer server;
  private Connection other;

  @AfterEach
  void stop() throws Exception {
    if (other != null) {
      other.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  @DisplayName("while locked /health is 503 with the database_lock check DOWN and writes fail 503 after persistence.busy_timeout_ms; reads go on; all recovers when the lock goes")
  void lockedThenReleased(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, TestServer.config(dataDir, TestServer.freePort())
        .put("persistence", new JsonObject().put("busy_timeout_ms", BUSY_TIMEOUT_MS)));
    Api api = server.api;
    String before = api.startRun("echo before").getString("id");
    assertEquals("completed", api.awaitEnd(before).getString("status"));
    assertEquals("UP", health(api, 200).getJsonObject("checks").getJsonObject("database_lock").getString("status"));

    other = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("scriptd.db"));
    try (Statement statement = other.createStatement()) {
      statement.execute("BEGIN EXCLUSIVE");
    }

    JsonObject down = health(api, 503);
    assertEquals("DOWN", down.getString("status"));
    JsonObject lock = down.getJsonObject("checks").getJsonObject("database_lock");
    assertEquals("DOWN", lock.getString("status"), down.encode());
    assertTrue(lock.getString("error").contains("locked by another process"), down.encode());
    assertEquals("UP", down.getJsonObject("checks").getJsonObject("database").getString("status"), down.encode());

    long began = System.nanoTime();
    HttpResponse<String> refused = api.post("/api/runs", new JsonObject().put("command", "echo during"));
    long tookMs = (System.nanoTime() - began) / 1_000_000;
    assertLockedProblem(refused);
    assertTrue(tookMs >= BUSY_TIMEOUT_MS - 100 && tookMs < BUSY_TIMEOUT_MS + 4000, "answered after " + tookMs + " ms");
    assertLockedProblem(api.post("/api/scripts", new JsonObject().put("name", "during").put("command", "true")));
    // reads are answered meanwhile
    assertEquals(200, api.get("/api/runs/" + before).statusCode());
    assertEquals(200, api.get("/api/scripts").statusCode());

    try (Statement statement = other.createStatement()) {
      statement.execute("ROLLBACK");
    }
    other.close();
    other = null;

    Instant end = Instant.now().plus(Duration.ofSeconds(20));
    while (api.get("/health").statusCode() != 200) {
      if (Instant.now().isAfter(end)) {
        fail("health stayed DOWN after the lock went: " + api.get("/health").body());
      }
      LockSupport.parkNanos(50_000_000L);
    }
    String after = api.startRun("echo after").getString("id");
    JsonObject ended = api.awaitEnd(after);
    assertEquals("completed", ended.getString("status"), ended.encode());
    assertEquals("after", api.allLines(after).get(0).getString("line"));
    assertEquals(201, api.post("/api/scripts", new JsonObject().put("name", "after").put("command", "true"))
        .statusCode());
  }

  private static void assertLockedProblem(HttpResponse<String> response) {
    assertEquals(503, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
        response.headers().toString());
    String detail = new JsonObject(response.body()).getString("detail");
    assertTrue(detail.contains("locked by another process") && detail.contains("persistence.busy_timeout_ms"),
        response.body());
  }

  private static JsonObject health(Api api, int status) {
    HttpResponse<String> response = api.get("/health");
    assertEquals(status, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }
}
