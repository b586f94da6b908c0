package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("A script's queue survives a restart")
class QueueRestartTest {
  @TempDir
  Path dataDir;

  @Test
  @DisplayName("stopped with one run active and two queued: the queued stay pending, then run in order")
  void queueSurvivesRestart(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort());
    TestServer first = TestServer.start(vertx, config);
    Api api = first.api;
    assertEquals(201, api.post("/api/scripts", new JsonObject().put("name", "serial").put("command", "sleep $T")
        .put("concurrency", "queue")).statusCode());
    String a = run(api, "30");
    String b = run(api, "0.3");
    String c = run(api, "0.3");
    assertEquals("running", api.run(a).getString("status"));
    first.close();

    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("scriptd.db"))) {
      assertEquals("killed", status(db, a));
      assertEquals("pending", status(db, b));
      assertEquals("pending", status(db, c));
    }

    TestServer second = TestServer.start(vertx, config);
    try {
      JsonObject endB = second.api.awaitEnd(b);
      JsonObject endC = second.api.awaitEnd(c);
      assertEquals("completed", endB.getString("status"), endB.encode());
      assertEquals("completed", endC.getString("status"), endC.encode());
      assertFalse(Instant.parse(endC.getString("started_at")).isBefore(Instant.parse(endB.getString("ended_at"))));
      assertEquals("killed", second.api.run(a).getString("status"));
    } finally {
      second.close();
    }
  }

  private static String run(Api api, String seconds) {
    HttpResponse<String> response = api.post("/api/scripts/serial/run",
        new JsonObject().put("env", new JsonObject().put("T", seconds)));
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body()).getString("id");
  }

  private static String status(Connection db, String id) throws Exception {
    try (PreparedStatement query = db.prepareStatement("SELECT status FROM runs WHERE id = ?")) {
      query.setString(1, id);
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getString(1);
      }
    }
  }
}
