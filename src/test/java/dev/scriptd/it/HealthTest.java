package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("GET /health: database, writer queue and disk checks; 503 naming the failing check")
class HealthTest {
  @TempDir
  Path dataDir;
  private TestServer server;
  private Api api;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private void start(Vertx vertx, JsonObject extra) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort()).mergeIn(extra, true);
    server = TestServer.start(vertx, config);
    api = server.api;
  }

  @Test
  @DisplayName("every check is UP with its details")
  void up(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    JsonObject health = health(200);
    assertEquals("UP", health.getString("status"));
    JsonObject checks = health.getJsonObject("checks");
    assertEquals("UP", checks.getJsonObject("database").getString("status"));
    assertEquals("UP", checks.getJsonObject("writer_queue").getString("status"));
    assertEquals(0L, checks.getJsonObject("writer_queue").getLong("pending_lines"));
    JsonObject disk = checks.getJsonObject("disk");
    assertEquals("UP", disk.getString("status"));
    assertTrue(disk.getLong("free_bytes") > 0, disk.encode());
    assertEquals(100L << 20, disk.getLong("min_free_bytes"));
  }

  @Test
  @DisplayName("the containment check says how runs are contained and why: process groups when configured so")
  void containmentForced(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("runs", new JsonObject().put("containment", "process_group")));
    JsonObject containment = health(200).getJsonObject("checks").getJsonObject("containment");
    assertEquals("UP", containment.getString("status"), containment.encode());
    assertEquals("process_group", containment.getString("mode"));
    assertEquals("runs.containment is process_group", containment.getString("reason"));
  }

  @Test
  @DisplayName("with containment auto, the check names the cgroup the runs' groups go in, or why there is none")
  void containmentAuto(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    JsonObject containment = health(200).getJsonObject("checks").getJsonObject("containment");
    assertTrue(containment.getString("reason") != null && !containment.getString("reason").isBlank(), containment.encode());
    if ("cgroup".equals(containment.getString("mode"))) {
      assertTrue(Files.isDirectory(Path.of(containment.getString("cgroup"))), containment.encode());
      assertTrue(containment.getJsonArray("controllers") != null, containment.encode());
    } else {
      assertEquals("process_group", containment.getString("mode"), containment.encode());
    }
  }

  @Test
  @DisplayName("the database file removed: 503 with the database check DOWN")
  void databaseRemoved(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    Files.delete(dataDir.resolve("scriptd.db"));
    assertOnlyDown(health(503), "database", "scriptd.db");
  }

  @Test
  @DisplayName("the database file replaced by a directory (unreadable as a database, even for root): 503")
  void databaseUnreadable(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    Path file = dataDir.resolve("scriptd.db");
    Files.delete(file);
    Files.createDirectory(file);
    assertOnlyDown(health(503), "database", "not readable");
  }

  @Test
  @DisplayName("less free disk than health.min_free_bytes: 503 with the disk check DOWN")
  void diskFull(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("health", new JsonObject().put("min_free_bytes", Long.MAX_VALUE)));
    assertOnlyDown(health(503), "disk", "bytes free under");
  }

  @Test
  @DisplayName("more log lines waiting than health.max_pending_lines: 503 with the writer_queue check DOWN")
  void writerBehind(Vertx vertx) throws Exception {
    start(vertx, new JsonObject()
        .put("persistence", new JsonObject().put("batch_lines", 1_000_000).put("flush_interval_ms", 60_000))
        .put("health", new JsonObject().put("max_pending_lines", 10)));
    // the lines come only once the run's own row is saved (a save first writes the run's buffered
    // lines, which would empty the queue this test fills)
    Path go = dataDir.resolve("go");
    String id = api.startRun("while [ ! -e '" + go + "' ]; do sleep 0.02; done; seq 1 100; sleep 60").getString("id");
    api.awaitRun(id, run -> run.getString("status").equals("running"), Duration.ofSeconds(20));
    Files.createFile(go);
    Instant end = Instant.now().plus(Duration.ofSeconds(20));
    HttpResponse<String> response = api.get("/health");
    while (response.statusCode() != 503) {
      if (Instant.now().isAfter(end)) {
        fail("health never went DOWN: " + response.body());
      }
      LockSupport.parkNanos(20_000_000L);
      response = api.get("/health");
    }
    JsonObject health = new JsonObject(response.body());
    assertOnlyDown(health, "writer_queue", "falls behind");
    assertEquals(100L, health.getJsonObject("checks").getJsonObject("writer_queue").getLong("pending_lines"));
    api.post("/api/runs/" + id + "/kill", null);
    api.awaitEnd(id);
    health(200);
  }

  private JsonObject health(int status) {
    HttpResponse<String> response = api.get("/health");
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    return new JsonObject(response.body());
  }

  private static void assertOnlyDown(JsonObject health, String failing, String errorPart) {
    assertEquals("DOWN", health.getString("status"), health.encode());
    JsonObject checks = health.getJsonObject("checks");
    for (String check : new String[] {"database", "writer_queue", "disk"}) {
      JsonObject result = checks.getJsonObject(check);
      assertEquals(check.equals(failing) ? "DOWN" : "UP", result.getString("status"), health.encode());
    }
    String error = checks.getJsonObject(failing).getString("error");
    assertTrue(error != null && error.contains(errorPart), health.encode());
  }
}
