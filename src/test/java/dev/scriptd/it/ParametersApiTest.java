package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Parameters and outputs: schemas on save, values on every trigger, the environment, outputs")
class ParametersApiTest {
  /** The database the servers of a test use: null for SQLite in the data dir; PostgreSQL variants override it. */
  String databaseUrl() {
    return null;
  }

  static final JsonObject SCHEMA = new JsonObject("""
      {"type": "object", "required": ["day"], "properties": {
        "day": {"type": "string", "format": "date", "title": "Day"},
        "count": {"type": "integer", "minimum": 1, "maximum": 9, "default": 3},
        "env": {"type": "string", "enum": ["dev", "prod"], "default": "dev"},
        "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "tags": {"type": "array", "items": {"type": "integer", "maximum": 5}},
        "password": {"type": "string", "x-secret": true}
      }}""");

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

  JsonObject create(JsonObject body) {
    HttpResponse<String> response = api.post("/api/scripts", body);
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  static Set<String> errorFields(HttpResponse<String> response) {
    assertEquals(400, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    JsonArray errors = new JsonObject(response.body()).getJsonArray("errors");
    return errors.stream().map(e -> ((JsonObject) e).getString("field")).collect(Collectors.toSet());
  }

  @Test
  @DisplayName("parameters are saved and returned as saved, null when none; an unknown keyword or a bad default is a 400 naming it")
  void schemaOnSave() {
    JsonObject created = create(new JsonObject().put("name", "p").put("command", "true").put("parameters", SCHEMA));
    assertEquals(SCHEMA, created.getJsonObject("parameters"));
    assertEquals(SCHEMA, new JsonObject(api.get("/api/scripts/p").body()).getJsonObject("parameters"));
    assertNull(create(new JsonObject().put("name", "none").put("command", "true")).getValue("parameters"));
    assertTrue(create(new JsonObject().put("name", "none2").put("command", "true")).containsKey("parameters"));

    JsonObject unknown = SCHEMA.copy();
    unknown.getJsonObject("properties").getJsonObject("day").put("oneOf", new JsonArray());
    HttpResponse<String> refused = api.post("/api/scripts", new JsonObject().put("name", "u").put("command", "true")
        .put("parameters", unknown));
    assertEquals(Set.of("parameters.properties.day.oneOf"), errorFields(refused));
    assertTrue(refused.body().contains("oneOf"), refused.body());

    JsonObject badDefault = SCHEMA.copy();
    badDefault.getJsonObject("properties").getJsonObject("count").put("default", 12);
    assertEquals(Set.of("parameters.properties.count.default"), errorFields(api.post("/api/scripts",
        new JsonObject().put("name", "d").put("command", "true").put("parameters", badDefault))));
    assertEquals(404, api.get("/api/scripts/d").statusCode());
  }

  @Test
  @DisplayName("schedule.params are checked against parameters on save; secret ones are shown as *** and kept when sent back")
  void scheduleParamsOnSave() {
    JsonObject schedule = new JsonObject().put("cron", "0 0 1 1 *").put("params", new JsonObject().put("count", 99));
    assertEquals(Set.of("schedule.params.count", "schedule.params.day"), errorFields(api.post("/api/scripts",
        new JsonObject().put("name", "s").put("command", "true").put("parameters", SCHEMA).put("schedule", schedule))));

    JsonObject good = new JsonObject().put("cron", "0 0 1 1 *")
        .put("params", new JsonObject().put("day", "2026-01-31").put("password", "hunter2"));
    JsonObject created = create(new JsonObject().put("name", "s").put("command", "true").put("parameters", SCHEMA)
        .put("schedule", good));
    assertEquals("***", created.getJsonObject("schedule").getJsonObject("params").getString("password"));
    JsonObject export = new JsonObject(api.get("/api/scripts/export").body());
    assertFalse(export.encode().contains("hunter2"));
    JsonObject exported = export.getJsonArray("scripts").getJsonObject(0);
    assertEquals(SCHEMA, exported.getJsonObject("parameters"));
    // applied back as exported (the secret as ***): nothing changes, the stored secret stays
    HttpResponse<String> applied = api.post("/api/scripts/apply", new JsonObject().put("scripts", export.getJsonArray("scripts")));
    assertEquals(200, applied.statusCode(), applied.body());
    assertEquals(new JsonArray().add("s"), new JsonObject(applied.body()).getJsonArray("unchanged"), applied.body());
    // sent back as shown: the stored secret stays
    HttpResponse<String> updated = api.send("PUT", "/api/scripts/s", created.encode(), "Content-Type", "application/json");
    assertEquals(200, updated.statusCode(), updated.body());
    assertFalse(updated.body().contains("hunter2"));
  }

  JsonObject run(String script, JsonObject params) {
    HttpResponse<String> response = api.post("/api/scripts/" + script + "/run", new JsonObject().put("params", params));
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  List<String> lines(String runId) {
    return api.allLines(runId).stream().map(line -> line.getString("line")).toList();
  }

  @Test
  @DisplayName("a shell run sees SCRIPTD_PARAM_<NAME> and SCRIPTD_PARAMS after defaults; values never enter the command text")
  void shellEnvironment() {
    create(new JsonObject().put("name", "env").put("parameters", SCHEMA).put("command",
        "echo \"day=$SCRIPTD_PARAM_DAY count=$SCRIPTD_PARAM_COUNT env=$SCRIPTD_PARAM_ENV tags=$SCRIPTD_PARAM_TAGS\"; "
            + "echo \"all=$SCRIPTD_PARAMS\""));
    JsonObject run = run("env", new JsonObject().put("day", "2026-01-31").put("tags", new JsonArray().add(1).add(2)));
    assertEquals(new JsonObject().put("day", "2026-01-31").put("tags", new JsonArray().add(1).add(2))
        .put("count", 3).put("env", "dev"), run.getJsonObject("params"));
    JsonObject ended = api.awaitEnd(run.getString("id"));
    assertEquals("completed", ended.getString("status"), ended.encode());
    List<String> lines = lines(run.getString("id"));
    assertEquals("day=2026-01-31 count=3 env=dev tags=[1,2]", lines.get(0));
    assertEquals(new JsonObject().put("day", "2026-01-31").put("count", 3).put("env", "dev")
        .put("tags", new JsonArray().add(1).add(2)), new JsonObject(lines.get(1).substring("all=".length())));
    assertEquals(new JsonObject(), ended.getJsonObject("outputs"));
    // a value with shell syntax stays a value
    JsonObject quoted = run("env", new JsonObject().put("day", "2026-02-01").put("code", "ABC"));
    assertEquals("completed", api.awaitEnd(quoted.getString("id")).getString("status"));
  }

  @Test
  @DisplayName("each kind of bad value is one errors[] item named params.<name>, and no run is created")
  void validationErrors() {
    create(new JsonObject().put("name", "v").put("parameters", SCHEMA).put("command", "true"));
    record Case(JsonObject params, String field) {
    }
    List<Case> cases = List.of(
        new Case(new JsonObject(), "params.day"),
        new Case(new JsonObject().put("day", "2026-01-31").put("count", "three"), "params.count"),
        new Case(new JsonObject().put("day", "2026-01-31").put("env", "qa"), "params.env"),
        new Case(new JsonObject().put("day", "2026-01-31").put("count", 0), "params.count"),
        new Case(new JsonObject().put("day", "2026-01-31").put("count", 10), "params.count"),
        new Case(new JsonObject().put("day", "2026-01-31").put("code", "abc"), "params.code"),
        new Case(new JsonObject().put("day", "31.01.2026"), "params.day"),
        new Case(new JsonObject().put("day", "2026-01-31").put("tags", new JsonArray().add(1).add(9)), "params.tags"),
        new Case(new JsonObject().put("day", "2026-01-31").put("unknown", 1), "params.unknown"));
    for (Case bad : cases) {
      HttpResponse<String> response = api.post("/api/scripts/v/run", new JsonObject().put("params", bad.params()));
      assertEquals(Set.of(bad.field()), errorFields(response), bad.params().encode() + " -> " + response.body());
    }
    HttpResponse<String> two = api.post("/api/scripts/v/run", new JsonObject().put("params",
        new JsonObject().put("count", 10).put("env", "qa")));
    assertEquals(Set.of("params.day", "params.count", "params.env"), errorFields(two));
    JsonObject runs = new JsonObject(api.get("/api/runs?script_id=" + new JsonObject(api.get("/api/scripts/v").body())
        .getString("id")).body());
    assertEquals(0, runs.getJsonArray("items").size(), runs.encode());
  }

  @Test
  @DisplayName("a secret parameter is *** in params (answers, events, stored) and in the run's lines and outputs")
  void secretMasked() {
    create(new JsonObject().put("name", "sec").put("parameters", SCHEMA).put("command",
        "echo \"pw=$SCRIPTD_PARAM_PASSWORD\"; echo \"$SCRIPTD_PARAMS\"; echo \"token=$SCRIPTD_PARAM_PASSWORD\" >> \"$SCRIPTD_OUTPUT\""));
    JsonObject run = run("sec", new JsonObject().put("day", "2026-01-31").put("password", "hunter2-secret"));
    assertEquals("***", run.getJsonObject("params").getString("password"));
    JsonObject ended = api.awaitEnd(run.getString("id"));
    assertEquals("completed", ended.getString("status"), ended.encode());
    assertEquals("***", ended.getJsonObject("params").getString("password"));
    assertEquals("***", ended.getJsonObject("outputs").getString("token"));
    List<String> lines = lines(run.getString("id"));
    assertEquals("pw=***", lines.get(0));
    assertFalse(String.join("\n", lines).contains("hunter2"), lines.toString());
    assertFalse(api.get("/api/runs?limit=10").body().contains("hunter2"));
    assertFalse(api.get("/api/runs/" + run.getString("id") + "/log.txt").body().contains("hunter2"));
  }

  @Test
  @DisplayName("a JS run sees the global params and declares outputs with setOutput")
  void jsParamsAndOutputs() {
    create(new JsonObject().put("name", "js").put("kind", "js").put("parameters", SCHEMA).put("program",
        "console.log('day ' + params.day + ' count ' + params.count); "
            + "setOutput('doubled', params.count * 2); setOutput('greeting', 'hi ' + params.env); params.count"));
    JsonObject run = run("js", new JsonObject().put("day", "2026-01-31").put("count", 4));
    JsonObject ended = api.awaitEnd(run.getString("id"));
    assertEquals("completed", ended.getString("status"), ended.encode());
    assertEquals(new JsonObject().put("doubled", 8).put("greeting", "hi dev"), ended.getJsonObject("outputs"));
    assertEquals(List.of("day 2026-01-31 count 4"), lines(run.getString("id")));
  }

  @Test
  @DisplayName("a shell run's name=value lines in SCRIPTD_OUTPUT become outputs; the file is private and gone afterwards")
  void shellOutputs() {
    create(new JsonObject().put("name", "out").put("command",
        "echo \"file=$SCRIPTD_OUTPUT\"; stat -c %a \"$SCRIPTD_OUTPUT\"; echo first=1 >> \"$SCRIPTD_OUTPUT\"; "
            + "echo 'url=https://x.invalid/?a=b' >> \"$SCRIPTD_OUTPUT\"; echo first=2 >> \"$SCRIPTD_OUTPUT\""));
    JsonObject run = run("out", null);
    JsonObject ended = api.awaitEnd(run.getString("id"));
    assertEquals("completed", ended.getString("status"), ended.encode());
    assertEquals(new JsonObject().put("first", "2").put("url", "https://x.invalid/?a=b"), ended.getJsonObject("outputs"));
    assertNull(ended.getValue("error"));
    List<String> lines = lines(run.getString("id"));
    assertEquals("600", lines.get(1));
    Path file = Path.of(lines.get(0).substring("file=".length()));
    assertFalse(java.nio.file.Files.exists(file), file + " is left behind");
    assertFalse(java.nio.file.Files.exists(file.getParent()), file.getParent() + " is left behind");
  }

  @Test
  @DisplayName("outputs beyond 100 names or 64 KiB are dropped and the run's error says so")
  void outputLimits() {
    create(new JsonObject().put("name", "many").put("command",
        "for i in $(seq 1 105); do echo \"n$i=$i\" >> \"$SCRIPTD_OUTPUT\"; done"));
    JsonObject many = api.awaitEnd(run("many", null).getString("id"));
    assertEquals("completed", many.getString("status"), many.encode());
    assertEquals(100, many.getJsonObject("outputs").size());
    assertTrue(many.getString("error").contains("5 name(s) beyond the first 100 were dropped (n101, n102, n103, n104, n105)"),
        many.getString("error"));

    create(new JsonObject().put("name", "big").put("command",
        "head -c 70000 /dev/zero | tr '\\0' x | sed 's/^/big=/' >> \"$SCRIPTD_OUTPUT\"; echo >> \"$SCRIPTD_OUTPUT\"; echo small=1 >> \"$SCRIPTD_OUTPUT\""));
    JsonObject big = api.awaitEnd(run("big", null).getString("id"));
    assertTrue(big.getString("error").contains("bytes and only the first 65536 were read"),
        big.getString("error"));
    assertEquals(new JsonObject(), big.getJsonObject("outputs"));

    create(new JsonObject().put("name", "jsbig").put("kind", "js").put("program",
        "for (let i = 1; i <= 101; i++) setOutput('n' + i, i); setOutput('huge', 'y'.repeat(70000)); 1"));
    JsonObject js = api.awaitEnd(run("jsbig", null).getString("id"));
    assertEquals("completed", js.getString("status"), js.encode());
    assertEquals(100, js.getJsonObject("outputs").size());
    assertTrue(js.getString("error").contains("1 name(s) beyond the first 100 were dropped (n101)"), js.getString("error"));

    create(new JsonObject().put("name", "jsbytes").put("kind", "js").put("program",
        "setOutput('a', 'x'.repeat(60000)); setOutput('b', 'y'.repeat(10000)); setOutput('c', 'z'); 1"));
    JsonObject bytes = api.awaitEnd(run("jsbytes", null).getString("id"));
    assertEquals("completed", bytes.getString("status"), bytes.encode());
    assertEquals(Set.of("a", "c"), bytes.getJsonObject("outputs").fieldNames());
    assertTrue(bytes.getString("error").contains("1 value(s) were dropped because the outputs would exceed 65536 bytes"),
        bytes.getString("error"));
  }

  @Test
  @DisplayName("a cron run takes schedule.params after defaults; a secret sent back as *** keeps its stored value")
  void cronRuns() {
    JsonObject created = create(new JsonObject().put("name", "cron").put("parameters", SCHEMA)
        .put("command", "echo \"day=$SCRIPTD_PARAM_DAY count=$SCRIPTD_PARAM_COUNT pw=${SCRIPTD_PARAM_PASSWORD:0:3}\"")
        .put("schedule", new JsonObject().put("cron", "0 0 1 1 *").put("params",
            new JsonObject().put("day", "2026-03-01").put("password", "swordfish"))));
    // sent back as the API shows it (password "***"), now firing every second
    created.getJsonObject("schedule").put("cron", "* * * * * *");
    HttpResponse<String> updated = api.send("PUT", "/api/scripts/cron", created.encode(), "Content-Type",
        "application/json");
    assertEquals(200, updated.statusCode(), updated.body());
    String scriptId = created.getString("id");
    java.time.Instant deadline = java.time.Instant.now().plusSeconds(20);
    JsonObject run = null;
    while (run == null) {
      JsonArray items = new JsonObject(api.get("/api/runs?script_id=" + scriptId + "&status=completed").body())
          .getJsonArray("items");
      if (!items.isEmpty()) {
        run = items.getJsonObject(0);
      } else {
        assertTrue(java.time.Instant.now().isBefore(deadline), "no completed cron run in time");
        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
      }
    }
    api.send("PUT", "/api/scripts/cron", created.put("enabled", false).encode(), "Content-Type", "application/json");
    assertEquals("cron", run.getString("trigger"));
    assertEquals(new JsonObject().put("day", "2026-03-01").put("count", 3).put("env", "dev").put("password", "***"),
        run.getJsonObject("params"));
    assertEquals(List.of("day=2026-03-01 count=3 pw=swo"), lines(run.getString("id")));
  }

  @Test
  @DisplayName("an endpoint takes values from its query string (converted to the declared types) and a JSON body's fields")
  void endpointRuns() {
    create(new JsonObject().put("name", "hook").put("parameters", SCHEMA)
        .put("command", "echo \"day=$SCRIPTD_PARAM_DAY count=$SCRIPTD_PARAM_COUNT tags=$SCRIPTD_PARAM_TAGS\"")
        .put("endpoint", new JsonObject().put("method", "POST").put("path", "report")));
    HttpResponse<String> answered = api.send("POST", "/hooks/report?count=4&tags=1&tags=2&wait=true",
        "{\"day\": \"2026-04-01\", \"other\": true}", "Content-Type", "application/json");
    assertEquals(200, answered.statusCode(), answered.body());
    assertEquals("day=2026-04-01 count=4 tags=[1,2]", answered.body().trim());

    HttpResponse<String> bad = api.send("POST", "/hooks/report?count=four&day=2026-04-01", "");
    assertEquals(Set.of("params.count"), errorFields(bad));
    assertEquals(Set.of("params.day"), errorFields(api.send("POST", "/hooks/report?count=4", "not json")));

    create(new JsonObject().put("name", "jshook").put("kind", "js").put("parameters", SCHEMA)
        .put("program", "({status: 200, body: params})")
        .put("endpoint", new JsonObject().put("method", "GET").put("path", "echo-params")));
    HttpResponse<String> js = api.get("/hooks/echo-params?day=2026-05-01&count=2");
    assertEquals(200, js.statusCode(), js.body());
    assertEquals(new JsonObject().put("day", "2026-05-01").put("count", 2).put("env", "dev"), new JsonObject(js.body()));
    HttpResponse<String> again = api.get("/hooks/echo-params?day=2026-05-02");
    assertEquals(new JsonObject().put("day", "2026-05-02").put("count", 3).put("env", "dev"), new JsonObject(again.body()));
  }

  @Test
  @DisplayName("the run's status events (/api/events and the log stream's status and done) carry params with secrets masked")
  void events() throws Exception {
    create(new JsonObject().put("name", "ev").put("parameters", SCHEMA).put("command", "echo x=1 >> \"$SCRIPTD_OUTPUT\""));
    try (SseClient events = new SseClient(api.client, api.base + "/api/events", "Authorization", "Bearer " + api.token)) {
      events.awaitResponse();
      JsonObject run = run("ev", new JsonObject().put("day", "2026-01-31").put("password", "opensesame"));
      JsonObject last = null;
      java.time.Instant deadline = java.time.Instant.now().plusSeconds(20);
      while (last == null || !last.getString("status").equals("completed")) {
        SseClient.Event event = events.next(Duration.ofSeconds(20));
        assertTrue(event != null && java.time.Instant.now().isBefore(deadline), "no completed event in time");
        if ("run".equals(event.event()) && event.data().contains(run.getString("id"))) {
          assertFalse(event.data().contains("opensesame"), event.data());
          last = new JsonObject(event.data());
        }
      }
      assertEquals("***", last.getJsonObject("params").getString("password"));
      assertEquals(new JsonObject().put("x", "1"), last.getJsonObject("outputs"));
    }
    String id = new JsonObject(api.get("/api/runs?limit=1").body()).getJsonArray("items").getJsonObject(0).getString("id");
    try (SseClient tail = new SseClient(api.client, api.base + "/api/runs/" + id + "/logs", "Accept", "text/event-stream",
        "Authorization", "Bearer " + api.token)) {
      List<SseClient.Event> all = tail.untilClosed(Duration.ofSeconds(20));
      SseClient.Event done = all.stream().filter(e -> "done".equals(e.event())).findFirst().orElseThrow();
      assertEquals("***", new JsonObject(done.data()).getJsonObject("params").getString("password"));
      assertEquals(new JsonObject().put("x", "1"), new JsonObject(done.data()).getJsonObject("outputs"));
    }
  }

  @Test
  @DisplayName("a restarted run and a run that waited in its script's queue keep their params")
  void restartAndQueue() {
    create(new JsonObject().put("name", "q").put("parameters", SCHEMA).put("concurrency", "queue")
        .put("command", "echo \"day=$SCRIPTD_PARAM_DAY\"; sleep 0.3"));
    JsonObject first = run("q", new JsonObject().put("day", "2026-06-01"));
    JsonObject queued = run("q", new JsonObject().put("day", "2026-06-02"));
    assertEquals("pending", queued.getString("status"), queued.encode());
    assertEquals("2026-06-02", queued.getJsonObject("params").getString("day"));
    assertEquals("completed", api.awaitEnd(first.getString("id")).getString("status"));
    JsonObject ended = api.awaitRun(queued.getString("id"), r -> r.getString("status").equals("completed"),
        Duration.ofSeconds(30));
    assertEquals("2026-06-02", ended.getJsonObject("params").getString("day"));
    assertEquals(List.of("day=2026-06-02"), lines(queued.getString("id")));

    HttpResponse<String> restarted = api.post("/api/runs/" + first.getString("id") + "/restart", null);
    assertEquals(201, restarted.statusCode(), restarted.body());
    JsonObject again = new JsonObject(restarted.body());
    assertEquals("2026-06-01", again.getJsonObject("params").getString("day"));
    api.awaitRun(again.getString("id"), r -> r.getString("status").equals("completed"), Duration.ofSeconds(30));
    assertEquals(List.of("day=2026-06-01"), lines(again.getString("id")));
  }

  @Test
  @DisplayName("an endpoint program with handle(request) sees each call's own params")
  void pooledHandlerSeesEachCallsParams() {
    create(new JsonObject().put("name", "handler").put("kind", "js").put("parameters", SCHEMA)
        .put("program", "function handle(request) { return {status: 200, body: {day: params.day}}; }")
        .put("endpoint", new JsonObject().put("method", "GET").put("path", "handler")));
    for (String day : List.of("2026-07-01", "2026-07-02", "2026-07-03")) {
      HttpResponse<String> answered = api.get("/hooks/handler?day=" + day);
      assertEquals(200, answered.statusCode(), answered.body());
      assertEquals(day, new JsonObject(answered.body()).getString("day"));
    }
  }
}
