package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Endpoints: METHOD /hooks/{path} served by js and shell scripts, changed at runtime")
class HooksTest {
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
    server = TestServer.start(vertx, TestServer.config(dataDir, TestServer.freePort(), databaseUrl())
        .put("js", new JsonObject().put("context_max_uses", 3)));
    api = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  JsonObject create(JsonObject script) {
    HttpResponse<String> response = api.post("/api/scripts", script);
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  static JsonObject endpoint(String method, String path) {
    return new JsonObject().put("method", method).put("path", path).put("auth", "public");
  }

  static JsonObject js(String name, String program, JsonObject endpoint) {
    return new JsonObject().put("name", name).put("kind", "js").put("program", program).put("endpoint", endpoint);
  }

  void assertProblem(HttpResponse<String> response, int status) {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
        response.headers().toString());
    JsonObject problem = new JsonObject(response.body());
    assertEquals(status, problem.getInteger("status"));
    assertTrue(problem.getString("detail").length() > 10, problem.encode());
  }

  @Test
  @DisplayName("a JS handle(request) gets the request and answers with its status, headers and an object body as JSON")
  void jsHandler() {
    create(js("echo", """
        function handle(request) {
          console.log('called ' + request.method);
          return {status: 201, headers: {'X-Echo': 'yes'},
                  body: {method: request.method, path: request.path, q: request.query.q,
                         agent: request.headers['x-agent'], body: request.body, json: request.json}};
        }""", endpoint("POST", "tools/echo")));
    HttpResponse<String> response = api.send("POST", "/hooks/tools/echo?q=42", "{\"a\":[1,2]}", "X-Agent", "tester");
    assertEquals(201, response.statusCode(), response.body());
    assertEquals("yes", response.headers().firstValue("X-Echo").orElse(null));
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonObject body = new JsonObject(response.body());
    assertEquals("POST", body.getString("method"));
    assertEquals("/hooks/tools/echo", body.getString("path"));
    assertEquals("42", body.getString("q"));
    assertEquals("tester", body.getString("agent"));
    assertEquals("{\"a\":[1,2]}", body.getString("body"));
    assertEquals(new JsonObject("{\"a\":[1,2]}"), body.getJsonObject("json"));

    JsonObject runs = new JsonObject(api.get("/api/runs?limit=10").body());
    JsonObject run = runs.getJsonArray("items").getJsonObject(0);
    assertEquals("endpoint", run.getString("trigger"));
    assertEquals("js", run.getString("kind"));
    assertEquals("called POST", api.allLines(run.getString("id")).get(0).getString("line"));

    // the last expression answers when there is no handle(); a string body is text
    create(js("text", "'hello ' + request.query.name", endpoint("GET", "text")));
    response = api.get("/hooks/text?name=you");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("hello you", response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));

    // a failing program is a 502 problem, a spinning one a 504 at the script's timeout
    create(js("broken", "throw new Error('nope')", endpoint("GET", "broken")));
    assertProblem(api.get("/hooks/broken"), 502);
    create(js("slow", "while (true) {}", endpoint("GET", "slow")).put("timeout", 1));
    assertProblem(api.get("/hooks/slow"), 504);
  }

  @Test
  @DisplayName("a method no script serves on a served path is 404, as the contract says, with Allow and the detail listing the methods served there; an unserved path is 404 without Allow")
  void wrongMethodIs404WithAllow() {
    create(js("read", "'read'", endpoint("GET", "items/list")));
    create(js("write", "'written'", endpoint("POST", "items/list")));
    create(js("other", "'other'", endpoint("DELETE", "items/list/extra")));

    HttpResponse<String> put = api.send("PUT", "/hooks/items/list", "");
    assertProblem(put, 404);
    assertEquals("GET, POST", put.headers().firstValue("Allow").orElse(null), put.headers().toString());
    assertTrue(new JsonObject(put.body()).getString("detail").contains("GET, POST"), put.body());
    HttpResponse<String> delete = api.send("DELETE", "/hooks/items/list/", null);
    assertProblem(delete, 404);
    assertEquals("GET, POST", delete.headers().firstValue("Allow").orElse(null));
    assertEquals("read", api.get("/hooks/items/list").body());
    assertEquals("written", api.post("/hooks/items/list", null).body());

    for (String path : List.of("/hooks/items", "/hooks/list", "/hooks/items/list/other")) {
      HttpResponse<String> unserved = api.send("PUT", path, "");
      assertProblem(unserved, 404);
      assertTrue(unserved.headers().firstValue("Allow").isEmpty(), path + ": " + unserved.headers());
    }
  }

  @Test
  @DisplayName("two scripts cannot serve the same method and path: create, update and apply are 409 naming the script that serves it")
  void sameRouteTwiceIsConflict() {
    create(js("first", "'first'", endpoint("GET", "shared/route")));
    HttpResponse<String> created = api.post("/api/scripts", js("second", "'second'", endpoint("get", "/shared/route")));
    assertProblem(created, 409);
    assertTrue(new JsonObject(created.body()).getString("detail").contains("'first'"), created.body());

    String otherId = create(js("other", "'other'", endpoint("POST", "shared/route"))).getString("id");
    HttpResponse<String> updated = api.send("PUT", "/api/scripts/" + otherId,
        js("other", "'other'", endpoint("GET", "shared/route")).encode());
    assertProblem(updated, 409);
    assertTrue(new JsonObject(updated.body()).getString("detail").contains("'first'"), updated.body());

    HttpResponse<String> applied = api.post("/api/scripts/apply", new JsonObject().put("scripts",
        new io.vertx.core.json.JsonArray().add(js("third", "'third'", endpoint("GET", "shared/route")))));
    assertProblem(applied, 409);
    assertTrue(new JsonObject(applied.body()).getString("detail").contains("'first'"), applied.body());

    // two scripts may swap their routes in one apply
    HttpResponse<String> swapped = api.post("/api/scripts/apply", new JsonObject().put("scripts",
        new io.vertx.core.json.JsonArray().add(js("first", "'first'", endpoint("POST", "shared/route")))
            .add(js("other", "'other'", endpoint("GET", "shared/route")))));
    assertEquals(200, swapped.statusCode(), swapped.body());
    assertEquals("other", api.get("/hooks/shared/route").body());
    assertEquals("first", api.post("/hooks/shared/route", null).body());
    assertEquals(List.of("first", "other"), scriptNames());
  }

  @Test
  @DisplayName("of simultaneous creates of scripts on one route exactly one is created, the others are 409")
  void simultaneousCreatesOnOneRoute() throws Exception {
    int callers = 6;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(callers);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<HttpResponse<String>>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < callers; i++) {
        JsonObject script = js("racer-" + i, "'" + i + "'", endpoint("PUT", "race"));
        answers.add(pool.submit(() -> {
          go.await();
          return api.post("/api/scripts", script);
        }));
      }
      go.countDown();
      int created = 0;
      for (java.util.concurrent.Future<HttpResponse<String>> answer : answers) {
        HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
        if (response.statusCode() == 201) {
          created++;
        } else {
          assertProblem(response, 409);
        }
      }
      assertEquals(1, created);
      assertEquals(1, scriptNames().size());
    } finally {
      pool.shutdownNow();
    }
  }

  List<String> scriptNames() {
    HttpResponse<String> list = api.get("/api/scripts");
    assertEquals(200, list.statusCode(), list.body());
    return new JsonObject(list.body()).getJsonArray("items").stream()
        .map(item -> ((JsonObject) item).getString("name")).toList();
  }

  @Test
  @DisplayName("endpoints appear, change and disappear at once with create, update and delete; unknown is 404")
  void runtimeChanges() {
    assertProblem(api.get("/hooks/greet"), 404);
    JsonObject script = create(js("greet", "'v1'", endpoint("GET", "greet")));
    String id = script.getString("id");
    assertEquals("v1", api.get("/hooks/greet").body());
    assertProblem(api.post("/hooks/greet", null), 404); // another method

    HttpResponse<String> updated = api.send("PUT", "/api/scripts/" + id,
        js("greet", "'v2'", endpoint("GET", "greet")).encode());
    assertEquals(200, updated.statusCode(), updated.body());
    assertEquals("v2", api.get("/hooks/greet").body());

    updated = api.send("PUT", "/api/scripts/" + id, js("greet", "'moved'", endpoint("PUT", "hello/there")).encode());
    assertEquals(200, updated.statusCode(), updated.body());
    assertProblem(api.get("/hooks/greet"), 404);
    assertEquals("moved", api.send("PUT", "/hooks/hello/there", "").body());

    assertEquals(204, api.send("DELETE", "/api/scripts/" + id, null).statusCode());
    assertProblem(api.send("PUT", "/hooks/hello/there", ""), 404);
    assertProblem(api.get("/hooks/"), 404);
  }

  @Test
  @DisplayName("a shell endpoint gets the body on stdin and the request in SCRIPTD_*; 202 {run_id}, or ?wait=true 200 stdout, 502 on failure")
  void shellEndpoint() {
    create(new JsonObject().put("name", "sh").put("command",
            "cat; echo; echo \"$SCRIPTD_REQUEST_METHOD $SCRIPTD_REQUEST_PATH q=$SCRIPTD_QUERY_MY_PARAM "
                + "h=$SCRIPTD_HEADER_X_CUSTOM_THING\"; echo oops >&2")
        .put("endpoint", endpoint("POST", "shell")));
    HttpResponse<String> response = api.send("POST", "/hooks/shell?wait=true&my-param=7", "from stdin",
        "X-Custom-Thing", "hdr");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("from stdin\nPOST /hooks/shell q=7 h=hdr\n", response.body());

    response = api.send("POST", "/hooks/shell", "later");
    assertEquals(202, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals(1, body.size());
    JsonObject run = api.awaitEnd(body.getString("run_id"));
    assertEquals("completed", run.getString("status"));
    assertEquals("endpoint", run.getString("trigger"));
    assertEquals("later", api.allLines(run.getString("id")).get(0).getString("line"));

    create(new JsonObject().put("name", "fails").put("command", "echo partial; exit 3")
        .put("endpoint", endpoint("GET", "fails")));
    response = api.get("/hooks/fails?wait=true");
    assertProblem(response, 502);
    assertTrue(new JsonObject(response.body()).getString("detail").contains("exit code 3"), response.body());
  }

  @Test
  @DisplayName("a call to a queue script's endpoint that has to wait keeps its body: its run reads it on stdin when its turn comes")
  void queuedEndpointCallKeepsItsBody() throws Exception {
    java.nio.file.Path gate = java.nio.file.Files.createTempFile("hooks-gate", "");
    java.nio.file.Files.delete(gate);
    create(new JsonObject().put("name", "queued-sh").put("concurrency", "queue")
        .put("command", "while [ ! -e '" + gate + "' ]; do sleep 0.02; done; cat")
        .put("endpoint", endpoint("POST", "queued")));
    HttpResponse<String> first = api.send("POST", "/hooks/queued", "first body");
    assertEquals(202, first.statusCode(), first.body());
    HttpResponse<String> second = api.send("POST", "/hooks/queued", "second body");
    assertEquals(202, second.statusCode(), second.body());
    String secondId = new JsonObject(second.body()).getString("run_id");
    assertEquals("pending", api.run(secondId).getString("status"), "the second call waits");
    java.nio.file.Files.createFile(gate);
    try {
      JsonObject run = api.awaitEnd(secondId);
      assertEquals("completed", run.getString("status"), run.encode());
      assertEquals("second body", api.allLines(secondId).get(0).getString("line"));
      assertEquals("first body", api.allLines(new JsonObject(first.body()).getString("run_id")).get(0).getString("line"));
    } finally {
      java.nio.file.Files.deleteIfExists(gate);
    }
  }

  JsonObject stats() {
    try {
      return server.vertx.eventBus().<JsonObject>request(Addresses.JS_STATS, null).await(5, TimeUnit.SECONDS).body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName("a handle() endpoint reuses its context (compiled once, evaluated once) until js.context_max_uses")
  void pooledHandlerContexts() {
    JsonObject script = create(js("count", "let calls = 0; function handle(request) { calls++; return {body: calls}; }",
        endpoint("GET", "count")));
    long created = stats().getLong("contexts_created");
    long compiled = stats().getLong("compilations");
    for (int i = 1; i <= 3; i++) {
      assertEquals(Integer.toString(i), api.get("/hooks/count").body(), "the same context serves call " + i);
    }
    assertEquals(created + 1, stats().getLong("contexts_created"));
    // context_max_uses is 3: the fourth call gets a fresh context, the source stays compiled
    assertEquals("1", api.get("/hooks/count").body());
    assertEquals("2", api.get("/hooks/count").body());
    assertEquals(created + 2, stats().getLong("contexts_created"));
    assertEquals(compiled + 1, stats().getLong("compilations"));
    assertEquals(0, stats().getInteger("contexts_in_use"));

    // an update drops the pooled context and the compiled source
    HttpResponse<String> updated = api.send("PUT", "/api/scripts/" + script.getString("id"),
        js("count", "let calls = 100; function handle(request) { calls++; return {body: calls}; }",
            endpoint("GET", "count")).encode());
    assertEquals(200, updated.statusCode(), updated.body());
    assertEquals("101", api.get("/hooks/count").body());
    assertEquals("102", api.get("/hooks/count").body());
    assertEquals(created + 3, stats().getLong("contexts_created"));
    assertEquals(compiled + 2, stats().getLong("compilations"));
  }

  @Test
  @DisplayName("a plain endpoint program (top-level let, no handle) reuses its context until js.context_max_uses, each call answering its own request")
  void pooledPlainProgramContexts() {
    create(js("echo", "let n = Number(request.query.n);\nconst doubled = n * 2;\n({body: {n, doubled}})",
        endpoint("GET", "double")));
    long created = stats().getLong("contexts_created");
    for (int i = 1; i <= 3; i++) {
      HttpResponse<String> response = api.get("/hooks/double?n=" + i);
      assertEquals(200, response.statusCode(), response.body());
      assertEquals(new JsonObject().put("n", i).put("doubled", 2 * i), new JsonObject(response.body()),
          "call " + i + " answers from its own request");
    }
    assertEquals(created + 1, stats().getLong("contexts_created"), "one context served the three calls");
    assertEquals(200, api.get("/hooks/double?n=4").statusCode());
    assertEquals(created + 2, stats().getLong("contexts_created"), "js.context_max_uses is 3");
    assertEquals(0, stats().getInteger("contexts_in_use"));
  }

  @Test
  @DisplayName("an auth: token endpoint refuses a call without a valid token (401)")
  void tokenEndpoint() {
    create(js("secret", "'s'", endpoint("GET", "secret").put("auth", "token")));
    assertProblem(api.as(null).get("/hooks/secret"), 401);
    assertProblem(api.as("sd_not-a-valid-token-000000000000").get("/hooks/secret"), 401);
    assertEquals(200, api.get("/hooks/secret").statusCode(), "the admin token is valid");
  }
}
