package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.scriptd.cli.Cli;
import dev.scriptd.cli.Terminal;
import dev.scriptd.domain.YamlText;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Command line: the jar's client commands against a real server")
class CliTest {
  @TempDir
  Path dataDir;
  TestServer server;
  Api api;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, dataDir);
    api = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  /** One invocation of the CLI with captured streams, run on its own thread. */
  final class Invocation {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final AtomicReference<Runnable> ctrlC = new AtomicReference<>();
    final Map<String, String> env = new HashMap<>(Map.of("SCRIPTD_URL", api.base, "SCRIPTD_TOKEN",
        TestServer.ADMIN_TOKEN));
    String stdin = "";
    boolean terminal;
    CompletableFuture<Integer> exit;

    Invocation start(String... args) {
      Terminal io = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8), new BufferedReader(new StringReader(stdin)), env,
          terminal, terminal, ctrlC::set);
      exit = CompletableFuture.supplyAsync(() -> new Cli(io).execute(args));
      return this;
    }

    int await() throws Exception {
      return exit.get(60, TimeUnit.SECONDS);
    }

    String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
      return err.toString(StandardCharsets.UTF_8);
    }
  }

  Invocation cli(String... args) {
    return new Invocation().start(args);
  }

  static void await(String what, BooleanSupplier condition) {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        fail("timed out waiting for " + what);
      }
      LockSupport.parkNanos(20_000_000L);
    }
  }

  @Test
  @DisplayName("run prints the new run's id alone, so ID=$(scriptd run ...) works")
  void runPrintsTheId() throws Exception {
    Invocation run = cli("run", "echo", "hello");
    assertEquals(0, run.await(), run.err());
    String id = run.out().trim();
    JsonObject ended = api.awaitEnd(id);
    assertEquals("echo hello", ended.getString("command"));
    assertEquals("hello", api.allLines(id).get(0).getString("line"));
  }

  @Test
  @DisplayName("run --follow prints lines while the run is still running and exits with its exit code")
  void followStreamsAndExitsWithTheRunsCode() throws Exception {
    Path go = dataDir.resolve("go");
    Invocation run = cli("run", "--follow", "echo first; echo oops >&2; while [ ! -e '" + go
        + "' ]; do sleep 0.05; done; echo second; exit 3");
    await("the first line", () -> run.out().contains("first"));
    assertFalse(run.exit.isDone(), "the line arrived before the run ended");
    assertFalse(run.out().contains("second"));
    Files.createFile(go);
    assertEquals(3, run.await());
    assertEquals(List.of("first", "second"), Arrays.asList(run.out().split("\n")));
    assertTrue(run.err().contains("oops"), "stderr lines go to stderr: " + run.err());
  }

  @Test
  @DisplayName("run --follow exits 0 for a completed run and 1 for a killed run without an exit code")
  void exitCodes() throws Exception {
    assertEquals(0, cli("run", "--follow", "true").await());
    Invocation killed = cli("run", "--follow", "echo started; exec sleep 60");
    await("the run to start", () -> killed.out().contains("started"));
    String id = api.get("/api/runs?status=running").body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
    assertEquals(202, api.post("/api/runs/" + id + "/kill", null).statusCode());
    int code = killed.await();
    JsonObject run = api.run(id);
    assertEquals("killed", run.getString("status"));
    Integer exitCode = run.getInteger("exit_code");
    assertEquals(exitCode == null ? 1 : exitCode, code);
  }

  @Test
  @DisplayName("Ctrl-C on a terminal asks, and 'y' kills the run; without a terminal the run keeps running")
  void ctrlC() throws Exception {
    Invocation asked = new Invocation();
    asked.terminal = true;
    asked.stdin = "y\n";
    asked.start("run", "--follow", "echo started; exec sleep 60");
    await("the run to start", () -> asked.out().contains("started"));
    asked.ctrlC.get().run();
    asked.await();
    assertTrue(asked.err().contains("kill run "), asked.err());
    String id = asked.err().replaceAll("(?s).*kill run ([0-9a-f-]{36}).*", "$1");
    assertEquals("killed", api.awaitEnd(id).getString("status"));

    Invocation piped = cli("run", "--follow", "echo started; exec sleep 60");
    await("the run to start", () -> piped.out().contains("started"));
    piped.ctrlC.get().run();
    assertEquals(130, piped.await());
    String left = piped.err().replaceAll("(?s).*scriptd tail ([0-9a-f-]{36}).*", "$1");
    assertEquals("running", api.run(left).getString("status"));
    assertEquals(202, api.post("/api/runs/" + left + "/kill", null).statusCode());
  }

  @Test
  @DisplayName("ANSI escapes are kept on a terminal and removed when stdout is not one")
  void ansi() throws Exception {
    String command = "printf '\\033[31mred\\033[0m\\n'";
    Invocation piped = cli("run", "--follow", command);
    assertEquals(0, piped.await());
    assertEquals("red\n", piped.out());
    Invocation tty = new Invocation();
    tty.terminal = true;
    tty.start("run", "--follow", command);
    assertEquals(0, tty.await());
    assertEquals("\u001b[31mred\u001b[0m\n", tty.out());
  }

  @Test
  @DisplayName("tail prints a finished run's lines and exits with its code; an unknown run is exit 2 with the detail")
  void tail() throws Exception {
    String id = api.startRun("echo one; echo two; exit 4").getString("id");
    api.awaitEnd(id);
    Invocation tail = cli("tail", id);
    assertEquals(4, tail.await());
    assertEquals("one\ntwo\n", tail.out());
    Invocation unknown = cli("tail", UUID.randomUUID().toString());
    assertEquals(2, unknown.await());
    assertTrue(unknown.err().contains("not found"), unknown.err());
  }

  @Test
  @DisplayName("errors print the problem's detail and exit 2: a bad token, an unreachable server")
  void errors() throws Exception {
    Invocation bad = new Invocation();
    bad.env.put("SCRIPTD_TOKEN", "sd_not-a-real-token-000000000000000000");
    bad.start("runs");
    assertEquals(2, bad.await());
    assertTrue(bad.err().contains("the token is not valid or was revoked"), bad.err());
    assertEquals("", bad.out());

    Invocation down = new Invocation();
    down.env.put("SCRIPTD_URL", "http://127.0.0.1:" + TestServer.freePort());
    down.start("runs");
    assertEquals(2, down.await());
    assertTrue(down.err().contains("cannot reach scriptd at"), down.err());

    assertEquals(2, cli("run").await(), "nothing to run");
    assertEquals(2, cli("runs", "--status", "sleeping").await());
  }

  @Test
  @DisplayName("runs lists newest first and filters by --status and --script")
  void runsFilters() throws Exception {
    String ok = api.startRun("true").getString("id");
    String failed = api.startRun("false").getString("id");
    api.awaitEnd(ok);
    api.awaitEnd(failed);
    HttpResponse<String> created = api.post("/api/scripts", new JsonObject().put("name", "greet")
        .put("command", "echo hi"));
    assertEquals(201, created.statusCode(), created.body());
    String scripted = new JsonObject(api.post("/api/scripts/greet/run", new JsonObject()).body()).getString("id");
    api.awaitEnd(scripted);

    Invocation all = cli("runs");
    assertEquals(0, all.await());
    assertTrue(all.out().startsWith("ID"), all.out());
    for (String id : List.of(ok, failed, scripted)) {
      assertTrue(all.out().contains(id), all.out());
    }
    Invocation onlyFailed = cli("runs", "--status", "failed", "--json");
    assertEquals(0, onlyFailed.await());
    assertEquals(List.of(failed), ids(onlyFailed.out()));
    Invocation ofScript = cli("runs", "--script", "greet", "--json");
    assertEquals(0, ofScript.await());
    assertEquals(List.of(scripted), ids(ofScript.out()));
  }

  private static List<String> ids(String jsonLines) {
    return jsonLines.lines().map(line -> new JsonObject(line).getString("id")).toList();
  }

  @Test
  @DisplayName("token create prints the new token alone on stdout, and it works")
  void tokenCreate() throws Exception {
    Invocation create = cli("token", "create", "ci", "--role", "viewer");
    assertEquals(0, create.await(), create.err());
    String token = create.out().trim();
    assertFalse(token.contains("\n"));
    assertEquals(200, api.as(token).get("/api/runs").statusCode());
    assertEquals(403, api.as(token).post("/api/runs", new JsonObject().put("command", "true")).statusCode());
    assertEquals(2, cli("token", "create", "x", "--role", "root").await());
  }

  @Test
  @DisplayName("run --script NAME --follow runs the saved script; a --param that is not KEY=VALUE is exit 2")
  void runScript() throws Exception {
    HttpResponse<String> created = api.post("/api/scripts", new JsonObject().put("name", "hello")
        .put("command", "echo hi from the script"));
    assertEquals(201, created.statusCode(), created.body());
    Invocation run = cli("run", "--follow", "--script", "hello");
    assertEquals(0, run.await(), run.err());
    assertEquals("hi from the script\n", run.out());
    Invocation bad = cli("run", "--script", "hello", "--param", "novalue");
    assertEquals(2, bad.await());
    assertTrue(bad.err().contains("is not KEY=VALUE"), bad.err());
    Invocation missing = cli("run", "--script", "nope");
    assertEquals(2, missing.await());
    assertTrue(missing.err().contains("not found"), missing.err());
  }

  @Test
  @DisplayName("run --script NAME --param k=v passes typed parameter values; a bad one is exit 2 with the field in the message")
  void runScriptWithParams() throws Exception {
    create(new JsonObject().put("name", "greet").put("command", "echo \"$SCRIPTD_PARAM_WHO x$SCRIPTD_PARAM_TIMES\"")
        .put("parameters", new JsonObject("{\"type\": \"object\", \"required\": [\"who\"], \"properties\": {"
            + "\"who\": {\"type\": \"string\"}, \"times\": {\"type\": \"integer\", \"maximum\": 5}}}")));
    Invocation run = cli("run", "--follow", "--script", "greet", "--param", "who=world", "--param", "times=3");
    assertEquals(0, run.await(), run.err());
    assertEquals("world x3\n", run.out());
    Invocation bad = cli("run", "--script", "greet", "--param", "who=world", "--param", "times=9");
    assertEquals(2, bad.await());
    assertTrue(bad.err().contains("params.times"), bad.err());
  }

  private void create(JsonObject script) {
    HttpResponse<String> created = api.post("/api/scripts", script);
    assertEquals(201, created.statusCode(), created.body());
  }

  private List<String> scriptNames() {
    return new JsonObject(api.get("/api/scripts/export").body()).getJsonArray("scripts").stream()
        .map(item -> ((JsonObject) item).getString("name")).toList();
  }

  @Test
  @DisplayName("export -o DIR writes one <name>.yaml per script, and apply -f DIR of that folder leaves all unchanged")
  void exportApplyRoundTrip() throws Exception {
    create(new JsonObject().put("name", "backup").put("command", "set -e\necho one\necho two\n").put("timeout", 600)
        .put("env", new JsonObject().put("PLAIN", "8080")
            .put("PASSWORD", new JsonObject().put("value", "s3cr3t").put("secret", true)))
        .put("schedule", new JsonObject().put("cron", "0 2 * * *").put("timezone", "Europe/Paris")));
    create(new JsonObject().put("name", "hello").put("kind", "js").put("program", "({status: 200, body: 'hi'})")
        .put("endpoint", new JsonObject().put("method", "GET").put("path", "hello").put("auth", "public")));
    create(new JsonObject().put("name", ".dotted").put("command", "true").put("enabled", false));
    Path dir = dataDir.resolve("exported").resolve("scripts");

    Invocation export = cli("export", "-o", dir.toString());
    assertEquals(0, export.await(), export.err());
    assertEquals(List.of("_.dotted.yaml", "backup.yaml", "hello.yaml"),
        Files.list(dir).map(file -> file.getFileName().toString()).sorted().toList());
    String backup = Files.readString(dir.resolve("backup.yaml"));
    assertTrue(backup.contains("name: backup") && backup.contains("***") && !backup.contains("s3cr3t"), backup);

    Invocation apply = cli("apply", "-f", dir.toString());
    assertEquals(0, apply.await(), apply.err());
    assertEquals("created: -\nupdated: -\nunchanged: .dotted, backup, hello\ndeleted: -\n",
        sortedUnchanged(apply.out()));

    Invocation yaml = cli("export");
    assertEquals(0, yaml.await(), yaml.err());
    JsonObject all = (JsonObject) YamlText.parse(yaml.out());
    assertEquals(List.of(".dotted", "backup", "hello"), all.getJsonArray("scripts").stream()
        .map(item -> ((JsonObject) item).getString("name")).sorted().toList());
    Path file = dataDir.resolve("all.yaml");
    Files.writeString(file, yaml.out());
    Invocation again = cli("apply", "-f", file.toString());
    assertEquals(0, again.await(), again.err());
    assertTrue(again.out().contains("\nunchanged: ") && again.out().contains("created: -\nupdated: -\n"), again.out());
    assertEquals(1, new JsonObject(api.get("/api/scripts/backup").body()).getInteger("version"));
  }

  /** The summary with the unchanged names sorted (the server lists them in its own order). */
  private static String sortedUnchanged(String summary) {
    return summary.lines().map(line -> line.startsWith("unchanged: ")
        ? "unchanged: " + String.join(", ", Arrays.stream(line.substring(11).split(", ")).sorted().toList())
        : line).reduce("", (a, b) -> a + b + "\n");
  }

  @Test
  @DisplayName("apply --dry-run prints what would change and changes nothing; apply then does it")
  void applyDryRun() throws Exception {
    create(new JsonObject().put("name", "old").put("command", "echo old"));
    Path dir = Files.createDirectory(dataDir.resolve("defs"));
    Files.writeString(dir.resolve("a.yaml"), "- name: old\n  command: echo changed\n- name: fresh\n  command: echo new\n");

    Invocation dry = cli("apply", "-f", dir.toString(), "--dry-run");
    assertEquals(0, dry.await(), dry.err());
    assertEquals("created: fresh\nupdated: old\nunchanged: -\ndeleted: -\n", dry.out());
    assertTrue(dry.err().contains("dry run: nothing was changed"), dry.err());
    assertEquals(List.of("old"), scriptNames());
    assertEquals("echo old", new JsonObject(api.get("/api/scripts/old").body()).getString("command"));

    Invocation real = cli("apply", "-f", dir.toString());
    assertEquals(0, real.await(), real.err());
    assertEquals("created: fresh\nupdated: old\nunchanged: -\ndeleted: -\n", real.out());
    assertEquals("echo changed", new JsonObject(api.get("/api/scripts/old").body()).getString("command"));
  }

  @Test
  @DisplayName("apply --prune deletes the scripts the files do not define; an empty folder with --prune sends nothing")
  void applyPrune() throws Exception {
    create(new JsonObject().put("name", "keep").put("command", "true"));
    create(new JsonObject().put("name", "gone").put("command", "true"));
    Path file = dataDir.resolve("keep.json");
    Files.writeString(file, "{\"name\": \"keep\", \"command\": \"true\"}");

    Path empty = Files.createDirectory(dataDir.resolve("empty"));
    Invocation refused = cli("apply", "-f", empty.toString(), "--prune");
    assertEquals(2, refused.await());
    assertTrue(refused.err().contains("with --prune that would delete every script"), refused.err());
    assertEquals(List.of("gone", "keep"), scriptNames());

    Invocation prune = cli("apply", "-f", file.toString(), "--prune");
    assertEquals(0, prune.await(), prune.err());
    assertEquals("created: -\nupdated: -\nunchanged: keep\ndeleted: gone\n", prune.out());
    assertEquals(List.of("keep"), scriptNames());
  }

  @Test
  @DisplayName("apply of a bad file exits 2 naming the file, the script, the field and the message, and changes nothing")
  void applyBadFile() throws Exception {
    Path dir = Files.createDirectory(dataDir.resolve("bad"));
    Files.writeString(dir.resolve("a.yaml"), "name: good\ncommand: echo fine\n");
    Files.writeString(dir.resolve("b.yaml"), "- name: ok\n  command: echo ok\n- name: broken\n  command: echo broken\n"
        + "  timeout: -5\n");

    Invocation invalid = cli("apply", "-f", dir.toString());
    assertEquals(2, invalid.await());
    assertEquals("", invalid.out());
    assertTrue(invalid.err().startsWith("scriptd: nothing was applied: 1 error"), invalid.err());
    assertTrue(invalid.err().contains("\n  b.yaml[1] (script broken): timeout "), invalid.err());
    assertEquals(List.of(), scriptNames());

    Files.writeString(dir.resolve("b.yaml"), "- name: ok\n  command: [unclosed\n");
    Invocation unreadable = cli("apply", "-f", dir.toString());
    assertEquals(2, unreadable.await());
    assertTrue(unreadable.err().startsWith("scriptd: b.yaml: not valid YAML"), unreadable.err());
    assertEquals(List.of(), scriptNames());
  }
}
