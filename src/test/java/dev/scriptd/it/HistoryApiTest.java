package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Run history: filters, stable cursor pages while runs arrive, statistics in SQL")
class HistoryApiTest {
  /** The database the servers of a test use: null for SQLite in the data dir; PostgreSQL variants override it. */
  String databaseUrl() {
    return null;
  }

  @TempDir
  Path dataDir;
  TestServer server;
  Api api;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, dataDir, databaseUrl());
    api = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private JsonObject page(String query) {
    HttpResponse<String> response = api.get("/api/runs" + query);
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("items").stream().map(r -> ((JsonObject) r).getString("id")).toList();
  }

  private static String enc(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("paging while new runs start: every original run once, none twice, in created order")
  void stablePagination() {
    Set<String> original = new HashSet<>();
    for (int i = 0; i < 25; i++) {
      original.add(api.startRun("true").getString("id"));
    }
    List<String> seen = new ArrayList<>();
    List<String> added = new ArrayList<>();
    String cursor = null;
    for (int pages = 0; pages < 100; pages++) {
      added.add(api.startRun("true").getString("id")); // newer than everything paged so far
      JsonObject page = page("?limit=4" + (cursor == null ? "" : "&cursor=" + enc(cursor)));
      seen.addAll(ids(page));
      cursor = page.getString("next_cursor");
      if (cursor == null) {
        break;
      }
    }
    if (cursor != null) {
      fail("the cursor never ended");
    }
    assertEquals(seen.size(), new LinkedHashSet<>(seen).size(), "a run came twice: " + seen);
    assertTrue(seen.containsAll(original), "a run was skipped");
    // only the run started before the first page may show up among the new ones
    List<String> extra = seen.stream().filter(id -> !original.contains(id)).toList();
    assertEquals(List.of(added.get(0)), extra);
    List<Instant> created = seen.stream().map(id -> Instant.parse(api.run(id).getString("created_at"))).toList();
    for (int i = 1; i < created.size(); i++) {
      assertTrue(!created.get(i).isAfter(created.get(i - 1)), "not newest first at " + i);
    }
  }

  @Test
  @DisplayName("filters script_id, status, from and to; bad filters are 400")
  void filters() {
    String scriptId = new JsonObject(api.post("/api/scripts", new JsonObject().put("name", "f")
        .put("command", "exit $CODE")).body()).getString("id");
    JsonObject ok = new JsonObject(api.post("/api/scripts/f/run",
        new JsonObject().put("env", new JsonObject().put("CODE", "0"))).body());
    api.awaitEnd(ok.getString("id"));
    Instant between = Instant.now();
    JsonObject bad = new JsonObject(api.post("/api/scripts/f/run",
        new JsonObject().put("env", new JsonObject().put("CODE", "3"))).body());
    api.awaitEnd(bad.getString("id"));
    String adhoc = api.startRun("true").getString("id");
    api.awaitEnd(adhoc);

    assertEquals(List.of(bad.getString("id"), ok.getString("id")), ids(page("?script_id=" + scriptId)));
    assertEquals(List.of(bad.getString("id")), ids(page("?status=failed")));
    assertEquals(List.of(bad.getString("id")), ids(page("?script_id=" + scriptId + "&from=" + enc(between.toString()))));
    assertEquals(List.of(ok.getString("id")), ids(page("?to=" + enc(between.toString()))));
    assertEquals(400, api.get("/api/runs?status=nope").statusCode());
    assertEquals(400, api.get("/api/runs?from=yesterday").statusCode());
    assertEquals(400, api.get("/api/runs?limit=0").statusCode());
    assertEquals(400, api.get("/api/runs?cursor=%25%25").statusCode());
  }

  @Test
  @DisplayName("stats count each status and average the durations, with the list's filters")
  void stats() {
    String scriptId = new JsonObject(api.post("/api/scripts", new JsonObject().put("name", "s")
        .put("command", "sleep 0.2; exit $CODE")).body()).getString("id");
    for (String code : List.of("0", "0", "1")) {
      String id = new JsonObject(api.post("/api/scripts/s/run",
          new JsonObject().put("env", new JsonObject().put("CODE", code))).body()).getString("id");
      api.awaitEnd(id);
    }
    String killed = api.startRun("sleep 30").getString("id");
    api.post("/api/runs/" + killed + "/kill", null);
    api.awaitEnd(killed);
    String timedOut = api.startRun(new JsonObject().put("command", "sleep 30").put("timeout", 1)).getString("id");
    api.awaitEnd(timedOut);
    String running = api.startRun("sleep 30").getString("id");

    JsonObject all = new JsonObject(api.get("/api/runs/stats").body());
    assertEquals(6, all.getLong("total"), all.encode());
    assertEquals(2, all.getLong("completed"));
    assertEquals(1, all.getLong("failed"));
    assertEquals(1, all.getLong("running"));
    assertEquals(1, all.getLong("killed"));
    assertEquals(1, all.getLong("timed_out"));
    assertNotNull(all.getLong("average_duration_ms"));

    JsonObject script = new JsonObject(api.get("/api/runs/stats?script_id=" + scriptId).body());
    assertEquals(new JsonObject().put("total", 3L).put("completed", 2L).put("failed", 1L).put("running", 0L)
        .put("killed", 0L).put("timed_out", 0L), withoutAverage(script));
    long average = script.getLong("average_duration_ms");
    assertTrue(average >= 200 && average < 5000, "average " + average);

    JsonObject none = new JsonObject(api.get("/api/runs/stats?status=lost").body());
    assertEquals(0, none.getLong("total"));
    assertNull(none.getValue("average_duration_ms"));
    assertEquals(400, api.get("/api/runs/stats?status=bogus").statusCode());
    api.post("/api/runs/" + running + "/kill", null);
    api.awaitEnd(running);
  }

  @Test
  @DisplayName("stats give the success rate and the nearest-rank p50 and p95 of the finished runs, null when none finished")
  void successRateAndPercentiles() {
    String scriptId = new JsonObject(api.post("/api/scripts", new JsonObject().put("name", "trend")
        .put("command", "sleep $S; exit $CODE")).body()).getString("id");
    // durations about 100, 100, 600 and 600 ms; the last one fails
    for (String[] run : new String[][] {{"0.1", "0"}, {"0.1", "0"}, {"0.6", "0"}, {"0.6", "1"}}) {
      String id = new JsonObject(api.post("/api/scripts/trend/run", new JsonObject()
          .put("env", new JsonObject().put("S", run[0]).put("CODE", run[1]))).body()).getString("id");
      api.awaitEnd(id);
    }
    String running = api.post("/api/scripts/trend/run", new JsonObject()
        .put("env", new JsonObject().put("S", "30").put("CODE", "0"))).body();
    String runningId = new JsonObject(running).getString("id");

    JsonObject stats = new JsonObject(api.get("/api/runs/stats?script_id=" + scriptId).body());
    assertEquals(0.75, stats.getDouble("success_rate"), 1e-9, stats.encode());
    long p50 = stats.getLong("p50_duration_ms");
    long p95 = stats.getLong("p95_duration_ms");
    // nearest rank over 4 durations: p50 is the 2nd (a short run), p95 the 4th (a long one)
    assertTrue(p50 >= 100 && p50 < 600, stats.encode());
    assertTrue(p95 >= 600 && p95 < 5000, stats.encode());

    JsonObject failedOnly = new JsonObject(api.get("/api/runs/stats?status=failed&script_id=" + scriptId).body());
    assertEquals(0.0, failedOnly.getDouble("success_rate"), stats.encode());
    assertEquals(failedOnly.getLong("p50_duration_ms"), failedOnly.getLong("p95_duration_ms"));
    assertTrue(failedOnly.getLong("p50_duration_ms") >= 600, failedOnly.encode());

    for (String none : List.of("?status=running", "?script_id=no-such-script")) {
      JsonObject empty = new JsonObject(api.get("/api/runs/stats" + none).body());
      assertTrue(empty.containsKey("success_rate") && empty.getValue("success_rate") == null, empty.encode());
      assertTrue(empty.containsKey("p50_duration_ms") && empty.getValue("p50_duration_ms") == null, empty.encode());
      assertTrue(empty.containsKey("p95_duration_ms") && empty.getValue("p95_duration_ms") == null, empty.encode());
    }
    api.post("/api/runs/" + runningId + "/kill", null);
    api.awaitEnd(runningId);
  }

  private static JsonObject withoutAverage(JsonObject stats) {
    JsonObject copy = stats.copy();
    copy.remove("average_duration_ms");
    copy.remove("success_rate");
    copy.remove("p50_duration_ms");
    copy.remove("p95_duration_ms");
    return copy;
  }

  @Test
  @DisplayName("GET /api/runs/stats and /api/runs/cleanup/status are not taken for run ids")
  void routesNotShadowed() {
    assertEquals(200, api.get("/api/runs/stats").statusCode());
    assertEquals(200, api.get("/api/runs/cleanup/status").statusCode());
    JsonArray none = page("").getJsonArray("items");
    assertTrue(none.isEmpty());
  }
}
