package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.RunQuery;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Run stats: success rate over the finished runs, p50 and p95 by nearest rank")
class RunStatsTest extends PersistenceTestBase {
  private int next;

  private void insert(String scriptId, String status, Long durationMs, boolean started) throws Exception {
    long created = T0 + next * 1000L;
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dbFile());
        PreparedStatement insert = db.prepareStatement(
            "INSERT INTO runs (id, script_id, status, created_at, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, "run-" + next++);
      insert.setString(2, scriptId);
      insert.setString(3, status);
      insert.setLong(4, created);
      insert.setObject(5, started ? created : null);
      insert.setObject(6, durationMs == null ? null : created + durationMs);
      insert.executeUpdate();
    }
  }

  private JsonObject stats(String scriptId) {
    return request(Addresses.DB_RUN_STATS, new RunQuery(scriptId, null, null, null, 50, null));
  }

  @Test
  @DisplayName("p50 and p95 are the durations at ranks ceil(n/2) and ceil(0.95 n); running and other scripts' runs do not count")
  void nearestRank() throws Exception {
    for (long ms = 10; ms <= 200; ms += 10) {
      insert("a", "completed", ms, true);
    }
    insert("a", "failed", 1000L, true);
    insert("a", "killed", null, false); // killed while queued: finished, without a duration
    insert("a", "running", null, true);
    insert("b", "completed", 5000L, true);
    insert("c", "running", null, true);

    JsonObject a = stats("a");
    // 21 durations: rank 11 is 110 ms; rank ceil(19.95) = 20 is 200 ms (not the 1000 ms outlier at 21)
    assertEquals(20.0 / 22, a.getDouble("success_rate"), 1e-12, a.encode());
    assertEquals(110L, a.getLong("p50_duration_ms"), a.encode());
    assertEquals(200L, a.getLong("p95_duration_ms"), a.encode());

    JsonObject b = stats("b");
    assertEquals(1.0, b.getDouble("success_rate"), b.encode());
    assertEquals(5000L, b.getLong("p50_duration_ms"));
    assertEquals(5000L, b.getLong("p95_duration_ms"));

    JsonObject c = stats("c");
    assertNull(c.getValue("success_rate"), c.encode());
    assertNull(c.getValue("p50_duration_ms"));
    assertNull(c.getValue("p95_duration_ms"));
    assertEquals(1L, c.getLong("total"));
  }
}
