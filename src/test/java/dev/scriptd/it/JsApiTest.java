package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("JavaScript: execute, execute-async, legacy logs and result, cache, limits, kill, metrics")
class JsApiTest {
  static final String UUID_RE = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  @TempDir
  Path dataDir;
  TestServer server;
  Api api;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort())
        // statements high enough that only the timeout stops a 1 s loop (statementLimit() lowers it)
        .put("js", new JsonObject().put("max_allocated_bytes", 64 << 20).put("max_statements", 1_000_000_000_000L));
    server = TestServer.start(vertx, config);
    api = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  HttpResponse<String> execute(String program) {
    return api.post("/api/execute", new JsonObject().put("program", program));
  }

  String executeAsync(String program) {
    HttpResponse<String> response = api.post("/api/execute-async", new JsonObject().put("program", program));
    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals(1, body.size(), body.encode());
    String id = body.getString("execution_id");
    assertTrue(id.matches(UUID_RE), id);
    return id;
  }

  JsonObject stats() {
    try {
      return server.vertx.eventBus().<JsonObject>request(Addresses.JS_STATS, null)
          .await(5, TimeUnit.SECONDS).body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName("POST /api/execute: 200 {result} with the last expression's value")
  void executeReturnsTheLastExpression() {
    HttpResponse<String> response = execute("let a = 20; const b = 22; logPrint('hi'); a + b");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(new JsonObject().put("result", 42), new JsonObject(response.body()));

    response = execute("({name: 'x', list: [1, 'two', true, null], nested: {f: 1.5}, fn() {}})");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(new JsonObject("{\"result\":{\"name\":\"x\",\"list\":[1,\"two\",true,null],\"nested\":{\"f\":1.5}}}"),
        new JsonObject(response.body()));

    assertEquals("{\"result\":null}", execute("undefined").body());
    assertEquals("{\"result\":\"text\"}", execute("'te' + 'xt'").body());
  }

  @Test
  @DisplayName("POST /api/execute: a JS error is 422 problem JSON with the message; a bad body is 400")
  void executeErrors() {
    HttpResponse<String> response = execute("throw new Error('boom')");
    assertEquals(422, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    JsonObject problem = new JsonObject(response.body());
    assertEquals(422, problem.getInteger("status"));
    assertTrue(problem.getString("detail").contains("Error: boom"), problem.encode());

    response = execute("this is not javascript");
    assertEquals(422, response.statusCode(), response.body());
    assertTrue(new JsonObject(response.body()).getString("detail").contains("SyntaxError"), response.body());

    response = api.send("POST", "/api/execute", "{not json");
    assertEquals(400, response.statusCode(), response.body());
    response = api.post("/api/execute", new JsonObject());
    assertEquals(400, response.statusCode(), response.body());
    assertTrue(new JsonObject(response.body()).getString("detail").contains("program"), response.body());
  }

  @Test
  @DisplayName("the sandbox: no host classes, no Java, no files, no processes")
  void sandbox() {
    for (String program : List.of("Java.type('java.lang.System').exit(1)", "Polyglot.import('x')",
        "load('/etc/passwd')", "require('fs')")) {
      HttpResponse<String> response = execute(program);
      assertEquals(422, response.statusCode(), program + " -> " + response.body());
    }
  }

  @Test
  @DisplayName("POST /api/execute-async: 200 {execution_id}; missing program is 400 {\"error\"} exactly")
  void executeAsyncAndResult() {
    HttpResponse<String> missing = api.post("/api/execute-async", new JsonObject());
    assertEquals(400, missing.statusCode());
    assertEquals(new JsonObject().put("error", "Missing program in request"), new JsonObject(missing.body()));

    String id = executeAsync("console.log('one'); console.error('two'); logPrint('three'); ({ok: true})");
    JsonObject run = api.awaitEnd(id);
    assertEquals("js", run.getString("kind"));
    assertEquals("completed", run.getString("status"), run.encode());
    assertNull(run.getString("command"));

    HttpResponse<String> response = api.get("/api/result/" + id);
    assertEquals(200, response.statusCode(), response.body());
    JsonObject result = new JsonObject(response.body());
    assertEquals(id, result.getString("execution_id"));
    assertEquals("completed", result.getString("status"));
    assertEquals(new JsonObject().put("value", new JsonObject().put("ok", true)).put("type", "object"),
        result.getJsonObject("result"));
    assertNull(result.getValue("error"));
    JsonArray logs = result.getJsonArray("logs");
    assertEquals(3, logs.size(), logs.encode());
    assertEquals("INFO", logs.getJsonObject(0).getString("level"));
    assertEquals("one", logs.getJsonObject(0).getString("message"));
    assertEquals("ERROR", logs.getJsonObject(1).getString("level"));
    assertEquals("two", logs.getJsonObject(1).getString("message"));
    assertTrue(logs.getJsonObject(2).getString("timestamp").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
    assertEquals(Set.of("timestamp", "level", "message"), logs.getJsonObject(0).fieldNames());

    response = api.get("/api/result/00000000-0000-0000-0000-000000000000");
    assertEquals(404, response.statusCode());
    assertEquals(new JsonObject().put("error", "Execution not found"), new JsonObject(response.body()));
    assertEquals(404, api.get("/api/result/nope").statusCode());
  }

  @Test
  @DisplayName("/api/result: 202 while running, 500 with the error once failed")
  void resultWhileRunningAndFailed() {
    String id = executeAsync("let i = 0; while (true) { i++; }");
    HttpResponse<String> running = api.get("/api/result/" + id);
    assertEquals(202, running.statusCode(), running.body());
    assertEquals("running", new JsonObject(running.body()).getString("status"));
    assertEquals(202, api.post("/api/runs/" + id + "/kill", null).statusCode());
    JsonObject run = api.awaitEnd(id);
    assertEquals("killed", run.getString("status"), run.encode());

    String failed = executeAsync("logPrint('before'); null.x");
    api.awaitEnd(failed);
    HttpResponse<String> response = api.get("/api/result/" + failed);
    assertEquals(500, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals("error", body.getString("status"));
    assertNull(body.getValue("result"));
    assertTrue(body.getString("error").contains("TypeError"), body.encode());
    assertEquals("before", body.getJsonArray("logs").getJsonObject(0).getString("message"));
  }

  @Test
  @DisplayName("GET /api/logs/{id}: unnamed events per line, then event done with {}, then close; 404 {error}")
  void legacyLogStream() throws Exception {
    String id = executeAsync("for (let i = 1; i <= 2000; i++) { if (i % 2) console.log('line ' + i); "
        + "else console.error('err ' + i); } 'done'");
    try (SseClient sse = new SseClient(api.client, api.base + "/api/logs/" + id,
        "Authorization", "Bearer " + api.token)) {
      assertEquals(200, sse.awaitResponse().statusCode());
      List<SseClient.Event> events = sse.untilClosed(Duration.ofSeconds(30));
      assertEquals(2001, events.size());
      for (int i = 0; i < 2000; i++) {
        SseClient.Event event = events.get(i);
        assertNull(event.event(), "line events are unnamed");
        assertNull(event.id());
        JsonObject data = new JsonObject(event.data());
        assertEquals(3, data.size(), data.encode());
        int n = i + 1;
        assertEquals(n % 2 == 1 ? "line " + n : "err " + n, data.getString("message"));
        assertEquals(n % 2 == 1 ? "INFO" : "ERROR", data.getString("level"));
        assertNotNull(data.getString("timestamp"));
      }
      assertEquals("done", events.get(2000).event());
      assertEquals("{}", events.get(2000).data());
    }
    List<JsonObject> stored = api.allLines(id);
    assertEquals(2000, stored.size());
    for (int i = 0; i < stored.size(); i++) {
      assertEquals(i + 1, stored.get(i).getLong("seq"), "one sequence from 1 without gaps");
      assertEquals(i % 2 == 0 ? "stdout" : "stderr", stored.get(i).getString("stream"));
    }
    HttpResponse<String> unknown = api.send("GET", "/api/logs/00000000-0000-0000-0000-000000000000", null,
        "Accept", "text/event-stream");
    assertEquals(404, unknown.statusCode());
    assertEquals(new JsonObject().put("error", "Execution not found"), new JsonObject(unknown.body()));
  }

  @Test
  @DisplayName("the same source is compiled once; a changed script is compiled again")
  void compilationCache() {
    long before = stats().getLong("compilations");
    assertEquals(200, execute("1 + 1 // cache probe").statusCode());
    assertEquals(before + 1, stats().getLong("compilations"));
    assertEquals(200, execute("1 + 1 // cache probe").statusCode());
    assertEquals(before + 1, stats().getLong("compilations"), "the second run reuses the compiled source");

    HttpResponse<String> created = api.post("/api/scripts", new JsonObject().put("name", "calc").put("kind", "js")
        .put("program", "logPrint('v1'); 1"));
    assertEquals(201, created.statusCode(), created.body());
    String scriptId = new JsonObject(created.body()).getString("id");
    long start = stats().getLong("compilations");
    runScriptAndAwait(scriptId, "v1");
    runScriptAndAwait(scriptId, "v1");
    assertEquals(start + 1, stats().getLong("compilations"));

    HttpResponse<String> updated = api.send("PUT", "/api/scripts/" + scriptId, new JsonObject().put("name", "calc")
        .put("kind", "js").put("program", "logPrint('v2'); 2").encode());
    assertEquals(200, updated.statusCode(), updated.body());
    runScriptAndAwait(scriptId, "v2");
    assertEquals(start + 2, stats().getLong("compilations"), "an update compiles the new version once");
    runScriptAndAwait(scriptId, "v2");
    assertEquals(start + 2, stats().getLong("compilations"));
  }

  void runScriptAndAwait(String scriptId, String expectedLine) {
    HttpResponse<String> response = api.post("/api/scripts/" + scriptId + "/run", null);
    assertEquals(201, response.statusCode(), response.body());
    JsonObject run = api.awaitEnd(new JsonObject(response.body()).getString("id"));
    assertEquals("completed", run.getString("status"), run.encode());
    assertEquals("js", run.getString("kind"));
    assertEquals(expectedLine, api.allLines(run.getString("id")).get(0).getString("line"));
  }

  @Test
  @DisplayName("an infinite loop times out; /health answers within 1 s meanwhile")
  void infiniteLoop() {
    HttpResponse<String> created = api.post("/api/scripts", new JsonObject().put("name", "spin").put("kind", "js")
        .put("timeout", 1).put("program", "while (true) {}"));
    assertEquals(201, created.statusCode(), created.body());
    String scriptId = new JsonObject(created.body()).getString("id");
    HttpResponse<String> started = api.post("/api/scripts/" + scriptId + "/run", null);
    assertEquals(201, started.statusCode(), started.body());
    String id = new JsonObject(started.body()).getString("id");
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> health = api.get("/health");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(200, health.statusCode(), health.body());
      assertTrue(ms < 1000, "health took " + ms + " ms while a loop spins");
    }
    JsonObject run = api.awaitEnd(id);
    assertEquals("timed_out", run.getString("status"), run.encode());
    assertTrue(run.getString("error").contains("timed out after 1 s"), run.encode());
    assertEquals(0, stats().getInteger("contexts_in_use"));
  }

  @Test
  @DisplayName("the statement limit fails an endless loop with a clear error")
  void statementLimit(Vertx vertx) throws Exception {
    server.close();
    server = TestServer.start(vertx, TestServer.config(dataDir, TestServer.freePort())
        .put("js", new JsonObject().put("max_statements", 1_000_000)));
    api = server.api;
    HttpResponse<String> counted = execute("let n = 0; for (;;) { n++; }");
    assertEquals(422, counted.statusCode(), counted.body());
    assertTrue(new JsonObject(counted.body()).getString("detail").contains("statement limit exceeded"),
        counted.body());
    assertEquals(0, stats().getInteger("contexts_in_use"));
  }

  @Test
  @DisplayName("a memory bomb fails with 'memory limit exceeded' and the server stays up")
  void memoryBomb() {
    HttpResponse<String> response = execute("const hog = []; while (true) { hog.push('x'.repeat(1024) + hog.length); }");
    assertEquals(422, response.statusCode(), response.body());
    assertTrue(new JsonObject(response.body()).getString("detail").contains("memory limit exceeded"), response.body());
    assertEquals(200, api.get("/health").statusCode());
    assertEquals("{\"result\":3}", execute("1 + 2").body());
  }

  /** Creates a js script and returns its id. */
  String createJsScript(JsonObject definition) {
    HttpResponse<String> created = api.post("/api/scripts", definition.put("kind", "js"));
    assertEquals(201, created.statusCode(), created.body());
    return new JsonObject(created.body()).getString("id");
  }

  JsonObject runJsScript(String scriptId) {
    HttpResponse<String> started = api.post("/api/scripts/" + scriptId + "/run", null);
    assertEquals(201, started.statusCode(), started.body());
    return api.awaitEnd(new JsonObject(started.body()).getString("id"));
  }

  List<String> texts(String runId) {
    return api.allLines(runId).stream().map(line -> line.getString("line")).toList();
  }

  @Test
  @DisplayName("a js script's secret env value printed by its program is *** in JSON, SSE, legacy logs, log.txt, error and result")
  void secretsAreMasked() throws Exception {
    String secret = "js-s3cr3t-" + java.util.UUID.randomUUID();
    int half = secret.length() / 2;
    // the program puts the value together, so it is its output that is masked, not its source
    String value = "'" + secret.substring(0, half) + "' + '" + secret.substring(half) + "'";
    JsonObject env = new JsonObject().put("API_KEY", new JsonObject().put("value", secret).put("secret", true))
        .put("PLAIN", "visible");
    String scriptId = createJsScript(new JsonObject().put("name", "js-secret").put("env", env).put("program",
        "const v = " + value + "; console.log('key=' + v); console.error('twice ' + v + '/' + v);"
            + " console.log('plain=visible'); ({seen: v, list: [v]})"));
    JsonObject run = runJsScript(scriptId);
    String id = run.getString("id");
    assertEquals("completed", run.getString("status"), run.encode());
    assertEquals(List.of("key=***", "twice ***/***", "plain=visible"), texts(id));
    assertEquals(new JsonObject().put("seen", "***").put("list", new JsonArray().add("***")), run.getJsonObject("result"));
    HttpResponse<String> text = api.get("/api/runs/" + id + "/log.txt");
    assertTrue(text.body().contains("key=***"), text.body());
    HttpResponse<String> result = api.get("/api/result/" + id);
    assertTrue(result.body().contains("twice ***/***"), result.body());
    for (String path : List.of("/api/runs/" + id + "/logs", "/api/logs/" + id)) {
      try (SseClient sse = new SseClient(api.client, api.base + path, "Authorization", "Bearer " + api.token)) {
        List<SseClient.Event> events = sse.untilClosed(Duration.ofSeconds(30));
        assertTrue(events.stream().anyMatch(e -> e.data() != null && e.data().contains("key=***")), path + events);
        assertTrue(events.stream().noneMatch(e -> e.data() != null && e.data().contains(secret)), path);
      }
    }
    String failingId = createJsScript(new JsonObject().put("name", "js-secret-error").put("env", env)
        .put("program", "throw new Error('bad key ' + " + value + ")"));
    JsonObject failed = runJsScript(failingId);
    assertEquals("failed", failed.getString("status"), failed.encode());
    assertTrue(failed.getString("error").contains("bad key ***"), failed.encode());
    for (String body : List.of(text.body(), result.body(), api.get("/api/runs/" + id).body(),
        api.get("/api/runs").body(), api.get("/api/runs/" + failed.getString("id")).body(),
        api.get("/api/scripts/js-secret").body())) {
      assertFalse(body.contains(secret), body);
    }
  }

  @Test
  @DisplayName("a js log bomb is truncated at the script's max_log_bytes (the program runs on), or killed with on_log_limit = kill")
  void logBomb() {
    String truncating = createJsScript(new JsonObject().put("name", "js-bomb").put("timeout", 30)
        .put("limits", new JsonObject().put("max_log_bytes", 4096))
        .put("program", "for (let i = 0; i < 100000; i++) { console.log('line ' + i); } 'done'"));
    JsonObject run = runJsScript(truncating);
    assertEquals("completed", run.getString("status"), run.encode());
    assertEquals("done", run.getString("result"), "the program ran to its end");
    assertTrue(run.getString("error").contains("output truncated at 4096 bytes"), run.encode());
    List<JsonObject> lines = api.allLines(run.getString("id"));
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(i + 1, lines.get(i).getLong("seq"), "no gaps");
    }
    String last = lines.get(lines.size() - 1).getString("line");
    assertEquals("[scriptd] output truncated at " + run.getLong("log_bytes") + " bytes (limits.max_log_bytes = 4096)",
        last);
    long stored = lines.stream().limit(lines.size() - 1).mapToLong(l -> l.getString("line").length() + 1).sum();
    assertEquals(stored, run.getLong("log_bytes"));
    assertTrue(stored <= 4096, "stored " + stored);
    assertEquals(lines.size(), run.getLong("log_lines"));

    String killing = createJsScript(new JsonObject().put("name", "js-bomb-kill").put("timeout", 30)
        .put("limits", new JsonObject().put("max_log_bytes", 4096).put("on_log_limit", "kill"))
        .put("program", "while (true) { console.log('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'); }"));
    JsonObject killed = runJsScript(killing);
    assertEquals("failed", killed.getString("status"), killed.encode());
    assertTrue(killed.getString("error").contains("output exceeded 4096 bytes (limits.max_log_bytes); the run was killed"),
        killed.encode());
    List<String> killedLines = texts(killed.getString("id"));
    assertTrue(killedLines.get(killedLines.size() - 1).startsWith("[scriptd] output truncated"), killedLines.toString());
    assertEquals(0, stats().getInteger("contexts_in_use"));
  }

  @Test
  @DisplayName("metrics: script_executions_total and the duration histogram count js runs")
  void metrics() {
    assertEquals(200, execute("1").statusCode());
    assertEquals(422, execute("throw 1").statusCode());
    Scrape scrape = Scrape.of(api);
    assertEquals(1.0, scrape.value("script_executions_total", "script_id", "adhoc", "type", "js", "status", "completed"));
    assertEquals(1.0, scrape.value("script_executions_total", "script_id", "adhoc", "type", "js", "status", "failed"));
    assertEquals(1.0, scrape.value("script_execution_duration_seconds_count", "script_id", "adhoc", "type", "js",
        "status", "completed"));
    assertEquals(0.0, scrape.value("active_vms_gauge"));
  }
}
