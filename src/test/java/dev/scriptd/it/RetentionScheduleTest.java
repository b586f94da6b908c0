package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("The retention job runs on its cron and arms itself again")
class RetentionScheduleTest {
  @TempDir
  Path dataDir;

  @Test
  @DisplayName("with retention.cron every second, old runs go without any request, pass after pass")
  void scheduled(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort())
        .put("retention", new JsonObject().put("cron", "* * * * * *").put("days", 30));
    TestServer server = TestServer.start(vertx, config);
    try {
      Api api = server.api;
      String id = api.startRun("true").getString("id");
      api.awaitEnd(id);
      long shift = TimeUnit.DAYS.toMillis(40);
      try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("scriptd.db"))) {
        db.createStatement().execute("PRAGMA busy_timeout = 5000");
        db.createStatement().executeUpdate("UPDATE runs SET created_at = created_at - " + shift
            + ", ended_at = ended_at - " + shift + " WHERE id = '" + id + "'");
      }
      JsonObject status = awaitStatus(api, s -> s.getLong("total_deleted_runs") >= 1);
      assertEquals(404, api.get("/api/runs/" + id).statusCode());
      Instant firstPass = Instant.parse(status.getString("last_run_at"));
      JsonObject later = awaitStatus(api, s -> Instant.parse(s.getString("last_run_at")).isAfter(firstPass));
      assertTrue(Instant.parse(later.getString("next_run_at")).isAfter(Instant.parse(later.getString("last_run_at"))));
    } finally {
      server.close();
    }
  }

  private static JsonObject awaitStatus(Api api, java.util.function.Predicate<JsonObject> until) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      JsonObject status = new JsonObject(api.get("/api/runs/cleanup/status").body());
      if (status.getString("last_run_at") != null && until.test(status)) {
        return status;
      }
      if (System.nanoTime() > end) {
        fail("the scheduled cleanup did not run: " + status.encode());
      }
      LockSupport.parkNanos(50_000_000L);
    }
  }
}
