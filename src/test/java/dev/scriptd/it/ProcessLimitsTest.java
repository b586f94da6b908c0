package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Process limits, run queueing, output caps and secret masking, with real children")
class ProcessLimitsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir
  Path dataDir;
  TestServer server;
  Api api;

  void start(Vertx vertx, JsonObject limits) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort()).put("rate_limit", 0).put("limits", limits);
    server = TestServer.start(vertx, config);
    api = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private JsonObject runToEnd(String command) {
    String id = api.startRun(command).getString("id");
    return api.awaitRun(id, r -> !Set.of("pending", "running").contains(r.getString("status")), WAIT);
  }

  private List<String> texts(String runId) {
    return api.allLines(runId).stream().map(l -> l.getString("line")).toList();
  }

  private static final String MEMORY_HOG = "head -c 100000000 /dev/zero | tr '\\0' a | { v=$(cat); echo ${#v}; }";

  /** Creates a shell script with these limits (201 expected) and returns the script object. */
  private JsonObject createScript(String name, String command, JsonObject limits) {
    HttpResponse<String> created = api.post("/api/scripts", new JsonObject().put("name", name)
        .put("command", command).put("timeout", 60).put("limits", limits));
    assertEquals(201, created.statusCode(), created.body());
    return new JsonObject(created.body());
  }

  private JsonObject runScriptToEnd(String name) {
    HttpResponse<String> started = api.post("/api/scripts/" + name + "/run", null);
    assertEquals(201, started.statusCode(), started.body());
    return api.awaitEnd(new JsonObject(started.body()).getString("id"));
  }

  private static Set<String> errorFields(HttpResponse<String> response) {
    assertEquals(400, response.statusCode(), response.body());
    assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
    return new JsonObject(response.body()).getJsonArray("errors").stream()
        .map(e -> ((JsonObject) e).getString("field")).collect(java.util.stream.Collectors.toSet());
  }

  @Test
  @DisplayName("a script's limits.memory_bytes fails its memory hog while the same ad-hoc command (defaults) succeeds; a restart keeps the limit")
  void scriptMemoryOverride(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    JsonObject adhoc = runToEnd(MEMORY_HOG);
    assertEquals("completed", adhoc.getString("status"), adhoc.encode());
    assertEquals(List.of("100000000"), texts(adhoc.getString("id")));

    JsonObject script = createScript("hog", MEMORY_HOG, new JsonObject().put("memory_bytes", 50_000_000));
    assertEquals(new JsonObject().put("memory_bytes", 50_000_000), script.getJsonObject("limits"));
    JsonObject run = runScriptToEnd("hog");
    assertEquals("failed", run.getString("status"), run.encode());
    assertTrue(texts(run.getString("id")).stream().anyMatch(l -> l.contains("cannot allocate")),
        texts(run.getString("id")).toString());

    HttpResponse<String> restarted = api.post("/api/runs/" + run.getString("id") + "/restart", null);
    assertEquals(201, restarted.statusCode(), restarted.body());
    JsonObject again = api.awaitEnd(new JsonObject(restarted.body()).getString("id"));
    assertEquals("failed", again.getString("status"), "the restart runs under the same limit: " + again.encode());
    assertTrue(texts(again.getString("id")).stream().anyMatch(l -> l.contains("cannot allocate")));
  }

  @Test
  @DisplayName("a script's limits.cpu_seconds stops its CPU spinner; its nice and open_files apply to its runs only")
  void scriptCpuNiceAndFiles(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    createScript("spinner", "while :; do :; done", new JsonObject().put("cpu_seconds", 1));
    Instant begin = Instant.now();
    JsonObject spun = runScriptToEnd("spinner");
    assertEquals("failed", spun.getString("status"), spun.encode());
    assertTrue(Set.of(137, 152).contains(spun.getInteger("exit_code")), "SIGKILL or SIGXCPU: " + spun.encode());
    assertTrue(Duration.between(begin, Instant.now()).toSeconds() < 15, "stopped after about a CPU second");

    String probe = "cut -d' ' -f19 /proc/$$/stat; exec 12</dev/null && echo opened";
    createScript("niced", probe, new JsonObject().put("nice", 7).put("open_files", 10));
    JsonObject niced = runScriptToEnd("niced");
    JsonObject plain = runToEnd(probe);
    assertEquals("completed", plain.getString("status"), plain.encode());
    List<String> plainLines = texts(plain.getString("id"));
    assertEquals("opened", plainLines.get(1), plainLines.toString());
    assertEquals("failed", niced.getString("status"), niced.encode());
    int serverNice = Integer.parseInt(plainLines.get(0));
    List<String> nicedLines = texts(niced.getString("id"));
    assertEquals(Integer.toString(Math.min(19, serverNice + 7)), nicedLines.get(0), "nice -n 7: " + nicedLines);
    assertTrue(nicedLines.get(1).contains("Bad file descriptor"), "open_files = 10: " + nicedLines);
    assertFalse(nicedLines.contains("opened"));
  }

  @Test
  @DisplayName("a script's limits.max_log_bytes truncates its log bomb, or kills it with on_log_limit = kill")
  void scriptLogOverride(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    createScript("bomb", "seq 1 100000; exit 3", new JsonObject().put("max_log_bytes", 2048));
    JsonObject truncated = runScriptToEnd("bomb");
    assertEquals(3, truncated.getInteger("exit_code"), "the process ran to its own end: " + truncated.encode());
    assertTrue(truncated.getString("error").contains("truncated at 2048 bytes"), truncated.encode());
    List<String> lines = texts(truncated.getString("id"));
    assertTrue(lines.get(lines.size() - 1).endsWith("(limits.max_log_bytes = 2048)"), lines.get(lines.size() - 1));

    createScript("bomb-kill", "while :; do echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; done",
        new JsonObject().put("max_log_bytes", 4096).put("on_log_limit", "kill"));
    JsonObject killed = runScriptToEnd("bomb-kill");
    assertEquals("failed", killed.getString("status"), killed.encode());
    assertTrue(killed.getString("error").contains("was killed"), killed.encode());
    assertTrue(killed.getLong("log_bytes") <= 4096, killed.encode());
  }

  @Test
  @DisplayName("script limits: 400 naming each bad field, never looser than the server's; returned, kept when sent back, cleared when left out")
  void scriptLimitsValidation(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("cpu_seconds", 30).put("nice", 2).put("max_log_bytes", 1_000_000)
        .put("on_log_limit", "kill"));
    HttpResponse<String> bad = api.post("/api/scripts", new JsonObject().put("name", "bad").put("command", "true")
        .put("limits", new JsonObject().put("cpu_seconds", 0).put("memory_bytes", "lots").put("open_files", 1.5)
            .put("max_processes", -1).put("nice", 20).put("max_log_bytes", 10).put("on_log_limit", "explode")
            .put("user", "root").put("cpu_secs", 1)));
    assertEquals(Set.of("limits.cpu_seconds", "limits.memory_bytes", "limits.open_files", "limits.max_processes",
        "limits.nice", "limits.max_log_bytes", "limits.on_log_limit", "limits.user", "limits.cpu_secs"),
        errorFields(bad));
    assertEquals(Set.of("limits"), errorFields(api.post("/api/scripts",
        new JsonObject().put("name", "bad").put("command", "true").put("limits", 5))));

    HttpResponse<String> looser = api.post("/api/scripts", new JsonObject().put("name", "looser").put("command", "true")
        .put("limits", new JsonObject().put("cpu_seconds", 60).put("nice", 1).put("max_log_bytes", 2_000_000)
            .put("on_log_limit", "truncate").put("memory_bytes", 1L << 30)));
    assertEquals(Set.of("limits.cpu_seconds", "limits.nice", "limits.max_log_bytes", "limits.on_log_limit"),
        errorFields(looser), "memory_bytes has no server limit, so any value tightens");
    String message = new JsonObject(looser.body()).getJsonArray("errors").stream().map(e -> (JsonObject) e)
        .filter(e -> e.getString("field").equals("limits.cpu_seconds")).findFirst().orElseThrow().getString("message");
    assertTrue(message.contains("at most 30"), message);

    assertEquals(Set.of("limits.cpu_seconds"), errorFields(api.post("/api/scripts", new JsonObject()
        .put("name", "js-limits").put("kind", "js").put("program", "1")
        .put("limits", new JsonObject().put("cpu_seconds", 5).put("max_log_bytes", 4096)))));

    JsonObject limits = new JsonObject().put("cpu_seconds", 10).put("memory_bytes", 1L << 28).put("open_files", 256)
        .put("max_processes", 64).put("nice", 5).put("max_log_bytes", 4096).put("on_log_limit", "kill");
    JsonObject script = createScript("tight", "true", limits);
    assertEquals(limits, script.getJsonObject("limits"));
    assertEquals(limits, new JsonObject(api.get("/api/scripts/tight").body()).getJsonObject("limits"));
    script.put("command", "echo edited");
    HttpResponse<String> sentBack = api.send("PUT", "/api/scripts/tight", script.encode());
    assertEquals(200, sentBack.statusCode(), sentBack.body());
    assertEquals(limits, new JsonObject(sentBack.body()).getJsonObject("limits"));
    assertEquals(2, new JsonObject(sentBack.body()).getInteger("version"));
    script.remove("limits");
    HttpResponse<String> cleared = api.send("PUT", "/api/scripts/tight", script.encode());
    assertEquals(new JsonObject(), new JsonObject(cleared.body()).getJsonObject("limits"), cleared.body());
    assertEquals(new JsonObject(), new JsonObject(api.get("/api/scripts/tight").body()).getJsonObject("limits"));
  }

  @Test
  @DisplayName("under limits (prlimit, nice) a run still ends when its shell exits, with the shell's exit code")
  void limitedRunEndsWithItsShell(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("cpu_seconds", 60).put("open_files", 64).put("nice", 3));
    JsonObject started = api.startRun("sleep 300 & echo started; exit 4");
    String id = started.getString("id");
    JsonObject run = api.awaitRun(id, r -> !Set.of("pending", "running").contains(r.getString("status")),
        Duration.ofSeconds(3));
    assertEquals("failed", run.getString("status"), run.encode());
    assertEquals(4, run.getInteger("exit_code"));
    assertEquals(List.of("started"), texts(id));
    assertEquals(List.of(), Processes.group(started.getInteger("pid")));
  }

  @Test
  @DisplayName("a memory hog fails under limits.memory_bytes (RLIMIT_AS)")
  void memoryHog(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("memory_bytes", 200_000_000));
    JsonObject run = runToEnd("head -c 400000000 /dev/zero | tr '\\0' a | { v=$(cat); echo ${#v}; }");
    assertEquals("failed", run.getString("status"), run.encode());
    assertTrue(texts(run.getString("id")).stream().anyMatch(l -> l.contains("cannot allocate")),
        "bash reports the failed allocation: " + texts(run.getString("id")));
  }

  @Test
  @DisplayName("a CPU spinner is killed after limits.cpu_seconds of CPU time (RLIMIT_CPU)")
  void cpuSpinner(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("cpu_seconds", 1));
    Instant begin = Instant.now();
    JsonObject run = runToEnd("while :; do :; done");
    assertEquals("failed", run.getString("status"), run.encode());
    assertTrue(Set.of(137, 152).contains(run.getInteger("exit_code")), "SIGKILL or SIGXCPU: " + run.encode());
    assertTrue(Duration.between(begin, Instant.now()).toSeconds() < 15, "stopped after about a CPU second");
  }

  @Test
  @DisplayName("open files are capped (RLIMIT_NOFILE) and niceness is applied")
  void openFilesAndNice(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("open_files", 10).put("nice", 5));
    JsonObject files = runToEnd("exec 12</dev/null && echo opened");
    assertEquals("failed", files.getString("status"), files.encode());
    assertFalse(texts(files.getString("id")).contains("opened"));
    JsonObject nice = runToEnd("cut -d' ' -f19 /proc/$$/stat");
    assertEquals("completed", nice.getString("status"));
    assertEquals(List.of("5"), texts(nice.getString("id")));
  }

  @Test
  @DisplayName("a bounded fork bomb stops at limits.max_processes when runs use a dedicated uid (limits.user)")
  void forkBomb(Vertx vertx) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed");
    start(vertx, new JsonObject().put("max_processes", 20).put("user", "65534"));
    JsonObject run = runToEnd("sh -c 'i=0; while [ $i -lt 200 ]; do sleep 2 & i=$((i+1)); echo started $i; done'");
    List<String> lines = texts(run.getString("id"));
    long started = lines.stream().filter(l -> l.startsWith("started ")).count();
    assertTrue(started > 0 && started < 20, "forks allowed: " + started + " of 200; " + lines);
    assertTrue(lines.stream().anyMatch(l -> l.contains("Cannot fork")), lines.toString());
    JsonObject uid = runToEnd("id -u");
    assertEquals(List.of("65534"), texts(uid.getString("id")));
  }

  @Test
  @DisplayName("a log bomb is truncated at limits.max_log_bytes: the run goes on, the rest is not stored")
  void logBombTruncated(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("max_log_bytes", 2048));
    JsonObject run = runToEnd("seq 1 100000; echo after >&2; exit 3");
    assertEquals("failed", run.getString("status"));
    assertEquals(3, run.getInteger("exit_code"), "the process ran to its own end");
    assertTrue(run.getString("error").contains("truncated at 2048 bytes"), run.encode());
    List<JsonObject> lines = api.allLines(run.getString("id"));
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(i + 1, lines.get(i).getLong("seq"), "no gaps");
    }
    String last = lines.get(lines.size() - 1).getString("line");
    assertTrue(last.startsWith("[scriptd] output truncated at "), last);
    long stored = lines.stream().limit(lines.size() - 1).mapToLong(l -> l.getString("line").length() + 1).sum();
    assertTrue(stored <= 2048, "stored " + stored);
    assertEquals(lines.size(), run.getLong("log_lines"));
    assertFalse(lines.stream().anyMatch(l -> l.getString("line").equals("after")));
    HttpResponse<String> text = api.get("/api/runs/" + run.getString("id") + "/log.txt");
    assertTrue(text.body().strip().endsWith("(limits.max_log_bytes = 2048)"), text.body());
  }

  @Test
  @DisplayName("with on_log_limit = kill a log bomb is killed and marked")
  void logBombKilled(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("max_log_bytes", 4096).put("on_log_limit", "kill"));
    JsonObject run = runToEnd("while :; do echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; done");
    assertEquals("failed", run.getString("status"), run.encode());
    assertTrue(run.getString("error").contains("was killed"), run.encode());
    List<String> lines = texts(run.getString("id"));
    assertTrue(lines.get(lines.size() - 1).startsWith("[scriptd] output truncated"), lines.toString());
  }

  @Test
  @DisplayName("limits.max_concurrent_runs: the excess waits as pending in order; a full queue is 429")
  void concurrencyQueue(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("max_concurrent_runs", 2).put("max_pending_runs", 1));
    Path gate = dataDir.resolve("gate");
    String wait = "while [ ! -e " + gate + " ]; do sleep 0.05; done; echo done";
    JsonObject first = api.startRun(wait);
    JsonObject second = api.startRun(wait);
    JsonObject third = api.startRun(wait);
    assertEquals("running", first.getString("status"));
    assertEquals("running", second.getString("status"));
    assertEquals("pending", third.getString("status"));
    assertNotNull(third.getString("id"));
    HttpResponse<String> refused = api.post("/api/runs", new JsonObject().put("command", wait));
    assertEquals(429, refused.statusCode(), refused.body());
    assertTrue(new JsonObject(refused.body()).getString("detail").contains("too many queued runs"));
    assertEquals("pending", api.run(third.getString("id")).getString("status"));
    Files.createFile(gate);
    JsonObject ended = api.awaitEnd(third.getString("id"));
    assertEquals("completed", ended.getString("status"));
    JsonObject firstEnded = api.awaitEnd(first.getString("id"));
    JsonObject secondEnded = api.awaitEnd(second.getString("id"));
    String firstFree = firstEnded.getString("ended_at").compareTo(secondEnded.getString("ended_at")) < 0
        ? firstEnded.getString("ended_at") : secondEnded.getString("ended_at");
    assertTrue(ended.getString("started_at").compareTo(firstFree) >= 0,
        "the queued run started only when a slot was free: " + ended.encode());
    // a queued run can be killed before it starts
    Files.delete(gate);
    api.startRun(wait);
    api.startRun(wait);
    String queued = api.startRun(wait).getString("id");
    assertEquals(202, api.post("/api/runs/" + queued + "/kill", null).statusCode());
    JsonObject killed = api.awaitEnd(queued);
    assertEquals("killed", killed.getString("status"));
    assertEquals(null, killed.getInteger("pid"));
    Files.createFile(gate);
  }

  @Test
  @DisplayName("js runs count in limits.max_concurrent_runs: they wait pending behind shell runs and shell runs wait behind them")
  void jsRunsTakeSlots(Vertx vertx) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort()).put("rate_limit", 0)
        .put("limits", new JsonObject().put("max_concurrent_runs", 1).put("max_pending_runs", 1))
        .put("js", new JsonObject().put("max_statements", 1_000_000_000_000L));
    server = TestServer.start(vertx, config);
    api = server.api;
    Path gate = dataDir.resolve("gate");
    JsonObject shell = api.startRun("while [ ! -e " + gate + " ]; do sleep 0.05; done");
    assertEquals("running", shell.getString("status"));

    String waiting = executeAsync("console.log('js ran'); 42");
    assertEquals("pending", api.run(waiting).getString("status"), "no slot free: the js run waits");
    assertEquals(429, api.post("/api/runs", new JsonObject().put("command", "true")).statusCode(),
        "one running and one waiting fill limits.max_concurrent_runs + limits.max_pending_runs");
    assertEquals(429, api.post("/api/execute-async", new JsonObject().put("program", "1")).statusCode());
    assertEquals(202, api.post("/api/runs/" + waiting + "/kill", null).statusCode());
    JsonObject killed = api.awaitEnd(waiting);
    assertEquals("killed", killed.getString("status"), killed.encode());
    assertEquals(null, killed.getString("started_at"), "it never ran");
    assertEquals(0, killed.getLong("log_lines"));

    String next = executeAsync("console.log('js ran'); 42");
    assertEquals("pending", api.run(next).getString("status"));
    Files.createFile(gate);
    JsonObject shellEnded = api.awaitEnd(shell.getString("id"));
    JsonObject jsEnded = api.awaitEnd(next);
    assertEquals("completed", jsEnded.getString("status"), jsEnded.encode());
    assertEquals(42, jsEnded.getInteger("result"));
    assertEquals(List.of("js ran"), texts(next));
    assertTrue(jsEnded.getString("started_at").compareTo(shellEnded.getString("ended_at")) >= 0,
        "the js run started once the shell run's slot was free: " + jsEnded.encode());

    assertEquals(201, api.post("/api/scripts", new JsonObject().put("name", "spin").put("kind", "js")
        .put("timeout", 60).put("program", "while (true) {}")).statusCode());
    HttpResponse<String> spun = api.post("/api/scripts/spin/run", null);
    assertEquals(201, spun.statusCode(), spun.body());
    JsonObject spin = new JsonObject(spun.body());
    assertEquals("running", spin.getString("status"));
    JsonObject after = api.startRun("echo after");
    assertEquals("pending", after.getString("status"), "the js run holds the only slot");
    assertEquals(202, api.post("/api/runs/" + spin.getString("id") + "/kill", null).statusCode());
    JsonObject spinEnded = api.awaitEnd(spin.getString("id"));
    assertEquals("killed", spinEnded.getString("status"), spinEnded.encode());
    JsonObject afterEnded = api.awaitEnd(after.getString("id"));
    assertEquals("completed", afterEnded.getString("status"), afterEnded.encode());
    assertTrue(afterEnded.getString("started_at").compareTo(spinEnded.getString("ended_at")) >= 0,
        afterEnded.encode());
  }

  private String executeAsync(String program) {
    HttpResponse<String> started = api.post("/api/execute-async", new JsonObject().put("program", program));
    assertEquals(200, started.statusCode(), started.body());
    return new JsonObject(started.body()).getString("execution_id");
  }

  @Test
  @DisplayName("a secret env value printed by the script is *** in JSON, SSE and log.txt, and never returned")
  void secretsAreMasked(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    String secret = "s3cr3t-" + java.util.UUID.randomUUID();
    JsonObject started = api.startRun(new JsonObject()
        .put("command", "echo \"token=$API_KEY\"; echo \"twice $API_KEY/$API_KEY\" >&2; echo \"plain=$PLAIN\"")
        .put("env", new JsonObject().put("API_KEY", new JsonObject().put("value", secret).put("secret", true))
            .put("PLAIN", "visible")));
    assertFalse(started.encode().contains(secret));
    String id = started.getString("id");
    JsonObject run = api.awaitEnd(id);
    assertEquals("completed", run.getString("status"));
    assertEquals(Set.of("token=***", "twice ***/***", "plain=visible"), Set.copyOf(texts(id)));
    HttpResponse<String> text = api.get("/api/runs/" + id + "/log.txt");
    assertFalse(text.body().contains(secret));
    assertTrue(text.body().contains("token=***"));
    try (SseClient sse = new SseClient(api.client, api.base + "/api/runs/" + id + "/logs",
        "Authorization", "Bearer " + api.token)) {
      List<SseClient.Event> events = sse.untilClosed(WAIT);
      assertTrue(events.stream().noneMatch(e -> e.data().contains(secret)));
      assertTrue(events.stream().anyMatch(e -> e.data().contains("token=***")));
    }
    assertFalse(api.get("/api/runs").body().contains(secret));
    assertFalse(api.get("/api/runs/" + id).body().contains(secret));
    // a restart keeps the value (the command needs it) and keeps masking it
    HttpResponse<String> restarted = api.post("/api/runs/" + id + "/restart", null);
    assertEquals(201, restarted.statusCode(), restarted.body());
    String again = new JsonObject(restarted.body()).getString("id");
    api.awaitEnd(again);
    assertEquals(Set.of("token=***", "twice ***/***", "plain=visible"), Set.copyOf(texts(again)));
  }

  @Test
  @DisplayName("a script's secret env is shown as *** by the scripts API, masked in its runs, and kept when the definition is sent back")
  void scriptSecrets(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    String secret = "pw-" + java.util.UUID.randomUUID();
    JsonObject definition = new JsonObject().put("name", "with-secret").put("kind", "shell")
        .put("command", "echo \"pw=$PW user=$USER_NAME\"")
        .put("env", new JsonObject().put("PW", new JsonObject().put("value", secret).put("secret", true))
            .put("USER_NAME", "bob"));
    HttpResponse<String> created = api.post("/api/scripts", definition);
    assertEquals(201, created.statusCode(), created.body());
    assertFalse(created.body().contains(secret), created.body());
    JsonObject script = new JsonObject(created.body());
    assertEquals(new JsonObject().put("secret", true).put("value", "***"), script.getJsonObject("env").getJsonObject("PW"));
    assertEquals("bob", script.getJsonObject("env").getString("USER_NAME"));
    assertFalse(script.getJsonObject("env").containsKey("#secret"));
    String id = script.getString("id");
    assertFalse(api.get("/api/scripts/" + id).body().contains(secret));
    assertFalse(api.get("/api/scripts").body().contains(secret));

    // the edit form sends back what it was shown: the secret keeps its value
    definition.put("env", script.getJsonObject("env")).put("command", "echo \"pw=$PW again\"");
    HttpResponse<String> updated = api.send("PUT", "/api/scripts/" + id, definition.encode());
    assertEquals(200, updated.statusCode(), updated.body());
    assertFalse(updated.body().contains(secret));

    HttpResponse<String> started = api.post("/api/scripts/" + id + "/run", null);
    assertEquals(201, started.statusCode(), started.body());
    String runId = new JsonObject(started.body()).getString("id");
    api.awaitEnd(runId);
    assertEquals(List.of("pw=*** again"), texts(runId));
    assertFalse(api.get("/api/runs/" + runId + "/log.txt").body().contains(secret));
  }
}
