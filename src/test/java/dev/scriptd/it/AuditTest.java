package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Who did what: created_by on runs and the audit log, on a real server")
class AuditTest {
  @TempDir
  Path dataDir;
  TestServer server;
  Api admin;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  void start(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, dataDir);
    admin = server.api;
  }

  /** A new token of {@code role}; its secret. */
  String createToken(String name, String role) {
    HttpResponse<String> created = admin.post("/api/tokens", new JsonObject().put("name", name).put("role", role));
    assertEquals(201, created.statusCode(), created.body());
    return new JsonObject(created.body()).getString("token");
  }

  JsonObject createScript(JsonObject body) {
    HttpResponse<String> created = admin.post("/api/scripts", body);
    assertEquals(201, created.statusCode(), created.body());
    return new JsonObject(created.body());
  }

  List<JsonObject> runs(String query) {
    HttpResponse<String> response = admin.get("/api/runs?limit=1000" + query);
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body()).getJsonArray("items").stream().map(JsonObject.class::cast).toList();
  }

  @Test
  @DisplayName("created_by names the token behind API, UI and token-endpoint runs, and is null for cron and public endpoints")
  void createdByNamesTheCaller(Vertx vertx) throws Exception {
    start(vertx);
    Api ci = admin.as(createToken("ci", "operator"));

    JsonObject adHoc = ci.startRun("true");
    assertEquals("ci", adHoc.getString("created_by"), adHoc.encode());
    assertEquals("ci", admin.awaitEnd(adHoc.getString("id")).getString("created_by"), "stored with the run");

    String scriptId = createScript(new JsonObject().put("name", "job").put("command", "true")).getString("id");
    HttpResponse<String> fromUi = admin.post("/api/scripts/" + scriptId + "/run", new JsonObject().put("trigger", "ui"));
    assertEquals(201, fromUi.statusCode(), fromUi.body());
    JsonObject uiRun = new JsonObject(fromUi.body());
    assertEquals("ui", uiRun.getString("trigger"));
    assertEquals("admin", uiRun.getString("created_by"));

    HttpResponse<String> restarted = ci.post("/api/runs/" + adHoc.getString("id") + "/restart", null);
    assertEquals(201, restarted.statusCode(), restarted.body());
    assertEquals("ci", new JsonObject(restarted.body()).getString("created_by"));

    createScript(new JsonObject().put("name", "guarded").put("command", "true")
        .put("endpoint", new JsonObject().put("method", "POST").put("path", "guarded").put("auth", "token")));
    createScript(new JsonObject().put("name", "open").put("command", "true")
        .put("endpoint", new JsonObject().put("method", "POST").put("path", "open").put("auth", "public")));
    HttpResponse<String> guarded = ci.post("/hooks/guarded", new JsonObject());
    assertEquals(202, guarded.statusCode(), guarded.body());
    assertEquals("ci", admin.run(new JsonObject(guarded.body()).getString("run_id")).getString("created_by"));
    HttpResponse<String> open = ci.post("/hooks/open", new JsonObject());
    assertEquals(202, open.statusCode(), open.body());
    assertNull(admin.run(new JsonObject(open.body()).getString("run_id")).getString("created_by"),
        "a public endpoint records nobody, whoever calls it");

    String cronId = createScript(new JsonObject().put("name", "tick").put("command", "true")
        .put("schedule", new JsonObject().put("cron", "* * * * * *"))).getString("id");
    JsonObject cronRun = awaitFirstRun(cronId);
    assertEquals("cron", cronRun.getString("trigger"));
    assertNull(cronRun.getString("created_by"), cronRun.encode());

    // the filter: only ci's runs (the ad-hoc one, its restart and the endpoint's)
    List<JsonObject> byCi = runs("&created_by=ci");
    assertEquals(3, byCi.size(), byCi.toString());
    assertTrue(byCi.stream().allMatch(run -> "ci".equals(run.getString("created_by"))));
    assertEquals(1, runs("&created_by=admin").size());
  }

  private JsonObject awaitFirstRun(String scriptId) {
    Instant end = Instant.now().plus(Duration.ofSeconds(10));
    while (Instant.now().isBefore(end)) {
      JsonArray items = new JsonObject(admin.get("/api/runs?script_id=" + scriptId).body()).getJsonArray("items");
      if (!items.isEmpty()) {
        return items.getJsonObject(0);
      }
      LockSupport.parkNanos(50_000_000L);
    }
    return fail("no cron run of " + scriptId + " within 10 s");
  }
}
