package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("A script's queue survives a restart, with the limits its runs were queued with")
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

  @Test
  @DisplayName("runs waiting for a free slot (limits.max_concurrent_runs) stay pending over a restart and start, in order, when a slot frees")
  void slotWaitersSurviveRestart(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort())
        .put("limits", new JsonObject().put("max_concurrent_runs", 1));
    TestServer first = TestServer.start(vertx, config);
    Api api = first.api;
    assertEquals(201, api.post("/api/scripts", new JsonObject().put("name", "free").put("command", "echo script"))
        .statusCode());
    assertEquals(201, api.post("/api/scripts", new JsonObject().put("name", "hello-js").put("kind", "js")
        .put("program", "'from js'")).statusCode());
    String holder = api.startRun("sleep 30").getString("id");
    api.awaitRun(holder, r -> "running".equals(r.getString("status")), java.time.Duration.ofSeconds(10));
    String adhoc = api.startRun("echo adhoc").getString("id");
    String script = start(api, "free", new JsonObject());
    String js = start(api, "hello-js", new JsonObject());
    for (String waiting : List.of(adhoc, script, js)) {
      assertEquals("pending", api.run(waiting).getString("status"));
    }
    first.close();

    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("scriptd.db"))) {
      assertEquals("killed", status(db, holder));
      assertEquals("pending", status(db, adhoc));
      assertEquals("pending", status(db, script));
      assertEquals("pending", status(db, js));
    }

    TestServer second = TestServer.start(vertx, config);
    try {
      JsonObject endAdhoc = second.api.awaitEnd(adhoc);
      JsonObject endScript = second.api.awaitEnd(script);
      JsonObject endJs = second.api.awaitEnd(js);
      assertEquals("completed", endAdhoc.getString("status"), endAdhoc.encode());
      assertEquals("completed", endScript.getString("status"), endScript.encode());
      assertEquals("completed", endJs.getString("status"), endJs.encode());
      assertEquals(List.of("adhoc"), lines(second.api, adhoc));
      assertEquals(List.of("script"), lines(second.api, script));
      // one slot: each started after the one before it ended
      assertFalse(Instant.parse(endScript.getString("started_at")).isBefore(Instant.parse(endAdhoc.getString("ended_at"))));
      assertFalse(Instant.parse(endJs.getString("started_at")).isBefore(Instant.parse(endScript.getString("ended_at"))));
    } finally {
      second.close();
    }
  }

  @Test
  @DisplayName("a queued run keeps the limits it was queued with across an edit of the script and a restart")
  void queuedRunKeepsItsLimits(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort());
    TestServer first = TestServer.start(vertx, config);
    String hog = "if [ -n \"$HOLD\" ]; then sleep 30; else head -c 100000000 /dev/zero | tr '\\0' a"
        + " | { v=$(cat); echo ${#v}; }; fi";
    JsonObject definition = new JsonObject().put("name", "limited").put("command", hog).put("concurrency", "queue")
        .put("limits", new JsonObject().put("memory_bytes", 50_000_000));
    assertEquals(201, first.api.post("/api/scripts", definition).statusCode());
    String holding = start(first.api, "limited", new JsonObject().put("HOLD", "1"));
    String queued = start(first.api, "limited", new JsonObject());
    assertEquals("pending", first.api.run(queued).getString("status"));
    HttpResponse<String> edited = first.api.send("PUT", "/api/scripts/limited", definition.copy().put("limits", null).encode());
    assertEquals(200, edited.statusCode(), edited.body());
    first.close();

    TestServer second = TestServer.start(vertx, config);
    try {
      assertEquals("killed", second.api.run(holding).getString("status"));
      JsonObject ended = second.api.awaitEnd(queued);
      assertEquals("failed", ended.getString("status"), "still under memory_bytes = 50000000: " + ended.encode());
      assertTrue(lines(second.api, queued).stream().anyMatch(line -> line.contains("cannot allocate")));
      JsonObject fresh = second.api.awaitEnd(start(second.api, "limited", new JsonObject()));
      assertEquals("completed", fresh.getString("status"), "a new run has the edited (no) limits: " + fresh.encode());
      assertEquals(List.of("100000000"), lines(second.api, fresh.getString("id")));
    } finally {
      second.close();
    }
  }

  private static String start(Api api, String script, JsonObject env) {
    HttpResponse<String> response = api.post("/api/scripts/" + script + "/run", new JsonObject().put("env", env));
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body()).getString("id");
  }

  private static List<String> lines(Api api, String runId) {
    return api.allLines(runId).stream().map(line -> line.getString("line")).toList();
  }

  private static String run(Api api, String seconds) {
    return start(api, "serial", new JsonObject().put("T", seconds));
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
