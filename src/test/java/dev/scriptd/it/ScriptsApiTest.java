package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Scripts API: definitions, runs under each concurrency rule, queues, progress")
class ScriptsApiTest {
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

  static JsonObject script(String name, String command, String concurrency) {
    return new JsonObject().put("name", name).put("command", command).put("concurrency", concurrency);
  }

  JsonObject create(JsonObject body) {
    HttpResponse<String> response = api.post("/api/scripts", body);
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  JsonObject runScript(String idOrName, JsonObject body) {
    HttpResponse<String> response = api.post("/api/scripts/" + idOrName + "/run", body);
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  static void assertProblem(HttpResponse<String> response, int status) {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    assertNotNull(new JsonObject(response.body()).getString("detail"));
  }

  static Set<String> errorFields(HttpResponse<String> response) {
    JsonArray errors = new JsonObject(response.body()).getJsonArray("errors");
    return errors.stream().map(e -> ((JsonObject) e).getString("field")).collect(Collectors.toSet());
  }

  @Test
  @DisplayName("create, get by id and by name, list with last_run, replace bumps version, delete")
  void crud() {
    JsonObject created = create(new JsonObject().put("name", "nightly.report-1").put("command", "echo hi")
        .put("env", new JsonObject().put("GREETING", "hello")).put("timeout", 60)
        .put("schedule", new JsonObject().put("cron", "*/5 * * * *"))
        .put("endpoint", new JsonObject().put("method", "GET").put("path", "/hello")));
    String id = created.getString("id");
    assertEquals(1, created.getLong("version"));
    assertEquals("shell", created.getString("kind"));
    assertEquals("allow", created.getString("concurrency"));
    assertEquals(true, created.getBoolean("enabled"));
    assertEquals(60, created.getLong("timeout"));
    assertEquals("hello", created.getJsonObject("env").getString("GREETING"));
    assertEquals(new JsonObject().put("cron", "*/5 * * * *").put("timezone", "UTC").put("misfire", "skip"),
        created.getJsonObject("schedule"));
    // every field of the contract's endpoint object: the default role, null limits (the server's defaults)
    assertEquals(new JsonObject().put("method", "GET").put("path", "hello").put("auth", "token")
        .put("role", "operator").putNull("rate_limit").putNull("max_concurrent"),
        created.getJsonObject("endpoint"));
    assertTrue(created.containsKey("next_run_at"));
    assertNull(created.getValue("last_run"));
    assertNotNull(created.getString("created_at"));

    JsonObject byId = new JsonObject(api.get("/api/scripts/" + id).body());
    JsonObject byName = new JsonObject(api.get("/api/scripts/nightly.report-1").body());
    assertEquals(created, byId);
    assertEquals(created, byName);

    JsonObject run = api.awaitEnd(runScript("nightly.report-1", null).getString("id"));
    create(script("another", "true", "allow"));
    JsonArray items = new JsonObject(api.get("/api/scripts").body()).getJsonArray("items");
    assertEquals(2, items.size());
    assertEquals("another", items.getJsonObject(0).getString("name"));
    assertNull(items.getJsonObject(0).getValue("last_run"));
    assertEquals(run.getString("id"), items.getJsonObject(1).getJsonObject("last_run").getString("id"));
    assertEquals("completed", items.getJsonObject(1).getJsonObject("last_run").getString("status"));
    JsonObject firstPage = new JsonObject(api.get("/api/scripts?limit=1").body());
    assertEquals("another", firstPage.getJsonArray("items").getJsonObject(0).getString("name"));
    JsonObject secondPage = new JsonObject(api.get("/api/scripts?limit=1&cursor="
        + firstPage.getString("next_cursor")).body());
    assertEquals("nightly.report-1", secondPage.getJsonArray("items").getJsonObject(0).getString("name"));
    assertNull(secondPage.getValue("next_cursor"));
    assertProblem(api.get("/api/scripts?limit=0"), 400);

    HttpResponse<String> put = api.send("PUT", "/api/scripts/" + id,
        script("nightly.report-1", "echo changed", "forbid").encode());
    assertEquals(200, put.statusCode(), put.body());
    JsonObject updated = new JsonObject(put.body());
    assertEquals(2, updated.getLong("version"));
    assertEquals("echo changed", updated.getString("command"));
    assertEquals("forbid", updated.getString("concurrency"));
    assertNull(updated.getValue("schedule"));
    assertEquals(created.getString("created_at"), updated.getString("created_at"));
    assertEquals(run.getString("id"), updated.getJsonObject("last_run").getString("id"));

    assertProblem(api.send("PUT", "/api/scripts/" + id, script("another", "true", "allow").encode()), 409);

    HttpResponse<String> deleted = api.send("DELETE", "/api/scripts/" + id, null);
    assertEquals(204, deleted.statusCode(), deleted.body());
    assertProblem(api.get("/api/scripts/" + id), 404);
    assertProblem(api.get("/api/runs/" + run.getString("id")), 404);
    assertEquals(1, new JsonObject(api.get("/api/scripts").body()).getJsonArray("items").size());
  }

  @Test
  @DisplayName("invalid definitions are 400 with every field in errors[]; a taken name is 409; unknown is 404")
  void validation() {
    create(script("taken", "true", "allow"));
    HttpResponse<String> duplicate = api.post("/api/scripts", script("taken", "true", "allow"));
    assertProblem(duplicate, 409);
    assertTrue(new JsonObject(duplicate.body()).getString("detail").contains("taken"));

    HttpResponse<String> bad = api.post("/api/scripts", new JsonObject().put("name", "has space")
        .put("timeout", 0).put("concurrency", "sometimes").put("kind", "python")
        .put("env", new JsonObject().put("1BAD", "x").put("OK", 3))
        .put("schedule", new JsonObject().put("cron", "61 * * * *").put("misfire", "never"))
        .put("endpoint", new JsonObject().put("auth", "maybe")).put("enabled", "yes"));
    assertProblem(bad, 400);
    assertEquals(Set.of("name", "timeout", "concurrency", "kind", "env.1BAD", "env.OK", "schedule.cron",
        "schedule.misfire", "endpoint.path", "endpoint.auth", "enabled"), errorFields(bad));
    String cronMessage = new JsonObject(bad.body()).getJsonArray("errors").stream().map(e -> (JsonObject) e)
        .filter(e -> e.getString("field").equals("schedule.cron")).findFirst().orElseThrow().getString("message");
    assertTrue(cronMessage.contains("61"), cronMessage);

    HttpResponse<String> missing = api.post("/api/scripts", new JsonObject());
    assertProblem(missing, 400);
    assertEquals(Set.of("name", "command"), errorFields(missing));
    assertEquals(Set.of("program"), errorFields(api.post("/api/scripts",
        new JsonObject().put("name", "js1").put("kind", "js"))));
    assertEquals(Set.of("schedule.cron"), errorFields(api.post("/api/scripts",
        script("c", "true", "allow").put("schedule", new JsonObject().put("cron", "* * *")))));
    assertProblem(api.send("POST", "/api/scripts", "{not json"), 400);
    assertProblem(api.get("/api/scripts/nope"), 404);
    assertProblem(api.get("/api/scripts/bad%20name"), 404);
    assertProblem(api.post("/api/scripts/nope/run", null), 404);
    assertProblem(api.post("/api/scripts/taken/run", new JsonObject().put("env", "x")), 400);

    // six fields, seconds first, are accepted too; a js script runs as a js run
    create(script("six", "true", "allow").put("schedule", new JsonObject().put("cron", "*/10 * * * * *")));
    create(new JsonObject().put("name", "js-now").put("kind", "js").put("program", "1 + 1"));
    JsonObject jsRun = runScript("js-now", null);
    assertEquals("js", jsRun.getString("kind"));
    assertEquals(2, api.awaitEnd(jsRun.getString("id")).getInteger("result"));
  }

  @Test
  @DisplayName("schedule preview lists the next fire times; 400 without a schedule")
  void schedulePreview() {
    create(script("every5", "true", "allow").put("schedule", new JsonObject().put("cron", "*/5 * * * *")));
    JsonArray times = new JsonObject(api.get("/api/scripts/every5/schedule/preview?count=3").body())
        .getJsonArray("times");
    assertEquals(3, times.size());
    Instant first = Instant.parse(times.getString(0));
    Instant second = Instant.parse(times.getString(1));
    assertEquals(Duration.ofMinutes(5), Duration.between(first, second));
    assertEquals(0, first.getEpochSecond() % 300);
    create(script("plain", "true", "allow"));
    assertProblem(api.get("/api/scripts/plain/schedule/preview"), 400);
    assertProblem(api.get("/api/scripts/every5/schedule/preview?count=0"), 400);
  }

  @Test
  @DisplayName("an unsaved cron is checked: valid with its fire times, or invalid with field messages")
  void expressionPreview() {
    JsonObject ok = new JsonObject(api.get("/api/schedules/preview?cron=*/10+*+*+*+*+*&count=4").body());
    assertEquals(true, ok.getBoolean("valid"));
    JsonArray times = ok.getJsonArray("times");
    assertEquals(4, times.size());
    assertEquals(Duration.ofSeconds(10), Duration.between(Instant.parse(times.getString(0)), Instant.parse(times.getString(1))));
    HttpResponse<String> badResponse = api.get("/api/schedules/preview?cron=99+*+*+*+*&timezone=Mars/Olympus");
    assertEquals(200, badResponse.statusCode(), "a wrong expression is a verdict, not an HTTP error");
    JsonObject bad = new JsonObject(badResponse.body());
    assertEquals(false, bad.getBoolean("valid"));
    assertEquals(0, bad.getJsonArray("times").size());
    JsonArray errors = bad.getJsonArray("errors");
    assertEquals("cron", errors.getJsonObject(0).getString("field"));
    assertEquals("'99 * * * *' is not a valid cron expression: minute 99 is out of range 0-59",
        errors.getJsonObject(0).getString("message"));
    assertEquals("timezone", errors.getJsonObject(1).getString("field"));
    assertEquals(false, new JsonObject(api.get("/api/schedules/preview").body()).getBoolean("valid"));
    JsonObject weekly = new JsonObject(api.get("/api/schedules/preview?cron=@weekly&count=2").body());
    assertEquals(true, weekly.getBoolean("valid"), weekly.encode());
    assertEquals(Duration.ofDays(7), Duration.between(Instant.parse(weekly.getJsonArray("times").getString(0)),
        Instant.parse(weekly.getJsonArray("times").getString(1))));
    assertProblem(api.get("/api/schedules/preview?cron=*+*+*+*+*&count=101"), 400);
  }

  @Test
  @DisplayName("run, logs of the latest run (JSON and SSE), runs, kill and restart of a script")
  void runKillRestart() throws Exception {
    create(script("worker", "echo started-$WHO; sleep 30", "allow").put("env", new JsonObject().put("WHO", "def")));
    JsonObject first = runScript("worker", new JsonObject().put("env", new JsonObject().put("WHO", "me")));
    assertEquals("running", first.getString("status"));
    assertEquals("api", first.getString("trigger"));
    String scriptId = new JsonObject(api.get("/api/scripts/worker").body()).getString("id");
    assertEquals(scriptId, first.getString("script_id"));
    api.awaitRun(first.getString("id"), r -> r.getLong("log_lines") >= 1, Duration.ofSeconds(10));

    JsonObject logs = new JsonObject(api.get("/api/scripts/worker/logs").body());
    assertEquals("started-me", logs.getJsonArray("lines").getJsonObject(0).getString("line"));
    assertFalse(logs.getBoolean("complete"));
    try (SseClient sse = new SseClient(api.client, api.base + "/api/scripts/worker/logs",
        "Authorization", "Bearer " + api.token)) {
      SseClient.Event event = sse.next(Duration.ofSeconds(10));
      assertEquals("log", event.event());
      assertEquals("started-me", new JsonObject(event.data()).getString("line"));
    }

    HttpResponse<String> restart = api.post("/api/scripts/worker/restart", null);
    assertEquals(201, restart.statusCode(), restart.body());
    JsonObject second = new JsonObject(restart.body());
    assertEquals("restart", second.getString("trigger"));
    assertEquals("killed", api.run(first.getString("id")).getString("status"));

    HttpResponse<String> kill = api.post("/api/scripts/" + scriptId + "/kill", null);
    assertEquals(202, kill.statusCode(), kill.body());
    assertEquals(second.getString("id"), new JsonObject(kill.body()).getJsonArray("killed").getJsonObject(0)
        .getString("id"));
    assertEquals("killed", api.awaitEnd(second.getString("id")).getString("status"));

    JsonObject runs = new JsonObject(api.get("/api/scripts/worker/runs").body());
    assertEquals(List.of(second.getString("id"), first.getString("id")), runs.getJsonArray("items").stream()
        .map(r -> ((JsonObject) r).getString("id")).toList());
    JsonObject killedOnly = new JsonObject(api.get("/api/scripts/worker/runs?status=completed").body());
    assertTrue(killedOnly.getJsonArray("items").isEmpty());

    create(script("never-ran", "true", "allow"));
    assertProblem(api.get("/api/scripts/never-ran/logs"), 404);
  }

  @Test
  @DisplayName("the public bus starts a script's run from {script_id} alone")
  void busStartByScriptId() {
    String id = create(script("via-bus", "echo bus", "allow")).getString("id");
    JsonObject run = server.vertx.eventBus().<JsonObject>request("scriptd.runs.cmd.start",
        new JsonObject().put("script_id", id)).map(m -> m.body()).await();
    assertEquals(id, run.getString("script_id"));
    assertEquals("completed", api.awaitEnd(run.getString("id")).getString("status"));
  }

  @Test
  @DisplayName("forbid: a second start while one runs is 409 naming the active run; a kill by name answers the script's id")
  void forbid() {
    create(script("single", "sleep 30", "forbid"));
    JsonObject first = runScript("single", null);
    HttpResponse<String> second = api.post("/api/scripts/single/run", null);
    assertProblem(second, 409);
    String detail = new JsonObject(second.body()).getString("detail");
    assertTrue(detail.contains(first.getString("id")) && detail.contains("single"), detail);
    api.post("/api/runs/" + first.getString("id") + "/kill", null);
    api.awaitEnd(first.getString("id"));
    JsonObject third = runScript("single", null);
    assertEquals("running", third.getString("status"));
    HttpResponse<String> kill = api.post("/api/scripts/single/kill", null);
    assertEquals(202, kill.statusCode(), kill.body());
    // killed by name, answered with the script's id
    assertEquals(third.getString("script_id"), new JsonObject(kill.body()).getString("script_id"));
    api.awaitEnd(third.getString("id"));
  }

  @Test
  @DisplayName("replace: a new start kills the active run first, then starts")
  void replace() {
    create(script("latest", "sleep 30", "replace"));
    JsonObject first = runScript("latest", null);
    JsonObject second = runScript("latest", null);
    JsonObject old = api.run(first.getString("id"));
    assertEquals("killed", old.getString("status"));
    assertEquals("running", second.getString("status"));
    assertFalse(Instant.parse(second.getString("created_at")).isBefore(Instant.parse(old.getString("ended_at"))));
    Processes.awaitGroupGone(first.getInteger("pid"), Duration.ofSeconds(5));
    api.post("/api/scripts/latest/kill", null);
    api.awaitEnd(second.getString("id"));
  }

  @Test
  @DisplayName("replace under simultaneous starts: once every start answered, exactly one run is active")
  void simultaneousReplaces() throws Exception {
    create(script("rival", "sleep 30", "replace"));
    JsonObject first = runScript("rival", null);
    List<CompletableFuture<JsonObject>> starts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      starts.add(CompletableFuture.supplyAsync(() -> runScript("rival", null)));
    }
    List<String> ids = new ArrayList<>(List.of(first.getString("id")));
    for (CompletableFuture<JsonObject> start : starts) {
      ids.add(start.get(60, TimeUnit.SECONDS).getString("id"));
    }
    List<String> active = ids.stream().filter(id -> !Set.of("killed").contains(api.run(id).getString("status")))
        .toList();
    assertEquals(1, active.size(), "runs not killed: " + active);
    assertEquals("running", api.run(active.get(0)).getString("status"));
    api.post("/api/scripts/rival/kill", null);
    api.awaitEnd(active.get(0));
  }

  @Test
  @DisplayName("queue: three runs start one after another, each when the previous ended")
  void queueOrder() {
    create(script("serial", "sleep 0.4", "queue"));
    JsonObject a = runScript("serial", null);
    JsonObject b = runScript("serial", null);
    JsonObject c = runScript("serial", null);
    assertEquals("running", a.getString("status"));
    assertEquals("pending", b.getString("status"));
    assertEquals("pending", c.getString("status"));
    assertNull(b.getValue("pid"));
    assertEquals("pending", api.run(c.getString("id")).getString("status"));
    JsonObject endA = api.awaitEnd(a.getString("id"));
    JsonObject endB = api.awaitEnd(b.getString("id"));
    JsonObject endC = api.awaitEnd(c.getString("id"));
    for (JsonObject run : List.of(endA, endB, endC)) {
      assertEquals("completed", run.getString("status"), run.encode());
    }
    assertFalse(Instant.parse(endB.getString("started_at")).isBefore(Instant.parse(endA.getString("ended_at"))));
    assertFalse(Instant.parse(endC.getString("started_at")).isBefore(Instant.parse(endB.getString("ended_at"))));
  }

  @Test
  @DisplayName("queue: a queued run killed while pending ends killed without a process; the queue moves on")
  void queuedKilledWhilePending() {
    create(script("q", "sleep $T", "queue"));
    JsonObject a = runScript("q", new JsonObject().put("env", new JsonObject().put("T", "30")));
    JsonObject b = runScript("q", new JsonObject().put("env", new JsonObject().put("T", "0.1")));
    JsonObject c = runScript("q", new JsonObject().put("env", new JsonObject().put("T", "0.1")));
    HttpResponse<String> kill = api.post("/api/runs/" + b.getString("id") + "/kill", null);
    assertEquals(202, kill.statusCode(), kill.body());
    JsonObject killed = api.run(b.getString("id"));
    assertEquals("killed", killed.getString("status"));
    assertNull(killed.getValue("pid"));
    assertNull(killed.getValue("started_at"));
    assertEquals("running", api.run(a.getString("id")).getString("status"));
    assertEquals("pending", api.run(c.getString("id")).getString("status"));
    api.post("/api/runs/" + a.getString("id") + "/kill", null);
    assertEquals("killed", api.awaitEnd(a.getString("id")).getString("status"));
    assertEquals("completed", api.awaitEnd(c.getString("id")).getString("status"));
    assertEquals("killed", api.run(b.getString("id")).getString("status"));
  }

  @Test
  @DisplayName("a ::progress N line sets the run's progress and is still stored as a line")
  void progress() {
    JsonObject run = api.startRun("echo '::progress 40'; sleep 30");
    JsonObject seen = api.awaitRun(run.getString("id"), r -> r.getInteger("progress") == 40, Duration.ofSeconds(10));
    assertEquals("running", seen.getString("status"));
    assertEquals("::progress 40", api.allLines(run.getString("id")).get(0).getString("line"));
    api.post("/api/runs/" + run.getString("id") + "/kill", null);
    assertEquals(40, api.awaitEnd(run.getString("id")).getInteger("progress"));
  }

  @Test
  @DisplayName("deleting a script kills its running run and drops its queued ones")
  void deleteKillsRuns() {
    String id = create(script("doomed", "sleep 30", "queue")).getString("id");
    JsonObject a = runScript("doomed", null);
    runScript("doomed", null);
    HttpResponse<String> deleted = api.send("DELETE", "/api/scripts/doomed", null);
    assertEquals(204, deleted.statusCode(), deleted.body());
    Processes.awaitGroupGone(a.getInteger("pid"), Duration.ofSeconds(5));
    assertProblem(api.get("/api/runs/" + a.getString("id")), 404);
    assertEquals(0, new JsonObject(api.get("/api/runs?script_id=" + id).body()).getJsonArray("items").size());
    assertProblem(api.send("DELETE", "/api/scripts/doomed", null), 404);
  }
}
