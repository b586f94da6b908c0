package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.LogPage;
import dev.scriptd.bus.LogQuery;
import dev.scriptd.bus.RunEnd;
import dev.scriptd.bus.StartScript;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.Script;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class RunsVerticleTest {
  @TempDir
  Path tempDir;

  private Vertx vertx;
  private RecordingPersistence db;
  private RunsVerticle owner;
  private String supervisorDeployment;
  private final List<JsonObject> statusEvents = new CopyOnWriteArrayList<>();
  private final List<String> statusSavedFirst = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    db = new RecordingPersistence();
    await(vertx.deployVerticle(db));
    vertx.eventBus().<JsonObject>consumer(Addresses.RUNS_STATUS, m -> {
      JsonObject run = m.body();
      // a status is published only after its save was acknowledged (a later save of the same run,
      // e.g. the end of a run that exits at once, may already be stored too)
      boolean saved = db.saves.stream().anyMatch(save -> save.id().equals(run.getString("id"))
          && save.status().wire().equals(run.getString("status")));
      if (!saved) {
        statusSavedFirst.add("published before saved: " + run.encode());
      }
      statusEvents.add(run);
    });
  }

  private JsonObject config(JsonObject runs) {
    return new JsonObject().put("data_dir", tempDir.toString())
        .put("runs", new JsonObject().put("kill_grace_ms", 500).mergeIn(runs));
  }

  private void deploySupervisor(JsonObject runs) throws Exception {
    owner = new RunsVerticle();
    supervisorDeployment = await(vertx.deployVerticle(owner,
        new DeploymentOptions().setConfig(config(runs))));
  }

  private void deploySupervisor() throws Exception {
    deploySupervisor(new JsonObject());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private JsonObject request(String address, Object body) throws Exception {
    return await(vertx.eventBus().<JsonObject>request(address, body)).body();
  }

  private JsonObject start(String command) throws Exception {
    return request(Addresses.RUNS_START, new JsonObject().put("command", command));
  }

  private ReplyException failure(String address, Object body) throws Exception {
    try {
      await(vertx.eventBus().request(address, body));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ReplyException reply) {
        return reply;
      }
      throw e;
    }
    return fail("expected " + address + " to fail");
  }

  private static void awaitTrue(String what, long timeoutMs, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        fail("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  private Run awaitEnd(String runId) throws InterruptedException {
    awaitTrue("the end of run " + runId, 20_000, () -> {
      Run run = db.runs.get(runId);
      return run != null && run.status().isFinal();
    });
    return db.runs.get(runId);
  }

  private static void assertGroupGone(int pgid) throws InterruptedException {
    awaitTrue("process group " + pgid + " to be gone", 10_000,
        () -> ProcessGroups.members(pgid).isEmpty());
  }

  private static List<Long> seqs(List<LogLine> lines) {
    return lines.stream().map(LogLine::seq).toList();
  }

  @Test
  @DisplayName("the NuProcess thread that read a run runs at runs.reader_nice")
  void readerRunsNiced() throws Exception {
    deploySupervisor(new JsonObject().put("reader_nice", 10));
    awaitEnd(start("echo hi").getString("id"));

    // NuProcess's reader threads are shared and keep the value; they are the JVM's NuProcessQueue-N
    List<Integer> nices = new ArrayList<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        if (Files.readString(task.resolve("comm")).startsWith("NuProcessQueue")) {
          nices.add(ThreadNiceTest.niceOf(task.resolve("stat")));
        }
      }
    }
    assertTrue(nices.stream().anyMatch(nice -> nice >= 10), "NuProcess threads' nice values: " + nices);
  }

  @Test
  @DisplayName("a failing command: exit code, gap-free seqs across both streams, statuses after saves")
  void failingCommand() throws Exception {
    deploySupervisor();
    List<LogChunk> published = new CopyOnWriteArrayList<>();
    JsonObject started = start("echo a; echo b >&2; exit 3");
    assertEquals("running", started.getString("status"));
    assertNotNull(started.getInteger("pid"));
    vertx.eventBus().<LogChunk>consumer(Addresses.runLog(started.getString("id")),
        m -> published.add(m.body()));

    Run run = awaitEnd(started.getString("id"));
    assertEquals(RunStatus.FAILED, run.status());
    assertEquals(3, run.exitCode());
    List<LogLine> lines = db.lines(run.id());
    assertEquals(List.of(1L, 2L), seqs(lines));
    assertEquals(Map.of("a", LogStream.STDOUT, "b", LogStream.STDERR),
        Map.of(lines.get(0).text(), lines.get(0).stream(), lines.get(1).text(), lines.get(1).stream()));
    assertEquals(2, run.logLines());
    assertEquals(4, run.logBytes());
    awaitTrue("the final status event", 5000, () -> statusEvents.stream()
        .anyMatch(e -> e.getString("id").equals(run.id()) && "failed".equals(e.getString("status"))));
    List<String> statuses = statusEvents.stream().filter(e -> e.getString("id").equals(run.id()))
        .map(e -> e.getString("status")).toList();
    // a slot was free: the run's first row is running (no pending row before its spawn)
    assertEquals(List.of("running", "failed"), statuses);
    assertEquals(List.of(), statusSavedFirst);
  }

  @Test
  @DisplayName("a run spawned before its first row is stored sends its lines to storage only after that row, in order")
  void linesWaitForTheFirstRow() throws Exception {
    deploySupervisor();
    db.saveDelayMs = 300; // a slow commit: the run writes its lines long before its row is stored
    JsonObject started = start("echo a; echo b; echo c");
    assertEquals("running", started.getString("status"));
    Run run = awaitEnd(started.getString("id"));
    assertEquals(RunStatus.COMPLETED, run.status());
    assertEquals(List.of(), db.beforeTheirRow);
    assertEquals(List.of("a", "b", "c"), db.lines(run.id()).stream().map(LogLine::text).toList());
    assertEquals(List.of(1L, 2L, 3L), seqs(db.lines(run.id())));
  }

  @Test
  @DisplayName("without the reaper a run is saved pending before its spawn: recovery finds it by its row")
  void withoutTheReaperPendingComesFirst() throws Exception {
    deploySupervisor(new JsonObject().put("reaper", false));
    JsonObject started = start("true");
    assertEquals("running", started.getString("status"));
    String id = started.getString("id");
    awaitTrue("the final status event", 10_000, () -> statusEvents.stream()
        .anyMatch(e -> e.getString("id").equals(id) && "completed".equals(e.getString("status"))));
    assertEquals(List.of("pending", "running", "completed"), statusEvents.stream()
        .filter(e -> e.getString("id").equals(id)).map(e -> e.getString("status")).toList());
  }

  @Test
  @DisplayName("exit 0 completes; a last line without newline is still emitted")
  void completedAndPartialLine() throws Exception {
    deploySupervisor();
    Run ok = awaitEnd(start("exit 0").getString("id"));
    assertEquals(RunStatus.COMPLETED, ok.status());
    assertEquals(0, ok.exitCode());
    assertNotNull(ok.startedAt());
    assertNotNull(ok.endedAt());

    Run partial = awaitEnd(start("printf 'no newline'").getString("id"));
    assertEquals(RunStatus.COMPLETED, partial.status());
    List<LogLine> lines = db.lines(partial.id());
    assertEquals(1, lines.size());
    assertEquals("no newline", lines.get(0).text());
    assertEquals(1, lines.get(0).seq());
  }

  @Test
  @DisplayName("100,000 lines are all recorded in order, in chunks")
  void manyLines() throws Exception {
    deploySupervisor();
    Run run = awaitEnd(start("seq 1 100000").getString("id"));
    assertEquals(RunStatus.COMPLETED, run.status());
    List<LogLine> lines = db.lines(run.id());
    assertEquals(100_000, lines.size());
    long expectedBytes = 0;
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(i + 1, lines.get(i).seq());
      assertEquals(Integer.toString(i + 1), lines.get(i).text());
      expectedBytes += Integer.toString(i + 1).length() + 1;
    }
    assertEquals(100_000, run.logLines());
    assertEquals(expectedBytes, run.logBytes());
    long chunks = db.chunks.stream().filter(c -> c.runId().equals(run.id())).count();
    assertTrue(chunks < 100_000 / 10, "lines travel in chunks, got " + chunks);
  }

  @Test
  @DisplayName("a run's stdout and stderr pipes are grown to runs.pipe_bytes before it writes (0 leaves them)")
  void pipesGrown() throws Exception {
    deploySupervisor(new JsonObject().put("pipe_bytes", 131_072));
    // stdin is written after NuProcess's onStart, where the pipes are grown: reading it first orders the check after it
    String probe = "read -r go; perl -e 'print fcntl(STDOUT, 1032, 0), \" \", fcntl(STDERR, 1032, 0), \"\\n\"'";
    JsonObject started = request(Addresses.RUNS_START, new JsonObject().put("command", probe).put("stdin", "go\n"));
    Run run = awaitEnd(started.getString("id"));
    assertEquals(RunStatus.COMPLETED, run.status());
    assertEquals(List.of("131072 131072"), db.lines(run.id()).stream().map(LogLine::text).toList());
  }

  @Test
  @DisplayName("a burst of output written at once just before exit is kept whole (beyond NuProcess's 64 KiB read)")
  void burstBeforeExit() throws Exception {
    deploySupervisor();
    // one write() of ~190 KB into the grown pipe, then exit: NuProcess may see data and hang-up together
    String burst = "perl -e 'syswrite(STDOUT, join(\"\", map { \"line $_\\n\" } 1..20000))'";
    for (int round = 0; round < 5; round++) {
      Run run = awaitEnd(start(burst).getString("id"));
      List<LogLine> lines = db.lines(run.id());
      assertEquals(20_000, lines.size(), "round " + round);
      assertEquals("line 20000", lines.get(lines.size() - 1).text());
    }
  }

  @Test
  @DisplayName("a character split across two reads, and bytes that are not UTF-8, are decoded like whole lines")
  void textAcrossReads() throws Exception {
    deploySupervisor();
    // the pause makes the second half of \u00e9 (and of the invalid line) arrive in a read of its own
    String command = "printf 'caf\\303'; sleep 0.2; printf '\\251 ok\\nbad \\377'; sleep 0.2; printf 'end\\nplain\\n'";
    Run run = awaitEnd(start(command).getString("id"));
    assertEquals(List.of("caf\u00e9 ok", "bad \ufffdend", "plain"),
        db.lines(run.id()).stream().map(LogLine::text).toList());
    assertEquals(24, run.logBytes(), "log_bytes counts the raw bytes read");
  }

  @Test
  @DisplayName("env and cwd reach the command; an invalid cwd (missing, with a NUL) or command is refused with 400")
  void envCwdAndValidation() throws Exception {
    deploySupervisor();
    JsonObject started = request(Addresses.RUNS_START, new JsonObject()
        .put("command", "echo \"$GREETING $SCRIPTD_RUN_ID\"; pwd")
        .put("env", new JsonObject().put("GREETING", "hello"))
        .put("cwd", tempDir.toString()));
    Run run = awaitEnd(started.getString("id"));
    List<String> texts = db.lines(run.id()).stream().map(LogLine::text).toList();
    assertEquals(List.of("hello " + run.id(), tempDir.toRealPath().toString()), texts);

    ReplyException badCwd = failure(Addresses.RUNS_START, new JsonObject().put("command", "true")
        .put("cwd", tempDir.resolve("missing").toString()));
    assertEquals(400, badCwd.failureCode());
    assertTrue(badCwd.getMessage().contains("cwd"), badCwd.getMessage());
    ReplyException nulCwd = failure(Addresses.RUNS_START, new JsonObject().put("command", "true")
        .put("cwd", tempDir + "\0x"));
    assertEquals(400, nulCwd.failureCode(), nulCwd.getMessage());
    assertTrue(nulCwd.getMessage().contains("cwd"), nulCwd.getMessage());
    assertEquals(400, failure(Addresses.RUNS_START, new JsonObject().put("command", " ")).failureCode());
    assertEquals(400, failure(Addresses.RUNS_START,
        new JsonObject().put("command", "true").put("timeout", 0)).failureCode());
  }

  @Test
  @DisplayName("kill ends the run killed and leaves no process of its group")
  void killWholeGroup() throws Exception {
    deploySupervisor();
    JsonObject started = start("sleep 300 & sleep 300 & wait");
    int pgid = started.getInteger("pid");
    awaitTrue("both sleeps", 5000, () -> ProcessGroups.members(pgid).size() == 3);
    JsonObject reply = request(Addresses.RUNS_KILL, new JsonObject().put("run_id", started.getString("id")));
    assertEquals("running", reply.getString("status"));
    Run run = awaitEnd(started.getString("id"));
    assertEquals(RunStatus.KILLED, run.status());
    assertEquals(143, run.exitCode());
    assertGroupGone(pgid);

    ReplyException ended = failure(Addresses.RUNS_KILL, new JsonObject().put("run_id", run.id()));
    assertEquals(409, ended.failureCode());
    assertTrue(ended.getMessage().contains("already ended (killed)"), ended.getMessage());
    assertEquals(404, failure(Addresses.RUNS_KILL, new JsonObject().put("run_id", "nope")).failureCode());
  }

  @Test
  @DisplayName("a child that ignores TERM is KILLed after the grace")
  void killAfterGrace() throws Exception {
    deploySupervisor(new JsonObject().put("kill_grace_ms", 300));
    JsonObject started = start("bash -c 'trap \"\" TERM; echo ready; sleep 300' & wait");
    String id = started.getString("id");
    int pgid = started.getInteger("pid");
    awaitTrue("the child to be ready", 5000, () -> !db.lines(id).isEmpty());
    long killedAt = System.nanoTime();
    request(Addresses.RUNS_KILL, new JsonObject().put("run_id", id));
    Run run = awaitEnd(id);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    assertEquals(RunStatus.KILLED, run.status());
    assertTrue(tookMs >= 300, "ended before the grace: " + tookMs + " ms");
    assertGroupGone(pgid);
  }

  @Test
  @DisplayName("a background child that closed its pipes does not outlive the run")
  void backgroundChildKilledAtExit() throws Exception {
    deploySupervisor();
    JsonObject started = start("sleep 300 >/dev/null 2>&1 & echo bye");
    Run run = awaitEnd(started.getString("id"));
    assertEquals(RunStatus.COMPLETED, run.status());
    assertGroupGone(started.getInteger("pid"));
  }

  @Test
  @DisplayName("a background child holding stdout does not keep the run running: it ends with the shell, the child is ended")
  void endsWhenTheShellExits() throws Exception {
    deploySupervisor();
    JsonObject started = start("sleep 300 & echo $!");
    String id = started.getString("id");
    awaitTrue("the run to end while its background sleep holds stdout", 3000,
        () -> db.runs.get(id).status().isFinal());
    Run run = db.runs.get(id);
    assertEquals(RunStatus.COMPLETED, run.status());
    assertEquals(0, run.exitCode());
    List<LogLine> lines = db.lines(id);
    assertEquals(List.of(1L), seqs(lines));
    int sleep = Integer.parseInt(lines.get(0).text());
    assertFalse(Children.alive(sleep), "the background sleep " + sleep + " outlived its run");
    assertFalse(Children.exists(started.getInteger("pid")), "the shell was not reaped");
    assertTrue(ProcessGroups.members(started.getInteger("pid")).isEmpty());
  }

  @Test
  @DisplayName("a TERM-ignoring background child is KILLed after the grace, before the final status is saved")
  void groupEndedBeforeTheFinalStatus() throws Exception {
    deploySupervisor(new JsonObject().put("kill_grace_ms", 300));
    // its output goes elsewhere: only the process group tells that it is still there
    // the shell exits only once the child ignores TERM (a loaded machine could otherwise TERM it first)
    JsonObject started = start("f=$(mktemp -u); bash -c 'trap \"\" TERM; : > \"$0\"; sleep 300' \"$f\" >/dev/null 2>&1 & "
        + "while [ ! -e \"$f\" ]; do sleep 0.01; done; rm -f \"$f\"; echo started");
    String id = started.getString("id");
    int pgid = started.getInteger("pid");
    long startedAt = System.nanoTime();
    awaitTrue("the end of the run", 5000, () -> db.runs.get(id).status().isFinal());
    // checked at once: the group must be gone when the final status is there, not some time after
    List<Integer> left = ProcessGroups.members(pgid);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
    Run run = db.runs.get(id);
    assertEquals(RunStatus.COMPLETED, run.status());
    assertEquals(0, run.exitCode());
    assertEquals(List.of(), left, "processes of the run alive after its final status");
    assertTrue(tookMs >= 300, "ended before the grace: " + tookMs + " ms");
    assertEquals(List.of("started"), db.lines(id).stream().map(LogLine::text).toList());
  }

  @Test
  @DisplayName("every line the shell wrote is kept when a background child holding its output is ended")
  void linesKeptWhenTheGroupIsEnded() throws Exception {
    deploySupervisor();
    String id = start("sleep 300 & seq 1 50000; echo done >&2").getString("id");
    Run run = awaitEnd(id);
    assertEquals(RunStatus.COMPLETED, run.status());
    List<LogLine> lines = db.lines(id);
    assertEquals(50_001, lines.size());
    assertEquals(50_001, run.logLines());
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(i + 1, lines.get(i).seq());
    }
    assertEquals("50000", lines.stream().filter(l -> l.stream() == LogStream.STDOUT).reduce((a, b) -> b)
        .orElseThrow().text());
    assertEquals("done", lines.stream().filter(l -> l.stream() == LogStream.STDERR).findFirst().orElseThrow().text());
  }

  @Test
  @DisplayName("a shell killed by a signal ends failed with 128 + N; exit codes are the shell's")
  void exitCodesAndSignals() throws Exception {
    deploySupervisor();
    Run killed = awaitEnd(start("echo before; kill -9 $$").getString("id"));
    assertEquals(RunStatus.FAILED, killed.status());
    assertEquals(137, killed.exitCode());
    assertEquals(List.of("before"), db.lines(killed.id()).stream().map(LogLine::text).toList());
    Run three = awaitEnd(start("exit 3").getString("id"));
    assertEquals(RunStatus.FAILED, three.status());
    assertEquals(3, three.exitCode());
    Run missing = awaitEnd(start("no-such-command-here").getString("id"));
    assertEquals(127, missing.exitCode());
  }

  @Test
  @DisplayName("many short runs at once: each completes with all its lines, gap-free")
  void manyShortRuns() throws Exception {
    deploySupervisor();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      ids.add(start("echo a" + i + "; echo b >&2; echo c; " + (i % 3 == 0 ? "sleep 300 & " : "") + "echo d").getString("id"));
    }
    for (String id : ids) {
      Run run = awaitEnd(id);
      assertEquals(RunStatus.COMPLETED, run.status(), run.toString());
      assertEquals(List.of(1L, 2L, 3L, 4L), seqs(db.lines(id)), "lines of " + id);
      assertEquals(4, run.logLines());
      // reaped (by the exit watcher; NuProcess, told not to, does not wait for it)
      assertFalse(Children.unreapedChild(run.pid()), "shell of " + id + " left a zombie");
    }
    assertEquals(0, Children.openPidFds(), "pidfds left open");
  }

  @Test
  @DisplayName("without the exit watcher a run ends when its pipes close, with the right codes, its group ended first")
  void withoutTheExitWatcher() throws Exception {
    deploySupervisor(new JsonObject().put("exit_watcher", false).put("kill_grace_ms", 300));
    Run three = awaitEnd(start("echo a; echo b >&2; exit 3").getString("id"));
    assertEquals(3, three.exitCode());
    assertEquals(List.of(1L, 2L), seqs(db.lines(three.id())));
    assertEquals(137, awaitEnd(start("kill -9 $$").getString("id")).exitCode());
    // the shell exits only once the child ignores TERM (a loaded machine could otherwise TERM it first)
    JsonObject started = start("f=$(mktemp -u); bash -c 'trap \"\" TERM; : > \"$0\"; sleep 300' \"$f\" >/dev/null 2>&1 & "
        + "while [ ! -e \"$f\" ]; do sleep 0.01; done; rm -f \"$f\"; echo started");
    Run run = awaitEnd(started.getString("id"));
    assertEquals(List.of(), ProcessGroups.members(started.getInteger("pid")), "alive after the final status");
    assertEquals(RunStatus.COMPLETED, run.status());
  }

  @Test
  @DisplayName("a run over its timeout ends timed_out")
  void timeout() throws Exception {
    deploySupervisor();
    JsonObject started = request(Addresses.RUNS_START,
        new JsonObject().put("command", "sleep 30").put("timeout", 1));
    Run run = awaitEnd(started.getString("id"));
    assertEquals(RunStatus.TIMED_OUT, run.status());
    assertEquals(143, run.exitCode());
    long ms = Duration.between(run.startedAt(), run.endedAt()).toMillis();
    // times are stored in whole milliseconds, so a run ended 1000.4 ms after its start can read 999
    assertTrue(ms >= 999 && ms < 5000, "ended after " + ms + " ms");
  }

  @Test
  @DisplayName("restart kills the live run, waits for its end and starts it again")
  void restart() throws Exception {
    deploySupervisor();
    JsonObject first = request(Addresses.RUNS_START, new JsonObject().put("command", "sleep 300")
        .put("timeout", 77).put("env", new JsonObject().put("A", "1")).put("script_id", "s1"));
    JsonObject second = request(Addresses.RUNS_RESTART, new JsonObject().put("run_id", first.getString("id")));
    assertEquals(RunStatus.KILLED, db.runs.get(first.getString("id")).status());
    assertEquals("running", second.getString("status"));
    assertEquals(first.getString("id"), second.getString("restarted_from"));
    assertEquals("restart", second.getString("trigger"));
    assertEquals(77, second.getLong("timeout"));
    assertEquals("s1", second.getString("script_id"));
    assertEquals(Map.of("A", "1"), db.runs.get(second.getString("id")).env());

    JsonObject third = request(Addresses.RUNS_RESTART, new JsonObject().put("run_id", first.getString("id")));
    assertEquals(first.getString("id"), third.getString("restarted_from"));
    assertEquals(404, failure(Addresses.RUNS_RESTART, new JsonObject().put("run_id", "nope")).failureCode());
  }

  @Test
  @DisplayName("recent lines come from the live ring; 416 when too old, 404 when not live")
  void recentLines() throws Exception {
    deploySupervisor(new JsonObject().put("ring_lines", 16));
    JsonObject started = start("seq 1 50; sleep 300");
    String id = started.getString("id");
    awaitTrue("50 lines", 5000, () -> db.lines(id).size() == 50);
    LogPage page = await(vertx.eventBus().<LogPage>request(Addresses.RUNS_RECENT_LINES,
        new LogQuery(id, 40, 5))).body();
    assertEquals(List.of(41L, 42L, 43L, 44L, 45L), seqs(page.lines()));
    assertEquals("41", page.lines().get(0).text());
    assertEquals(45, page.nextSince());
    assertEquals(416, failure(Addresses.RUNS_RECENT_LINES, new LogQuery(id, 10, 5)).failureCode());
    assertEquals(404, failure(Addresses.RUNS_RECENT_LINES, new LogQuery("nope", 0, 5)).failureCode());
  }

  @Test
  @DisplayName("::progress lines set the run's progress")
  void progress() throws Exception {
    deploySupervisor();
    Run run = awaitEnd(start("echo '::progress 40'; echo '::progress 70'; echo '::progress 700'").getString("id"));
    assertEquals(70, run.progress());
    assertEquals(3, run.logLines());
  }

  @Test
  @DisplayName("progress changes are saved and published at most every 250 ms, the last one always")
  void progressThrottled() throws Exception {
    deploySupervisor();
    String id = start("for i in $(seq 1 20); do echo \"::progress $((i * 5))\"; sleep 0.025; done; "
        + "echo '::progress 100'; sleep 0.4").getString("id");
    Run run = awaitEnd(id);
    assertEquals(100, run.progress());
    List<Run> runningSaves = db.saves.stream()
        .filter(r -> r.id().equals(id) && r.status() == RunStatus.RUNNING).toList();
    long ms = Duration.between(run.startedAt(), run.endedAt()).toMillis();
    assertTrue(runningSaves.size() <= 2 + ms / 250, runningSaves.size() + " saves in " + ms + " ms");
    assertEquals(100, runningSaves.get(runningSaves.size() - 1).progress(),
        "the last progress is saved while running");
  }

  @Test
  @DisplayName("recovery: a run left running becomes lost and its process group is stopped")
  void recovery() throws Exception {
    Process sleeper = new ProcessBuilder("setsid", "sleep", "300").start();
    int pid = (int) sleeper.pid();
    awaitTrue("the sleeper", 5000, () -> ProcessGroups.startTime(pid) != null);
    Run left = Run.pending("left-over", null, Run.KIND_SHELL, "sleep 300", "api", 60, Map.of(), null,
        null, Instant.now().minusSeconds(3600)).started(pid, ProcessGroups.startTime(pid),
        Instant.now().minusSeconds(3600));
    db.runs.put(left.id(), left);
    Run pendingLeft = Run.pending("never-started", null, Run.KIND_SHELL, "true", "api", 60, Map.of(),
        null, null, Instant.now().minusSeconds(3600));
    db.runs.put(pendingLeft.id(), pendingLeft);

    deploySupervisor();
    Run lost = db.runs.get(left.id());
    assertEquals(RunStatus.LOST, lost.status());
    assertEquals(RunsVerticle.LOST_ERROR, lost.error());
    assertEquals(RunStatus.LOST, db.runs.get(pendingLeft.id()).status());
    assertTrue(sleeper.waitFor(5, TimeUnit.SECONDS), "the left-over process is still alive");
  }

  @Test
  @DisplayName("reaper: when the server's pipe closes as if the JVM died, the run's group is killed")
  void reaperKillsOrphans() throws Exception {
    deploySupervisor();
    JsonObject started = start("trap '' TERM; sleep 300 & sleep 300 & wait");
    int pgid = started.getInteger("pid");
    awaitTrue("both sleeps", 5000, () -> ProcessGroups.members(pgid).size() == 3);
    await(owner.reaper().simulateServerDeath());
    assertGroupGone(pgid);
  }

  @Test
  @DisplayName("reaper: a reaper that dies is restarted with every live group registered again")
  void reaperRestarts() throws Exception {
    deploySupervisor();
    JsonObject started = start("sleep 300 & wait");
    int pgid = started.getInteger("pid");
    long firstReaper = owner.reaper().pid();
    assertTrue(ProcessHandle.of(firstReaper).orElseThrow().destroyForcibly());
    awaitTrue("a new reaper", 5000, () -> owner.reaper().pid() > 0
        && owner.reaper().pid() != firstReaper);
    await(owner.reaper().simulateServerDeath());
    assertGroupGone(pgid);
  }

  @Test
  @DisplayName("a shell that cannot be executed ends the run failed with 127, replied as a run")
  void missingShell() throws Exception {
    deploySupervisor(new JsonObject().put("shell", tempDir.resolve("no-such-shell").toString()));
    JsonObject started = start("true");
    Run run = awaitEnd(started.getString("id"));
    assertEquals(RunStatus.FAILED, run.status());
    assertTrue(run.exitCode() == null ? run.error() != null : run.exitCode() == 127,
        "exit " + run.exitCode() + ", error " + run.error());
  }

  @Test
  @DisplayName("undeploy kills every live run, saves it killed and leaves no process")
  void stopKillsLiveRuns() throws Exception {
    deploySupervisor();
    JsonObject started = start("sleep 300 & wait");
    int pgid = started.getInteger("pid");
    await(vertx.undeploy(supervisorDeployment));
    Run run = db.runs.get(started.getString("id"));
    assertEquals(RunStatus.KILLED, run.status());
    assertGroupGone(pgid);
  }

  @Test
  @DisplayName("exit detection is prompt: 50 sequential `true` runs end within 150 ms of spawn (median; the p99 is ExitLatencyBenchmark's)")
  void promptExitDetection() throws Exception {
    deploySupervisor();
    List<Long> durations = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Run run = awaitEnd(start("true").getString("id"));
      assertEquals(RunStatus.COMPLETED, run.status());
      durations.add(Duration.between(run.startedAt(), run.endedAt()).toMillis());
    }
    // the median, not the slowest: a loaded machine delays single runs; a polling detector shifts them all
    long median = durations.stream().mapToLong(Long::longValue).sorted().skip(durations.size() / 2).findFirst()
        .orElseThrow();
    assertTrue(median <= 150, "median exit detection " + median + " ms: " + durations);
  }

  private static Script shellScript(String command) {
    return new Script(UUID.randomUUID().toString(), "lines", Run.KIND_SHELL, command, null, 30, Map.of(), null, true,
        null, null, Script.ALLOW, null, 1, Instant.now(), Instant.now(), null, null);
  }

  private Object startAwaiting(Script script, int awaitLines) throws Exception {
    return await(vertx.eventBus().request(Addresses.RUNS_START_SCRIPT,
        new StartScript(script.id(), script, Map.of(), "api", null, null, true, null, null, awaitLines),
        new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(30_000))).body();
  }

  @Test
  @DisplayName("a start awaiting its lines is answered with the saved end and every line the run kept, from the live buffer")
  void awaitedStartCarriesItsLines() throws Exception {
    deploySupervisor();
    RunEnd end = assertInstanceOf(RunEnd.class, startAwaiting(shellScript("echo one; echo two >&2; echo three"), 100));
    assertEquals(RunStatus.COMPLETED, end.run().status());
    assertEquals(end.run(), db.runs.get(end.run().id()), "the answer is the run as saved");
    assertNotNull(end.lines(), "three lines fit the live buffer");
    assertEquals(List.of(1L, 2L, 3L), seqs(end.lines().lines()));
    assertEquals(List.of("one", "three"), end.lines().lines().stream()
        .filter(line -> line.stream() == LogStream.STDOUT).map(LogLine::text).toList());
    assertEquals(1, startAwaiting(shellScript("echo one; echo two"), 1) instanceof RunEnd limited
        ? limited.lines().lines().size() : -1, "no more lines than asked");
    assertInstanceOf(Run.class, startAwaiting(shellScript("echo one"), 0), "without awaitLines the answer is the run");
  }

  @Test
  @DisplayName("a run that wrote more than the live buffer holds is answered without lines: its start is only in storage")
  void awaitedStartBeyondTheBufferHasNoLines() throws Exception {
    deploySupervisor(new JsonObject().put("ring_lines", 16));
    RunEnd end = assertInstanceOf(RunEnd.class, startAwaiting(shellScript("seq 1 40"), 100));
    assertEquals(RunStatus.COMPLETED, end.run().status());
    assertEquals(40, end.run().logLines());
    assertNull(end.lines());
  }
}
