package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
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
  /** The database the servers of a test use: null for SQLite in the data dir; PostgreSQL variants override it. */
  String databaseUrl() {
    return null;
  }

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
    server = TestServer.start(vertx, dataDir, databaseUrl());
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

  /** Polls GET /api/audit (the writer is asynchronous) until a record matches; fails after 10 s. */
  JsonObject awaitRecord(String query, java.util.function.Predicate<JsonObject> match) {
    Instant end = Instant.now().plus(Duration.ofSeconds(10));
    List<JsonObject> seen = List.of();
    while (Instant.now().isBefore(end)) {
      HttpResponse<String> page = admin.get("/api/audit?limit=1000" + query);
      assertEquals(200, page.statusCode(), page.body());
      seen = new JsonObject(page.body()).getJsonArray("items").stream().map(JsonObject.class::cast).toList();
      for (JsonObject record : seen) {
        if (match.test(record)) {
          return record;
        }
      }
      LockSupport.parkNanos(50_000_000L);
    }
    return fail("no audit record for " + query + " within 10 s; seen " + seen);
  }

  JsonObject awaitAction(String action, String target) {
    return awaitRecord("&action=" + action, record -> target == null || target.equals(record.getString("target")));
  }

  static void assertRecord(JsonObject record, String actorType, String actorName, String result, int status) {
    assertEquals(actorType, record.getJsonObject("actor").getString("type"), record.encode());
    assertEquals(actorName, record.getJsonObject("actor").getString("name"), record.encode());
    assertEquals(result, record.getString("result"), record.encode());
    assertEquals(status, record.getInteger("status"), record.encode());
    assertEquals("127.0.0.1", record.getString("ip"), record.encode());
  }

  @Test
  @DisplayName("runs, scripts, tokens, logins, logouts, endpoint calls, 401 and 403 each leave a record naming who, what and how it went; the chain verifies")
  void everyChangeIsRecorded(Vertx vertx) throws Exception {
    start(vertx);
    String viewerSecret = createToken("watcher", "viewer");
    JsonObject tokenCreated = awaitAction("token.create", null);
    assertRecord(tokenCreated, "token", "admin", "ok", 201);
    assertEquals("watcher", tokenCreated.getJsonObject("details").getString("name"));
    assertEquals("viewer", tokenCreated.getJsonObject("details").getString("role"));
    String viewerId = tokenCreated.getString("target");

    JsonObject run = admin.startRun("sleep 30");
    assertRecord(awaitAction("run.start", run.getString("id")), "token", "admin", "ok", 201);
    assertEquals(202, admin.post("/api/runs/" + run.getString("id") + "/kill", null).statusCode());
    assertRecord(awaitAction("run.kill", run.getString("id")), "token", "admin", "ok", 202);

    JsonObject script = createScript(new JsonObject().put("name", "audited").put("command", "true"));
    String scriptId = script.getString("id");
    JsonObject created = awaitAction("script.create", scriptId);
    assertRecord(created, "token", "admin", "ok", 201);
    assertEquals("audited", created.getJsonObject("details").getString("name"));
    HttpResponse<String> updated = admin.send("PUT", "/api/scripts/" + scriptId,
        new JsonObject().put("name", "audited").put("command", "echo changed").encode());
    assertEquals(200, updated.statusCode(), updated.body());
    assertEquals(2, awaitAction("script.update", scriptId).getJsonObject("details").getInteger("version"));
    assertEquals(204, admin.send("DELETE", "/api/scripts/" + scriptId, null).statusCode());
    assertRecord(awaitAction("script.delete", scriptId), "token", "admin", "ok", 204);

    // 403: a viewer may not start runs; 401: no token at all, and a wrong one
    Api viewer = admin.as(viewerSecret);
    assertEquals(403, viewer.post("/api/runs", new JsonObject().put("command", "true")).statusCode());
    assertRecord(awaitRecord("&result=denied&actor=watcher", r -> r.getInteger("status") == 403), "token", "watcher",
        "denied", 403);
    assertEquals(401, admin.as(null).get("/api/tokens").statusCode());
    JsonObject unauthorized = awaitRecord("&action=access", r -> "/api/tokens".equals(r.getString("target")));
    assertRecord(unauthorized, "anonymous", null, "denied", 401);
    // an actor without a name is found by its type
    assertEquals(unauthorized, awaitRecord("&actor=anonymous", r -> r.getString("id").equals(unauthorized.getString("id"))));
    assertEquals(401, admin.as("sd_not-a-valid-token-000000000000000000000").post("/api/scripts",
        new JsonObject()).statusCode());
    assertRecord(awaitRecord("&action=script.create&result=denied", r -> true), "anonymous", null, "denied", 401);

    // login, a refused login, logout
    Api browser = admin.as(null);
    HttpResponse<String> login = browser.post("/api/login", new JsonObject().put("token", viewerSecret));
    assertEquals(200, login.statusCode(), login.body());
    assertRecord(awaitRecord("&action=login&result=ok", r -> true), "token", "watcher", "ok", 200);
    assertEquals(401, browser.post("/api/login", new JsonObject().put("token", "sd_wrong-wrong-wrong-wrong")).statusCode());
    assertRecord(awaitRecord("&action=login&result=denied", r -> true), "anonymous", null, "denied", 401);
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    HttpResponse<String> logout = browser.send("POST", "/api/logout", null, "Cookie", cookie.substring(0, cookie.indexOf(';')),
        "Origin", admin.base);
    assertEquals(204, logout.statusCode());
    assertRecord(awaitAction("logout", null), "token", "watcher", "ok", 204);

    // an endpoint call
    createScript(new JsonObject().put("name", "hooked").put("command", "true")
        .put("endpoint", new JsonObject().put("method", "POST").put("path", "ping").put("auth", "public")));
    assertEquals(202, browser.post("/hooks/ping", new JsonObject()).statusCode());
    assertRecord(awaitAction("hook.call", "/hooks/ping"), "anonymous", null, "ok", 202);

    assertEquals(204, admin.send("DELETE", "/api/tokens/" + viewerId, null).statusCode());
    JsonObject revoked = awaitAction("token.revoke", viewerId);
    assertRecord(revoked, "token", "admin", "ok", 204);

    // newest first, each following the one before it; the whole chain checks
    List<JsonObject> all = new JsonObject(admin.get("/api/audit?limit=1000").body()).getJsonArray("items").stream()
        .map(JsonObject.class::cast).toList();
    for (int i = 0; i + 1 < all.size(); i++) {
      assertEquals(all.get(i + 1).getString("hash"), all.get(i).getString("prev_hash"));
    }
    JsonObject verified = new JsonObject(admin.get("/api/audit/verify").body());
    assertEquals(true, verified.getBoolean("ok"), verified.encode());
    assertTrue(verified.getLong("records") >= all.size(), verified.encode());
    // the log has no route that changes it
    assertEquals(405, admin.send("DELETE", "/api/audit/" + all.get(0).getString("id"), null).statusCode());
    assertEquals(405, admin.send("POST", "/api/audit", "{}").statusCode());
  }

  @Test
  @DisplayName("a row changed directly in the SQLite file makes verify name that record; put back, the chain holds again")
  void verifyFindsAChangedRow(Vertx vertx) throws Exception {
    start(vertx);
    for (int i = 0; i < 5; i++) {
      admin.startRun("true");
    }
    List<JsonObject> runs = runs("");
    awaitRecord("&action=run.start", r -> r.getString("target").equals(runs.get(0).getString("id")));
    List<JsonObject> records = new JsonObject(admin.get("/api/audit?action=run.start").body()).getJsonArray("items")
        .stream().map(JsonObject.class::cast).toList();
    assertEquals(5, records.size());
    JsonObject victim = records.get(records.size() / 2);
    assertEquals(true, new JsonObject(admin.get("/api/audit/verify").body()).getBoolean("ok"));

    sql("UPDATE audit SET target = 'someone-else' WHERE id = '" + victim.getString("id") + "'");
    JsonObject broken = new JsonObject(admin.get("/api/audit/verify").body());
    assertEquals(new JsonObject().put("ok", false).put("first_bad_id", victim.getString("id")), broken);

    sql("UPDATE audit SET target = '" + victim.getString("target") + "' WHERE id = '" + victim.getString("id") + "'");
    assertEquals(true, new JsonObject(admin.get("/api/audit/verify").body()).getBoolean("ok"));
  }

  @Test
  @DisplayName("no token, secret env value or login secret reaches any audit record")
  void noSecretInTheLog(Vertx vertx) throws Exception {
    start(vertx);
    String secretValue = "s3cret-value-that-must-not-leak";
    String created = createToken("leaky", "operator");
    admin.startRun(new JsonObject().put("command", "true")
        .put("env", new JsonObject().put("API_KEY", new JsonObject().put("value", secretValue).put("secret", true))));
    createScript(new JsonObject().put("name", "with-secret").put("command", "true")
        .put("env", new JsonObject().put("DB_PASSWORD", new JsonObject().put("value", secretValue).put("secret", true))));
    Api anonymous = admin.as(null);
    assertEquals(200, anonymous.post("/api/login", new JsonObject().put("token", created)).statusCode());
    assertEquals(401, anonymous.post("/api/login", new JsonObject().put("token", created + "x")).statusCode());
    // a token in the query: the record keeps the path only
    assertEquals(403, anonymous.get("/api/tokens?token=" + created).statusCode());
    assertEquals(302, anonymous.send("GET", "/?token=" + TestServer.ADMIN_TOKEN, null, "Sec-Fetch-Site", "none")
        .statusCode());
    awaitRecord("&action=login&actor=admin", r -> true);
    awaitRecord("&action=access&result=denied", r -> r.getString("target").equals("/api/tokens"));

    String table = storedAuditTable();
    assertTrue(table.contains("token.create") && table.contains("run.start") && table.contains("script.create"), table);
    for (String secret : List.of(TestServer.ADMIN_TOKEN, created, secretValue)) {
      assertFalse(table.contains(secret), "the audit table holds a secret: " + table);
    }
  }

  /** Every row of the audit table as the database holds it, a line a row. */
  String storedAuditTable() throws Exception {
    StringBuilder everything = new StringBuilder();
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("scriptd.db"));
         ResultSet rows = db.createStatement().executeQuery("SELECT * FROM audit")) {
      int columns = rows.getMetaData().getColumnCount();
      while (rows.next()) {
        for (int c = 1; c <= columns; c++) {
          everything.append(rows.getString(c)).append('|');
        }
        everything.append('\n');
      }
    }
    return everything.toString();
  }

  /** Runs a statement on the database itself (a tampering test changes a record behind the server). */
  void sql(String statement) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("scriptd.db"))) {
      db.createStatement().execute("PRAGMA busy_timeout = 10000");
      db.createStatement().executeUpdate(statement);
    }
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
