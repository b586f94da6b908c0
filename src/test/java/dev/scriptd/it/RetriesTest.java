package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Retries: pending runs with not_before, started when due, durable, killable")
class RetriesTest {
  /** The database the servers of a test use: null for SQLite in the data dir; PostgreSQL variants override it. */
  String databaseUrl() {
    return null;
  }

  /** How late a due retry may start on a busy test machine. */
  private static final long TOLERANCE_MS = 2000;

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("a failing script runs 3 times: each retry is due 1 s, then 2 s after the previous end, and starts then")
  void retriesWithTheirDelays(Vertx vertx) throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      TestServer server = TestServer.start(vertx, dataDir, databaseUrl());
      try {
        create(server.api, new JsonObject().put("name", "flaky").put("command", "echo try $SCRIPTD_RUN_ID; exit 1")
            .put("retry", new JsonObject().put("max_attempts", 3).put("delay_ms", 1000).put("backoff", 2))
            .put("notify", new JsonArray().add(new JsonObject().put("url", receiver.url("/n")))));
        String first = start(server.api, "flaky");
        JsonObject run1 = server.api.awaitEnd(first);
        assertEquals("failed", run1.getString("status"));
        assertEquals(1, run1.getInteger("attempt"));
        assertNull(run1.getString("retry_of"));

        List<JsonObject> retries = awaitSeries(server.api, first, 2);
        JsonObject run2 = retries.get(0);
        JsonObject run3 = retries.get(1);
        assertRetry(run2, first, 2, run1, 1000);
        assertRetry(run3, first, 3, run2, 2000);

        // the notification comes after the last attempt only (one delivery, of run 3)
        JsonObject body = new JsonObject(receiver.next(Duration.ofSeconds(20)).text());
        assertEquals(run3.getString("id"), body.getJsonObject("run").getString("id"));
        JsonArray byFirst = new JsonObject(server.api.get("/api/notifications?run_id=" + first).body()).getJsonArray("items");
        assertEquals(0, byFirst.size(), byFirst.encode());
        String metrics = server.api.get("/metrics").body();
        assertTrue(metrics.contains("scriptd_retries_total 2.0"), "two retries counted");
        assertEquals(2, new JsonObject(server.api.get("/api/runs?trigger=retry").body()).getJsonArray("items").size());
      } finally {
        server.close();
      }
    }
  }

  @Test
  @DisplayName("a pending retry is saved with its not_before, survives a server restart and starts when due")
  void pendingRetrySurvivesARestart(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort(), databaseUrl());
    TestServer first = TestServer.start(vertx, config);
    create(first.api, new JsonObject().put("name", "later").put("command", "exit 2")
        .put("retry", new JsonObject().put("max_attempts", 2).put("delay_ms", 3000)));
    String id = start(first.api, "later");
    JsonObject ended = first.api.awaitEnd(id);
    JsonObject pending = awaitSeriesPending(first.api, id);
    assertEquals("pending", pending.getString("status"));
    assertEquals(Instant.parse(ended.getString("ended_at")).plusMillis(3000),
        Instant.parse(pending.getString("not_before")));
    first.close();

    TestServer second = TestServer.start(vertx, config);
    try {
      JsonObject retried = second.api.awaitEnd(pending.getString("id"));
      assertEquals("failed", retried.getString("status"), "it ran (exit 2), it was not marked lost: " + retried.encode());
      assertEquals(2, retried.getInteger("exit_code"));
      assertTrue(!Instant.parse(retried.getString("started_at")).isBefore(Instant.parse(pending.getString("not_before"))),
          "not before its time: " + retried.encode());
      assertEquals(List.of(pending.getString("id")), series(second.api, id).stream().map(r -> r.getString("id")).toList(),
          "max_attempts 2: no third run");
    } finally {
      second.close();
    }
  }

  @Test
  @DisplayName("killing a pending retry ends it killed and ends the series; a killed run is never retried")
  void killingAPendingRetryEndsTheSeries(Vertx vertx) throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      TestServer server = TestServer.start(vertx, dataDir, databaseUrl());
      try {
        create(server.api, new JsonObject().put("name", "patient").put("command", "exit 1")
            .put("retry", new JsonObject().put("max_attempts", 5).put("delay_ms", 600_000))
            .put("notify", new JsonArray().add(new JsonObject().put("url", receiver.url("/n"))
                .put("on", new JsonArray().add("killed")))));
        String id = start(server.api, "patient");
        server.api.awaitEnd(id);
        JsonObject pending = awaitSeriesPending(server.api, id);
        HttpResponse<String> killed = server.api.post("/api/runs/" + pending.getString("id") + "/kill", null);
        assertEquals(202, killed.statusCode(), killed.body());
        assertEquals("killed", server.api.awaitEnd(pending.getString("id")).getString("status"));
        // the killed run's notification is decided only once no retry follows it
        JsonObject body = new JsonObject(receiver.next(Duration.ofSeconds(20)).text());
        assertEquals(pending.getString("id"), body.getJsonObject("run").getString("id"));
        assertEquals(1, series(server.api, id).size(), "no attempt after the killed one");
      } finally {
        server.close();
      }
    }
  }

  @Test
  @DisplayName("a script's kill ends its pending retries; deleting a script drops them and none comes back")
  void killAndDeleteOfTheScriptEndPendingRetries(Vertx vertx) throws Exception {
    TestServer server = TestServer.start(vertx, dataDir, databaseUrl());
    try {
      JsonObject retry = new JsonObject().put("max_attempts", 2).put("delay_ms", 1500);
      create(server.api, new JsonObject().put("name", "killed-series").put("command", "exit 1")
          .put("retry", retry.copy().put("delay_ms", 600_000)));
      String first = start(server.api, "killed-series");
      server.api.awaitEnd(first);
      JsonObject pending = awaitSeriesPending(server.api, first);
      HttpResponse<String> kill = server.api.post("/api/scripts/killed-series/kill", null);
      assertEquals(202, kill.statusCode(), kill.body());
      assertEquals("killed", server.api.awaitEnd(pending.getString("id")).getString("status"));

      create(server.api, new JsonObject().put("name", "deleted").put("command", "exit 1").put("retry", retry));
      String doomed = start(server.api, "deleted");
      server.api.awaitEnd(doomed);
      String doomedRetry = awaitSeriesPending(server.api, doomed).getString("id");
      assertEquals(204, server.api.send("DELETE", "/api/scripts/deleted", null).statusCode());
      // a clock made of runs: this retry is due after the deleted one would have been
      create(server.api, new JsonObject().put("name", "witness").put("command", "exit 1")
          .put("retry", retry.copy().put("delay_ms", 2000)));
      String witness = start(server.api, "witness");
      server.api.awaitEnd(witness);
      awaitSeries(server.api, witness, 1);
      assertEquals(404, server.api.get("/api/runs/" + doomedRetry).statusCode(), "the deleted script's retry stays gone");
    } finally {
      server.close();
    }
  }

  @Test
  @DisplayName("retry is validated on save: max_attempts 1..100, delays, backoff, and never on killed")
  void retryIsValidated(Vertx vertx) throws Exception {
    TestServer server = TestServer.start(vertx, dataDir, databaseUrl());
    try {
      HttpResponse<String> response = server.api.post("/api/scripts", new JsonObject().put("name", "bad").put("command", "true")
          .put("retry", new JsonObject().put("max_attempts", 0).put("delay_ms", "soon").put("backoff", 20)
              .put("on", new JsonArray().add("killed"))));
      assertEquals(400, response.statusCode(), response.body());
      String errors = new JsonObject(response.body()).getJsonArray("errors").encode();
      for (String field : List.of("retry.max_attempts", "retry.delay_ms", "retry.backoff", "retry.on")) {
        assertTrue(errors.contains("\"" + field + "\""), field + " in " + errors);
      }
    } finally {
      server.close();
    }
  }

  private static void assertRetry(JsonObject retry, String first, int attempt, JsonObject previous, long delayMs) {
    assertEquals("retry", retry.getString("trigger"));
    assertEquals(first, retry.getString("retry_of"));
    assertEquals(attempt, retry.getInteger("attempt"));
    assertEquals("failed", retry.getString("status"));
    Instant due = Instant.parse(previous.getString("ended_at")).plusMillis(delayMs);
    assertEquals(due, Instant.parse(retry.getString("not_before")), retry.encode());
    long late = Duration.between(due, Instant.parse(retry.getString("started_at"))).toMillis();
    assertTrue(late >= 0 && late <= TOLERANCE_MS, "started " + late + " ms after its not_before: " + retry.encode());
  }

  private static void create(Api api, JsonObject definition) {
    HttpResponse<String> created = api.post("/api/scripts", definition);
    assertEquals(201, created.statusCode(), created.body());
  }

  private static String start(Api api, String script) {
    HttpResponse<String> response = api.post("/api/scripts/" + script + "/run", new JsonObject());
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body()).getString("id");
  }

  /** The later attempts of a series, oldest first. */
  private static List<JsonObject> series(Api api, String first) {
    JsonArray items = new JsonObject(api.get("/api/runs?retry_of=" + first).body()).getJsonArray("items");
    List<JsonObject> runs = new ArrayList<>();
    for (int i = items.size() - 1; i >= 0; i--) {
      runs.add(items.getJsonObject(i));
    }
    return runs;
  }

  private static List<JsonObject> awaitSeries(Api api, String first, int count) {
    Instant end = Instant.now().plusSeconds(30);
    while (true) {
      List<JsonObject> runs = series(api, first);
      if (runs.size() == count && runs.stream().allMatch(run -> run.getString("ended_at") != null)) {
        return runs;
      }
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("the series of " + first + " did not reach " + count + " ended retries: " + runs);
      }
      LockSupport.parkNanos(50_000_000L);
    }
  }

  private static JsonObject awaitSeriesPending(Api api, String first) {
    Instant end = Instant.now().plusSeconds(20);
    while (true) {
      List<JsonObject> runs = series(api, first);
      if (!runs.isEmpty()) {
        return runs.get(0);
      }
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("no retry of " + first + " appeared");
      }
      LockSupport.parkNanos(20_000_000L);
    }
  }
}
