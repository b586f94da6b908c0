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
@DisplayName("Runs API over real HTTP, real processes and a real SQLite file")
class RunsApiTest {
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

  /** Every field of the run object as the contract lists it. */
  static final Set<String> RUN_FIELDS = Set.of("id", "script_id", "kind", "command", "status", "exit_code", "pid",
      "progress", "trigger", "created_at", "started_at", "ended_at", "duration_ms", "timeout", "log_lines",
      "log_bytes", "restarted_from", "result", "error", "params", "outputs", "parent_run_id", "retry_of", "attempt",
      "not_before", "pinned", "created_by", "node", "usage");

  @Test
  @DisplayName("a command that exits 0 completes, with every field of the run object, its lines, exit code, pid and times")
  void completedRun() {
    JsonObject started = api.startRun("echo hello; echo world");
    assertEquals("running", started.getString("status"));
    assertEquals("api", started.getString("trigger"));
    assertEquals("shell", started.getString("kind"));
    assertNotNull(started.getInteger("pid"));
    JsonObject run = api.awaitEnd(started.getString("id"));
    assertTrue(run.fieldNames().containsAll(RUN_FIELDS), "missing: " + RUN_FIELDS.stream()
        .filter(field -> !run.containsKey(field)).toList());
    assertNull(run.getValue("node"));
    assertEquals("completed", run.getString("status"));
    assertEquals(0, run.getInteger("exit_code"));
    assertEquals(2, run.getLong("log_lines"));
    assertEquals(12, run.getLong("log_bytes"));
    assertNotNull(run.getString("ended_at"));
    assertTrue(run.getLong("duration_ms") >= 0);
    List<JsonObject> lines = api.allLines(run.getString("id"));
    assertEquals(List.of("hello", "world"), lines.stream().map(l -> l.getString("line")).toList());
  }

  @Test
  @DisplayName("a non-zero exit fails the run with that exit code")
  void failedRun() {
    JsonObject run = api.awaitEnd(api.startRun("echo oops >&2; exit 7").getString("id"));
    assertEquals("failed", run.getString("status"));
    assertEquals(7, run.getInteger("exit_code"));
    JsonObject line = api.allLines(run.getString("id")).get(0);
    assertEquals("stderr", line.getString("stream"));
    assertEquals("oops", line.getString("line"));
  }

  @Test
  @DisplayName("stdout and stderr share one gap-free sequence in arrival order")
  void interleavedStreams() {
    String command = "for i in $(seq 1 50); do echo out$i; echo err$i >&2; done";
    String id = api.startRun(command).getString("id");
    api.awaitEnd(id);
    List<JsonObject> lines = api.allLines(id);
    assertEquals(100, lines.size());
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(i + 1, lines.get(i).getLong("seq"));
    }
    List<String> out = lines.stream().filter(l -> l.getString("stream").equals("stdout")).map(l -> l.getString("line")).toList();
    List<String> err = lines.stream().filter(l -> l.getString("stream").equals("stderr")).map(l -> l.getString("line")).toList();
    assertEquals(50, out.size());
    assertEquals(50, err.size());
    for (int i = 0; i < 50; i++) {
      assertEquals("out" + (i + 1), out.get(i));
      assertEquals("err" + (i + 1), err.get(i));
    }
  }

  @Test
  @DisplayName("a last line without a newline is kept when the stream closes")
  void partialLastLine() {
    String id = api.startRun("printf 'first\\nno newline at the end'").getString("id");
    api.awaitEnd(id);
    assertEquals(List.of("first", "no newline at the end"),
        api.allLines(id).stream().map(l -> l.getString("line")).toList());
  }

  @Test
  @DisplayName("ANSI escapes are stored as they are, and log.txt strips them on request")
  void ansiKeptAndStripped() {
    String id = api.startRun("printf '\\033[31mred\\033[0m plain\\n'").getString("id");
    api.awaitEnd(id);
    assertEquals("\u001B[31mred\u001B[0m plain", api.allLines(id).get(0).getString("line"));
    HttpResponse<String> kept = api.get("/api/runs/" + id + "/log.txt");
    assertEquals(200, kept.statusCode());
    assertTrue(kept.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    assertEquals("\u001B[31mred\u001B[0m plain\n", kept.body());
    assertEquals("red plain\n", api.get("/api/runs/" + id + "/log.txt?ansi=strip").body());
  }

  @Test
  @DisplayName("100,000 lines are stored complete and in order")
  void hundredThousandLines() {
    String id = api.startRun("seq 1 100000").getString("id");
    JsonObject run = api.awaitEnd(id);
    assertEquals("completed", run.getString("status"));
    assertEquals(100_000, run.getLong("log_lines"));
    List<JsonObject> lines = api.allLines(id);
    assertEquals(100_000, lines.size());
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(i + 1, lines.get(i).getLong("seq"));
      assertEquals(String.valueOf(i + 1), lines.get(i).getString("line"));
    }
    HttpResponse<String> text = api.get("/api/runs/" + id + "/log.txt");
    assertEquals(100_000, text.body().lines().count());
  }

  @Test
  @DisplayName("kill ends the run as killed and leaves no process of its group")
  void killWholeGroup() {
    JsonObject run = api.startRun("sleep 300 & sleep 300 & wait");
    String id = run.getString("id");
    int pgid = run.getInteger("pid");
    Processes.awaitGroupSize(pgid, 3, Duration.ofSeconds(10));
    HttpResponse<String> kill = api.post("/api/runs/" + id + "/kill", null);
    assertEquals(202, kill.statusCode(), kill.body());
    assertEquals(id, new JsonObject(kill.body()).getString("id"));
    JsonObject ended = api.awaitEnd(id);
    assertEquals("killed", ended.getString("status"));
    Processes.awaitGroupGone(pgid, Duration.ofSeconds(10));
    assertEquals(409, api.post("/api/runs/" + id + "/kill", null).statusCode());
  }

  @Test
  @DisplayName("a run ends when its shell exits, though a background child holds its stdout; the child is ended first")
  void endsWhenTheShellExits() {
    JsonObject started = api.startRun("sleep 300 & echo $!; echo hi");
    String id = started.getString("id");
    JsonObject run = api.awaitRun(id, r -> !r.getString("status").equals("running"), Duration.ofSeconds(3));
    assertEquals("completed", run.getString("status"));
    assertEquals(0, run.getInteger("exit_code"));
    List<JsonObject> lines = api.allLines(id);
    assertEquals(List.of(1L, 2L), lines.stream().map(l -> l.getLong("seq")).toList());
    assertEquals("hi", lines.get(1).getString("line"));
    int sleep = Integer.parseInt(lines.get(0).getString("line"));
    // gone, or a zombie left to an init that does not reap orphans: not running either way
    assertFalse(Processes.group(started.getInteger("pid")).contains(sleep), "the background sleep outlived its run");
    assertEquals(List.of(), Processes.group(started.getInteger("pid")));
  }

  @Test
  @DisplayName("a run that exceeds its timeout ends as timed_out")
  void timeout() {
    JsonObject run = api.startRun(new JsonObject().put("command", "sleep 30").put("timeout", 1));
    assertEquals(1, run.getLong("timeout"));
    JsonObject ended = api.awaitEnd(run.getString("id"));
    assertEquals("timed_out", ended.getString("status"));
    Processes.awaitGroupGone(run.getInteger("pid"), Duration.ofSeconds(10));
  }

  @Test
  @DisplayName("restart starts the same command again as a new run pointing back to the old one")
  void restart() {
    JsonObject first = api.startRun(new JsonObject().put("command", "echo $GREETING; sleep 300")
        .put("env", new JsonObject().put("GREETING", "hi")));
    HttpResponse<String> response = api.post("/api/runs/" + first.getString("id") + "/restart", null);
    assertEquals(201, response.statusCode(), response.body());
    JsonObject second = new JsonObject(response.body());
    assertEquals(first.getString("id"), second.getString("restarted_from"));
    assertEquals("restart", second.getString("trigger"));
    assertEquals(first.getString("command"), second.getString("command"));
    assertEquals("killed", api.run(first.getString("id")).getString("status"));
    api.awaitRun(second.getString("id"), r -> r.getLong("log_lines") >= 1, Duration.ofSeconds(10));
    assertEquals("hi", api.allLines(second.getString("id")).get(0).getString("line"));
    api.post("/api/runs/" + second.getString("id") + "/kill", null);
    api.awaitEnd(second.getString("id"));
  }

  @Test
  @DisplayName("a running run cannot be deleted; a finished one is deleted with its logs")
  void deleteRules() {
    JsonObject run = api.startRun("sleep 300");
    String id = run.getString("id");
    HttpResponse<String> refused = api.send("DELETE", "/api/runs/" + id, null);
    assertEquals(409, refused.statusCode());
    assertProblem(refused);
    api.post("/api/runs/" + id + "/kill", null);
    api.awaitEnd(id);
    assertEquals(204, api.send("DELETE", "/api/runs/" + id, null).statusCode());
    assertEquals(404, api.get("/api/runs/" + id).statusCode());
    assertEquals(404, api.get("/api/runs/" + id + "/logs").statusCode());
  }

  @Test
  @DisplayName("the history lists runs newest first with a working cursor")
  void history() {
    for (int i = 0; i < 5; i++) {
      api.awaitEnd(api.startRun("exit " + (i % 2)).getString("id"));
    }
    JsonObject first = new JsonObject(api.get("/api/runs?limit=3").body());
    assertEquals(3, first.getJsonArray("items").size());
    assertNotNull(first.getString("next_cursor"));
    JsonObject second = new JsonObject(api.get("/api/runs?limit=3&cursor=" + first.getString("next_cursor")).body());
    assertEquals(2, second.getJsonArray("items").size());
    assertNull(second.getString("next_cursor"));
    Set<String> ids = new java.util.HashSet<>();
    first.getJsonArray("items").forEach(r -> ids.add(((JsonObject) r).getString("id")));
    second.getJsonArray("items").forEach(r -> ids.add(((JsonObject) r).getString("id")));
    assertEquals(5, ids.size());
    JsonArray failed = new JsonObject(api.get("/api/runs?status=failed").body()).getJsonArray("items");
    assertEquals(2, failed.size());
  }

  @Test
  @DisplayName("bad input is a 4xx problem+json that says what is wrong")
  void badInput() {
    assertProblem(api.send("POST", "/api/runs", "{not json"), 400);
    assertProblem(api.send("POST", "/api/runs", "[1,2]"), 400);
    HttpResponse<String> missing = api.send("POST", "/api/runs", "{}");
    assertProblem(missing, 400);
    assertEquals("command", new JsonObject(missing.body()).getJsonArray("errors").getJsonObject(0).getString("field"));
    HttpResponse<String> wrongTypes = api.send("POST", "/api/runs", "{\"command\": 5, \"timeout\": \"x\", \"env\": []}");
    assertProblem(wrongTypes, 400);
    Set<String> fields = new JsonObject(wrongTypes.body()).getJsonArray("errors").stream()
        .map(e -> ((JsonObject) e).getString("field")).collect(Collectors.toSet());
    assertEquals(Set.of("command", "timeout", "env"), fields);
    assertProblem(api.send("POST", "/api/runs", "{\"command\": \"true\", \"timeout\": 0}"), 400);
    assertProblem(api.send("POST", "/api/runs", "{\"command\": \"true\", \"timeout\": 604801}"), 400);
    assertProblem(api.send("POST", "/api/runs", "{\"command\": \"true\", \"cwd\": \"/no/such/dir\"}"), 400);
    assertProblem(api.get("/api/runs/00000000-0000-0000-0000-000000000000"), 404);
    assertProblem(api.get("/api/runs/not-a-uuid"), 404);
    assertProblem(api.post("/api/runs/00000000-0000-0000-0000-000000000000/kill", null), 404);
    assertProblem(api.post("/api/runs/00000000-0000-0000-0000-000000000000/restart", null), 404);
    assertProblem(api.get("/api/no-such-route"), 404);
    assertProblem(api.get("/api/runs?limit=0"), 400);
    assertProblem(api.get("/api/runs?limit=abc"), 400);
    assertProblem(api.get("/api/runs?status=sleeping"), 400);
    assertProblem(api.get("/api/runs?from=yesterday"), 400);
    assertProblem(api.get("/api/runs?cursor=garbage-cursor"), 400);
    assertProblem(api.send("POST", "/api/runs", "{\"command\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}"), 413);
  }

  @Test
  @DisplayName("health reports the database")
  void health() {
    HttpResponse<String> response = api.get("/health");
    assertEquals(200, response.statusCode());
    JsonObject health = new JsonObject(response.body());
    assertEquals("UP", health.getString("status"));
    assertEquals("UP", health.getJsonObject("checks").getJsonObject("database").getString("status"));
  }

  static void assertProblem(HttpResponse<String> response, int status) {
    assertEquals(status, response.statusCode(), response.body());
    assertProblem(response);
  }

  static void assertProblem(HttpResponse<String> response) {
    assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
    JsonObject problem = new JsonObject(response.body());
    assertEquals(response.statusCode(), problem.getInteger("status"));
    assertNotNull(problem.getString("title"));
    assertNotNull(problem.getString("type"));
    assertFalse(problem.getString("detail", "").isBlank());
    assertFalse(response.body().contains("Exception"), response.body());
  }
}
