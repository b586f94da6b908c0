package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Search: stored lines of every run, case-insensitive, escapes ignored, paged once each")
class SearchApiTest {
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

  private static String enc(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private JsonObject search(String query) {
    HttpResponse<String> response = api.get("/api/search?q=" + query);
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  private List<JsonObject> hits(String query) {
    List<JsonObject> hits = new ArrayList<>();
    search(query).getJsonArray("items").forEach(hit -> hits.add((JsonObject) hit));
    return hits;
  }

  private static String term() {
    return "tok" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  @Test
  @DisplayName("a token printed in ANSI colours is found by its plain text in any case, and the line comes back as stored")
  void ansiColouredTokenIsFound() {
    String term = term();
    String id = api.startRun("printf 'x \\033[1;31m" + term.substring(0, 6) + "\\033[0m" + term.substring(6)
        + " y\\n'; echo other line").getString("id");
    api.awaitEnd(id);
    List<JsonObject> hits = hits(enc(term.toUpperCase()));
    assertEquals(1, hits.size(), hits.toString());
    JsonObject hit = hits.get(0);
    assertEquals(id, hit.getString("run_id"));
    assertEquals(1L, hit.getLong("seq"));
    assertEquals("stdout", hit.getString("stream"));
    assertEquals("x \u001B[1;31m" + term.substring(0, 6) + "\u001B[0m" + term.substring(6) + " y", hit.getString("line"));
    assertNull(hit.getString("script_id"));
    assertTrue(Instant.parse(hit.getString("ts")).isAfter(Instant.now().minusSeconds(60)));
  }

  @Test
  @DisplayName("a secret value printed by a run is never found; its masked line is")
  void secretValueIsNeverFound() {
    String secret = "s3cr3t" + UUID.randomUUID();
    String marker = term();
    String id = api.startRun(new JsonObject()
        .put("command", "echo \"" + marker + " key=$API_KEY\"")
        .put("env", new JsonObject().put("API_KEY", new JsonObject().put("value", secret).put("secret", true))))
        .getString("id");
    api.awaitEnd(id);
    assertTrue(hits(enc(secret)).isEmpty());
    assertTrue(hits(enc(secret.substring(2, 12))).isEmpty());
    List<JsonObject> masked = hits(enc(marker));
    assertEquals(1, masked.size());
    assertEquals(marker + " key=***", masked.get(0).getString("line"));
  }

  @Test
  @DisplayName("pages of a search return every matching line once, newest run first and by seq within a run")
  void paginationReturnsEachHitOnce() {
    String term = term();
    // pages of 7 cut through both runs
    String older = api.startRun("for i in $(seq 1 40); do echo \"$i " + term + "\"; echo filler $i; done").getString("id");
    api.awaitEnd(older);
    String newer = api.startRun("for i in $(seq 1 25); do echo \"" + term + " $i\" >&2; done").getString("id");
    api.awaitEnd(newer);
    List<String> seen = new ArrayList<>();
    String cursor = null;
    for (int pages = 0; pages < 100; pages++) {
      JsonObject page = search(enc(term) + "&limit=7" + (cursor == null ? "" : "&cursor=" + enc(cursor)));
      page.getJsonArray("items").forEach(item -> {
        JsonObject hit = (JsonObject) item;
        seen.add(hit.getString("run_id") + "#" + hit.getLong("seq"));
      });
      cursor = page.getString("next_cursor");
      if (cursor == null) {
        break;
      }
    }
    assertNull(cursor, "the pages never ended");
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 25; i++) {
      expected.add(newer + "#" + i);
    }
    for (int i = 1; i <= 40; i++) {
      expected.add(older + "#" + (2 * i - 1));
    }
    assertEquals(expected, seen);
    assertEquals(seen.size(), new HashSet<>(seen).size());
  }

  @Test
  @DisplayName("the run-list filters status, from and to narrow the runs searched")
  void filtersNarrowTheRuns() {
    String term = term();
    String failed = api.startRun("echo " + term + "; exit 3").getString("id");
    JsonObject failedRun = api.awaitEnd(failed);
    String completed = api.startRun("echo " + term).getString("id");
    JsonObject completedRun = api.awaitEnd(completed);
    assertEquals(List.of(completed, failed), hits(enc(term)).stream().map(h -> h.getString("run_id")).toList());
    assertEquals(List.of(failed), hits(enc(term) + "&status=failed").stream().map(h -> h.getString("run_id")).toList());
    String from = completedRun.getString("created_at");
    assertEquals(List.of(completed), hits(enc(term) + "&from=" + enc(from)).stream().map(h -> h.getString("run_id")).toList());
    assertEquals(List.of(failed), hits(enc(term) + "&to=" + enc(from)).stream().map(h -> h.getString("run_id")).toList());
    assertTrue(hits(enc(term) + "&script_id=" + UUID.randomUUID()).isEmpty());
    assertEquals("failed", failedRun.getString("status"));
  }

  @Test
  @DisplayName("a line of a run that is still running is found within a few seconds")
  void runningRunIsFound() {
    String term = term();
    String id = api.startRun("echo " + term + "; sleep 60").getString("id");
    Instant deadline = Instant.now().plusSeconds(5);
    List<JsonObject> hits = hits(enc(term));
    while (hits.isEmpty()) {
      if (Instant.now().isAfter(deadline)) {
        fail("the line of a running run was not found within 5 s");
      }
      LockSupport.parkNanos(50_000_000L);
      hits = hits(enc(term));
    }
    assertEquals(id, hits.get(0).getString("run_id"));
    assertEquals("running", api.run(id).getString("status"));
    assertEquals(202, api.post("/api/runs/" + id + "/kill", null).statusCode());
    api.awaitEnd(id);
  }

  @Test
  @DisplayName("a deleted run's lines are no longer found")
  void deletedRunDisappears() {
    String term = term();
    String gone = api.startRun("echo " + term + " one").getString("id");
    String kept = api.startRun("echo " + term + " two").getString("id");
    api.awaitEnd(gone);
    api.awaitEnd(kept);
    assertEquals(2, hits(enc(term)).size());
    assertEquals(204, api.send("DELETE", "/api/runs/" + gone, null).statusCode());
    List<JsonObject> hits = hits(enc(term));
    assertEquals(1, hits.size());
    assertEquals(kept, hits.get(0).getString("run_id"));
  }

  @Test
  @DisplayName("a text shorter than 3 characters, a missing q or a bad cursor is a 400 problem")
  void shortQueryIsRefused() {
    for (String query : List.of("/api/search?q=ab", "/api/search", "/api/search?q=%1B%5B", "/api/search?q=abc&cursor=nope")) {
      HttpResponse<String> response = api.get(query);
      assertEquals(400, response.statusCode(), query + ": " + response.body());
      assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"));
      assertFalse(response.body().contains("Exception"));
    }
  }
}
