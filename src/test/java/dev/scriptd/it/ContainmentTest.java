package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing a run started outlives it, in both modes: a cgroup per run, and process groups (with the
 * run's marker in the environment). Each run starts two daemons that leave its process group: one
 * through {@code setsid} (and keeps the run's stdout open), one double-forked; both must be gone
 * when the run ends, however it ends, and no cgroup directory may be left.
 */
@DisplayName("Containment: daemons that leave a run's process group end with the run, in both modes")
class ContainmentTest {
  private static final Duration GONE = Duration.ofSeconds(20);

  @TempDir
  Path dataDir;
  @TempDir
  Path work;
  private Vertx vertx;
  private TestServer server;
  private final List<Process> servers = new ArrayList<>();
  private final List<Integer> daemons = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    for (Process jvm : servers) {
      jvm.destroy(); // SIGTERM: a server that stops cleanly removes its cgroup
      if (!jvm.waitFor(30, TimeUnit.SECONDS)) {
        jvm.destroyForcibly();
      }
    }
    for (int pid : daemons) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // a failed test leaves none behind
    }
  }

  /** Starts two daemons (pids in setsid.pid and double.pid), then {@code rest}. */
  private String daemonsThen(String rest) {
    return "setsid sh -c 'echo $$ > " + work.resolve("setsid.pid") + "; exec sleep 300' &"
        + " ( (exec sleep 301) < /dev/null > /dev/null 2>&1 & echo $! > " + work.resolve("double.pid") + " );"
        + " while [ ! -s " + work.resolve("setsid.pid") + " ]; do sleep 0.01; done; " + rest;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cgroup", "process_group"})
  @DisplayName("on completion: the run ends completed at once although the setsid daemon holds its stdout, and both daemons are gone")
  void completion(String mode) throws Exception {
    Api api = startInProcess(mode);
    JsonObject run = api.startRun(daemonsThen("echo done"));
    List<Integer> pids = daemonPids(run.getInteger("pid"));
    JsonObject ended = api.awaitEnd(run.getString("id"));
    assertEquals("completed", ended.getString("status"), ended.encode());
    awaitGone(pids);
    assertContainment(mode, ended);
    assertNoRunCgroupLeft(api);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cgroup", "process_group"})
  @DisplayName("on kill: the run ends killed and both daemons are gone")
  void kill(String mode) throws Exception {
    Api api = startInProcess(mode);
    JsonObject run = api.startRun(daemonsThen("sleep 300"));
    List<Integer> pids = daemonPids(run.getInteger("pid"));
    assertEquals(202, api.post("/api/runs/" + run.getString("id") + "/kill", null).statusCode());
    JsonObject ended = api.awaitEnd(run.getString("id"));
    assertEquals("killed", ended.getString("status"));
    awaitGone(pids);
    assertContainment(mode, ended);
    assertNoRunCgroupLeft(api);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cgroup", "process_group"})
  @DisplayName("on timeout: the run ends timed_out and both daemons are gone")
  void timeout(String mode) throws Exception {
    Api api = startInProcess(mode);
    JsonObject run = api.startRun(new JsonObject().put("command", daemonsThen("sleep 300")).put("timeout", 2));
    List<Integer> pids = daemonPids(run.getInteger("pid"));
    JsonObject ended = api.awaitEnd(run.getString("id"));
    assertEquals("timed_out", ended.getString("status"));
    awaitGone(pids);
    assertNoRunCgroupLeft(api);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cgroup", "process_group"})
  @DisplayName("a CPU spinner's usage.cpu_user_ms matches the CPU time it counted itself within 10 %")
  void cpuUsage(String mode) throws Exception {
    Api api = startInProcess(mode);
    // bash's times builtin prints the shell's own user and system time first
    JsonObject run = api.startRun(new JsonObject().put("command",
        "i=0; while ((i < 1500000)); do ((i++)); done; times").put("timeout", 600));
    JsonObject ended = api.awaitRun(run.getString("id"), r -> r.getValue("ended_at") != null, Duration.ofSeconds(120));
    assertEquals("completed", ended.getString("status"), ended.encode());
    String own = api.allLines(run.getString("id")).get(0).getString("line");
    Matcher time = Pattern.compile("^(\\d+)m([\\d.]+)s").matcher(own);
    assertTrue(time.find(), own);
    double counted = Long.parseLong(time.group(1)) * 60_000 + Double.parseDouble(time.group(2)) * 1000;
    assertTrue(counted >= 200, "the spinner ran too briefly to compare: " + own);
    JsonObject usage = ended.getJsonObject("usage");
    assertNotNull(usage, ended.encode());
    assertEquals(counted, usage.getLong("cpu_user_ms"), counted * 0.1, usage.encode());
    assertNotNull(usage.getLong("cpu_system_ms"), usage.encode());
    assertContainment(mode, ended);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cgroup"})
  @DisplayName("a process spawner is held at limits.max_processes by the pids controller")
  void maxProcesses(String mode) throws Exception {
    Api api = startInProcess(mode);
    JsonArray controllers = containment(api).getJsonArray("controllers");
    assumeTrue(controllers != null && controllers.contains("pids"), "the pids controller is not enabled for the"
        + " runs' cgroups here (" + containment(api).encode() + "): max_processes is only an rlimit, which root ignores");
    JsonObject run = api.startRun(new JsonObject().put("timeout", 30).put("limits", new JsonObject().put("max_processes", 8))
        .put("command", "for i in $(seq 40); do sleep 5 & done 2>/dev/null; wait"));
    JsonObject ended = api.awaitRun(run.getString("id"), r -> r.getValue("ended_at") != null, Duration.ofSeconds(60));
    long peak = ended.getJsonObject("usage").getLong("peak_processes");
    assertTrue(peak <= 8, "peak processes " + peak);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cgroup", "process_group"})
  @DisplayName("on SIGTERM of the server: the run ends killed and both daemons are gone")
  void serverSigterm(String mode) throws Exception {
    int port = TestServer.freePort();
    Api api = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
    Process jvm = startJvm(port, mode, true);
    assumeMode(api, mode);
    JsonObject run = api.startRun(daemonsThen("sleep 300"));
    List<Integer> pids = daemonPids(run.getInteger("pid"));
    Path parent = cgroupParent(api);
    jvm.destroy();
    assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "server still running");
    awaitGone(pids);
    if (parent != null) {
      assertFalse(Files.exists(parent), "the server's cgroup is left: " + parent);
    }
    startJvm(port, mode, true);
    assertEquals("killed", api.run(run.getString("id")).getString("status"));
  }

  @ParameterizedTest(name = "{0}, reaper {1}")
  @CsvSource({"cgroup, true", "cgroup, false", "process_group, true", "process_group, false"})
  @DisplayName("on SIGKILL of the server: the reaper, or recovery at the next start, ends both daemons; the run is lost")
  void serverSigkill(String mode, boolean reaper) throws Exception {
    int port = TestServer.freePort();
    Api api = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
    Process jvm = startJvm(port, mode, reaper);
    assumeMode(api, mode);
    JsonObject run = api.startRun(daemonsThen("sleep 300"));
    List<Integer> pids = daemonPids(run.getInteger("pid"));
    jvm.destroyForcibly();
    assertTrue(jvm.waitFor(30, TimeUnit.SECONDS), "server still running");
    if (reaper) {
      awaitGone(pids);
    } else {
      for (int pid : pids) {
        assertTrue(alive(pid), "without the reaper, daemon " + pid + " should outlive the crash");
      }
    }
    startJvm(port, mode, reaper);
    awaitGone(pids);
    JsonObject lost = api.run(run.getString("id"));
    assertEquals("lost", lost.getString("status"));
    assertNoRunCgroupLeft(api);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cgroup"})
  @DisplayName("at start, a run cgroup a previous server left without an open run is ended and removed")
  void leftoverCgroupIsSwept(String mode) throws Exception {
    int port = TestServer.freePort();
    Api api = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
    Process first = startJvm(port, mode, false);
    assumeMode(api, mode);
    Path parent = cgroupParent(api);
    first.destroy();
    assertTrue(first.waitFor(60, TimeUnit.SECONDS), "server still running");
    // a group as a crashed server would leave it: a run's cgroup with a process in it, and no open run
    Path left = parent.resolve("run-" + java.util.UUID.randomUUID());
    Files.createDirectories(left);
    Process orphan = new ProcessBuilder("/bin/sh", "-c", "echo $$ > " + left.resolve("cgroup.procs") + " && exec sleep 300")
        .start();
    daemons.add((int) orphan.pid());
    Instant end = Instant.now().plusSeconds(10);
    while (!Files.readString(left.resolve("cgroup.procs")).contains(Long.toString(orphan.pid()))) {
      assertTrue(Instant.now().isBefore(end), "the process did not enter " + left);
      LockSupport.parkNanos(10_000_000L);
    }
    startJvm(port, mode, false);
    assertTrue(orphan.waitFor(20, TimeUnit.SECONDS), "the leftover group's process was not ended");
    assertFalse(Files.exists(left), "the leftover group was not removed");
  }

  // ---- helpers

  private Api startInProcess(String mode) throws Exception {
    vertx = Vertx.vertx();
    JsonObject config = TestServer.config(dataDir, TestServer.freePort());
    config.getJsonObject("runs").put("containment", mode.equals("cgroup") ? "auto" : mode);
    server = TestServer.start(vertx, config);
    assumeMode(server.api, mode);
    return server.api;
  }

  private Process startJvm(int port, String mode, boolean reaper) throws Exception {
    Process process = ServerJvm.start(dataDir, port, List.of("--runs.kill_grace_ms=1000",
        "--runs.reaper=" + reaper, "--runs.containment=" + (mode.equals("cgroup") ? "auto" : mode)));
    servers.add(process);
    return process;
  }

  private static JsonObject containment(Api api) {
    return new JsonObject(api.get("/health").body()).getJsonObject("checks").getJsonObject("containment");
  }

  /** Cgroup mode needs a writable cgroup v2 hierarchy: skipped, with the reason, where there is none. */
  private static void assumeMode(Api api, String mode) {
    JsonObject containment = containment(api);
    assertNotNull(containment, "/health has no containment check");
    assumeTrue(mode.equals(containment.getString("mode")), "runs cannot get a cgroup here: "
        + containment.getString("reason"));
  }

  private static Path cgroupParent(Api api) {
    String dir = containment(api).getString("cgroup");
    return dir == null ? null : Path.of(dir);
  }

  private static void assertContainment(String mode, JsonObject ended) {
    assertEquals(mode, ended.getJsonObject("usage").getString("containment"), ended.encode());
  }

  private static void assertNoRunCgroupLeft(Api api) throws IOException {
    Path parent = cgroupParent(api);
    if (parent == null) {
      assertNull(containment(api).getValue("cgroup"));
      return;
    }
    if (!Files.isDirectory(parent)) {
      return; // the server's own group went too (the reaper or a stop removed it): no run group is left
    }
    try (Stream<Path> left = Files.list(parent)) {
      assertEquals(List.of(), left.filter(Files::isDirectory).toList(), "run cgroups left in " + parent);
    } catch (java.nio.file.NoSuchFileException removedMeanwhile) {
      // removed between the check and the listing: nothing is left either
    }
  }

  /** The two daemons' pids, once both wrote them; checks they left the run's process group. */
  private List<Integer> daemonPids(int runPgid) throws IOException {
    List<Integer> pids = new ArrayList<>();
    for (String name : List.of("setsid.pid", "double.pid")) {
      Path file = work.resolve(name);
      Instant end = Instant.now().plusSeconds(20);
      while (!Files.exists(file) || Files.readString(file).isBlank()) {
        if (Instant.now().isAfter(end)) {
          fail("the run did not start its daemon (" + name + ")");
        }
        LockSupport.parkNanos(10_000_000L);
      }
      int pid = Integer.parseInt(Files.readString(file).trim());
      daemons.add(pid);
      pids.add(pid);
    }
    assertNotEquals(List.of(), pids);
    assertFalse(Processes.group(runPgid).contains(pids.get(0)), "the setsid daemon is still in the run's group");
    return pids;
  }

  private static boolean alive(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException gone) {
      return false;
    }
  }

  private static void awaitGone(List<Integer> pids) {
    Instant end = Instant.now().plus(GONE);
    for (int pid : pids) {
      while (alive(pid)) {
        if (Instant.now().isAfter(end)) {
          fail("process " + pid + " outlived its run");
        }
        LockSupport.parkNanos(20_000_000L);
      }
    }
  }
}
