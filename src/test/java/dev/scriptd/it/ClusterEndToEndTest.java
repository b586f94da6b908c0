package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three standalone servers (Main, each in a JVM of its own) sharing one PostgreSQL database: a node
 * killed with SIGKILL, and a node stopped with SIGSTOP and resumed with SIGCONT, as a machine that
 * dies or a process that freezes (a long GC pause, a suspended VM) would.
 */
@DisplayName("A cluster of three JVMs: a killed node's runs end lost, a frozen node changes no cron fire time"
    + " and never writes over its lost runs")
class ClusterEndToEndTest {
  private static final long FAILURE_TIMEOUT_MS = 2000;

  @TempDir
  Path dir;
  private final PostgresTestDatabase database = new PostgresTestDatabase();
  private final List<Node> nodes = new ArrayList<>();
  /** Each node's flags, to start it again. */
  private final List<List<String>> flags = new ArrayList<>();

  /** One server JVM. */
  private record Node(Process process, Api api, int port, Path data) {
    String id() {
      return new JsonObject(api.get("/health").body()).getJsonObject("checks").getJsonObject("cluster")
          .getString("node_id");
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (Node node : nodes) {
      if (node.process().isAlive()) {
        signal(node, "CONT"); // a stopped JVM would not die of the TERM below
        node.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Starts {@code count} nodes that list each other; returns once each answers /health and lists all. */
  private void startNodes(int count) throws Exception {
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      clusterPorts.add(TestServer.freePort());
    }
    StringBuilder members = new StringBuilder("--cluster.members=");
    clusterPorts.forEach(port -> members.append(members.length() > 18 ? "," : "").append("127.0.0.1:").append(port));
    for (int i = 0; i < count; i++) {
      Path data = dir.resolve("node" + i);
      Files.createDirectories(data);
      int port = TestServer.freePort();
      List<String> own = List.of("--cluster.enabled=true",
          members.toString(), "--cluster.port=" + clusterPorts.get(i),
          "--cluster.failure_timeout_ms=" + FAILURE_TIMEOUT_MS, "--database-url=" + database.url());
      flags.add(own);
      Process process = ServerJvm.start(data, port, own);
      nodes.add(new Node(process, new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN), port, data));
    }
    for (Node node : nodes) {
      await("node on port " + node.port() + " to list " + count + " nodes", Duration.ofSeconds(60),
          () -> members(node).size() == count);
    }
  }

  /** The members a node's /health names (null when it does not answer). */
  private static List<Object> members(Node node) {
    try {
      JsonObject check = new JsonObject(node.api().get("/health").body()).getJsonObject("checks")
          .getJsonObject("cluster");
      JsonArray members = check.getJsonArray("members");
      return members == null ? List.of() : members.getList();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static void signal(Node node, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(node.process().pid())).start();
    assertEquals(0, kill.waitFor(), "kill -" + signal);
  }

  private static void await(String what, Duration within, Supplier<Boolean> condition) {
    Instant deadline = Instant.now().plus(within);
    while (!Boolean.TRUE.equals(condition.get())) {
      if (Instant.now().isAfter(deadline)) {
        fail("timed out after " + within + " waiting for " + what);
      }
      LockSupport.parkNanos(50_000_000L);
    }
  }

  /** Polls GET /api/runs/{id} on {@code node} until {@code until} holds; fails after the deadline. */
  private static JsonObject awaitRun(Node node, String runId, Predicate<JsonObject> until, Duration within) {
    JsonObject[] last = new JsonObject[1];
    try {
      await("run " + runId + " on port " + node.port(), within, () -> {
        HttpResponse<String> response = node.api().get("/api/runs/" + runId);
        last[0] = response.statusCode() == 200 ? new JsonObject(response.body()) : null;
        return last[0] != null && until.test(last[0]);
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last seen " + last[0], e);
    }
    return last[0];
  }

  /** A {@code sleep 300} run on {@code node}, running there; its child's pid read from its marker. */
  private static JsonObject sleepOn(Node node) {
    // named: placement would send it to a node with fewer running runs
    HttpResponse<String> started = node.api().post("/api/runs", new JsonObject().put("command", "sleep 300")
        .put("node", node.id()));
    assertEquals(201, started.statusCode(), started.body());
    JsonObject run = new JsonObject(started.body());
    assertEquals(node.id(), run.getString("node"), "the run runs on the node that received it");
    return awaitRun(node, run.getString("id"), r -> "running".equals(r.getString("status")), Duration.ofSeconds(10));
  }

  /** Whether a process carrying the run's marker (SCRIPTD_RUN_ID in its environment) is alive. */
  private static boolean anyProcessOf(String runId) {
    byte[] marker = ("SCRIPTD_RUN_ID=" + runId).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try (java.util.stream.Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).anyMatch(p -> {
        try {
          byte[] environ = Files.readAllBytes(p.resolve("environ"));
          return java.util.Arrays.asList(new String(environ, java.nio.charset.StandardCharsets.ISO_8859_1)
              .split("\0")).contains(new String(marker, java.nio.charset.StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException gone) {
          return false; // exited meanwhile, or not ours to read
        }
      });
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("(a) a node killed with SIGKILL: its running run is lost on the others within the failure timeout + 3 s,"
      + " and none of its processes remain")
  void aKilledNodesRunIsLostAndItsProcessesGone() throws Exception {
    startNodes(3);
    Node dead = nodes.get(2);
    String deadId = dead.id();
    String runId = sleepOn(dead).getString("id");
    await("the run's process", Duration.ofSeconds(10), () -> anyProcessOf(runId));
    signal(dead, "KILL");
    for (Node survivor : List.of(nodes.get(0), nodes.get(1))) {
      JsonObject lost = awaitRun(survivor, runId, r -> "lost".equals(r.getString("status")),
          Duration.ofMillis(FAILURE_TIMEOUT_MS + 3000));
      assertTrue(lost.getString("error").contains(deadId), lost.encode());
    }
    // the dead node's reaper (a process of its own, which outlives the JVM) ends what it left
    await("the dead node's processes to be gone", Duration.ofSeconds(10), () -> !anyProcessOf(runId));
  }

  @Test
  @DisplayName("(b) an every-second cron on three nodes, one stopped for 8 s and resumed: over the whole time each"
      + " fire time has exactly one run, none twice and none missing")
  void aStoppedNodeChangesNoCronFireTime() throws Exception {
    startNodes(3);
    HttpResponse<String> created = nodes.get(0).api().post("/api/scripts", new JsonObject().put("name", "tick")
        .put("command", "true").put("schedule", new JsonObject().put("cron", "* * * * * *")));
    assertEquals(201, created.statusCode(), created.body());
    String scriptId = new JsonObject(created.body()).getString("id");
    // the other nodes' schedulers learn the script at their next start (scripts changes do not cross
    // nodes yet): restart them so that all three fire it
    for (int i = 1; i < 3; i++) {
      restart(i);
    }
    long from = System.currentTimeMillis() + 2000;
    await("cron runs", Duration.ofSeconds(30), () -> firedAfter(scriptId, from).size() >= 2);
    Node frozen = nodes.get(1);
    signal(frozen, "STOP");
    long stoppedAt = System.currentTimeMillis();
    await("8 s of the stop", Duration.ofSeconds(20), () -> System.currentTimeMillis() >= stoppedAt + 8000);
    signal(frozen, "CONT");
    long to = System.currentTimeMillis() + 4000;
    await("fire times after the resume", Duration.ofSeconds(30),
        () -> firedAfter(scriptId, to).size() >= 2);
    // every whole second in [from, to) is a fire time: one ledger row each (its key), naming one run
    Map<Long, String> rows = firedAfter(scriptId, from);
    List<Long> missing = new ArrayList<>();
    for (long second = (from + 999) / 1000 * 1000; second < to; second += 1000) {
      if (!rows.containsKey(second)) {
        missing.add(second);
      }
    }
    assertTrue(to - from >= 10_000, "the window spans at least 10 s");
    assertEquals(List.of(), missing, "fire times without a run, between " + from + " and " + to + ": " + rows);
    String runs = database.psql("SELECT count(*) FROM runs WHERE script_id = '" + scriptId + "' AND trigger = 'cron'");
    String named = database.psql("SELECT count(DISTINCT run_id) FROM schedule_fires WHERE script_id = '" + scriptId
        + "' AND run_id IS NOT NULL");
    String rowsWithRun = database.psql("SELECT count(*) FROM schedule_fires WHERE script_id = '" + scriptId
        + "' AND run_id IS NOT NULL");
    assertEquals(named, rowsWithRun, "no run is named by two fire times");
    // runs made after the last query may not have their ledger row's run_id yet: compare up to then
    long cronRuns = Long.parseLong(runs);
    assertTrue(cronRuns >= Long.parseLong(named) && cronRuns <= Long.parseLong(named) + 3,
        "cron runs " + cronRuns + " vs fire times with a run " + named + ": a fire time ran twice");
  }

  /** The ledger's fire times of the script from {@code fromMs} on that started a run: fire time -> run id. */
  private Map<Long, String> firedAfter(String scriptId, long fromMs) {
    Map<Long, String> rows = new TreeMap<>();
    database.psql("SELECT fire_time, run_id FROM schedule_fires WHERE script_id = '" + scriptId
        + "' AND run_id IS NOT NULL AND fire_time >= " + fromMs).lines().filter(line -> !line.isBlank())
        .forEach(line -> {
          String[] parts = line.split("\\|");
          rows.put(Long.parseLong(parts[0]), parts[1]);
        });
    return rows;
  }

  /** Stops node {@code i} (SIGTERM, it leaves the cluster) and starts it again with the same flags. */
  private void restart(int i) throws Exception {
    Node node = nodes.get(i);
    node.process().destroy();
    assertTrue(node.process().waitFor(60, TimeUnit.SECONDS), "node " + i + " did not stop");
    Process again = ServerJvm.start(node.data(), node.port(), flags.get(i));
    nodes.set(i, new Node(again, node.api(), node.port(), node.data()));
    await("node " + i + " to list the others again", Duration.ofSeconds(60), () -> {
      List<Object> members = members(nodes.get(i));
      return members != null && members.size() == nodes.size();
    });
  }

  @Test
  @DisplayName("(c) a node stopped past the failure timeout, whose running run the others marked lost, is resumed:"
      + " it says DOWN, the run stays lost, its process is gone within a few seconds, the others' runs run on, and it"
      + " rejoins")
  void aResumedNodeLeavesItsLostRunLostAndEndsItsProcess() throws Exception {
    startNodes(3);
    Node frozen = nodes.get(1);
    String frozenId = frozen.id();
    Node survivor = nodes.get(0);
    String runId = sleepOn(frozen).getString("id");
    String survivorsRun = sleepOn(survivor).getString("id");
    await("the runs' processes", Duration.ofSeconds(10), () -> anyProcessOf(runId) && anyProcessOf(survivorsRun));

    signal(frozen, "STOP");
    JsonObject lost = awaitRun(survivor, runId, r -> "lost".equals(r.getString("status")),
        Duration.ofMillis(FAILURE_TIMEOUT_MS + 3000));
    assertTrue(lost.getString("error").contains(frozenId), lost.encode());
    assertTrue(anyProcessOf(runId), "a stopped node's child keeps running until the node resumes");
    signal(frozen, "CONT");
    // it knows it stood still: DOWN until Hazelcast has merged it back (seconds later)
    await("the resumed node's /health to say DOWN", Duration.ofSeconds(5), () -> {
      HttpResponse<String> health = frozen.api().get("/health");
      return health.statusCode() == 503 && "DOWN".equals(new JsonObject(health.body()).getJsonObject("checks")
          .getJsonObject("cluster").getString("status"));
    });

    await("the lost run's process to be gone after the resume", Duration.ofSeconds(5), () -> !anyProcessOf(runId));
    // its run stays lost; the survivor's run, which the resumed node saw "leave" with its node, runs on
    Instant until = Instant.now().plusSeconds(4);
    while (Instant.now().isBefore(until)) {
      JsonObject stored = new JsonObject(survivor.api().get("/api/runs/" + runId).body());
      assertEquals("lost", stored.getString("status"), stored.encode());
      assertEquals(lost.getString("error"), stored.getString("error"));
      JsonObject other = new JsonObject(survivor.api().get("/api/runs/" + survivorsRun).body());
      assertEquals("running", other.getString("status"), other.encode());
      LockSupport.parkNanos(200_000_000L);
    }
    JsonObject stored = new JsonObject(survivor.api().get("/api/runs/" + runId).body());
    assertEquals(lost.getString("ended_at"), stored.getString("ended_at"), "the real end was not written over lost");
    assertTrue(anyProcessOf(survivorsRun), "the survivor's run still runs");
    // Hazelcast merges the resumed node back: every node lists the three, the resumed one answering
    for (Node node : nodes) {
      await("node on port " + node.port() + " to be UP with the three nodes", Duration.ofSeconds(30), () -> {
        HttpResponse<String> health = node.api().get("/health");
        List<Object> members = members(node);
        return health.statusCode() == 200 && members != null && members.size() == 3;
      });
    }
    await("the survivor to list the resumed node with its own answer", Duration.ofSeconds(10), () ->
        new JsonObject(survivor.api().get("/api/cluster").body()).getJsonArray("nodes").stream()
            .map(JsonObject.class::cast)
            .anyMatch(node -> frozenId.equals(node.getString("id")) && node.getValue("running_runs") != null));
  }

  @Test
  @DisplayName("clustered, every scriptd meter of a node's scrape carries node=\"<its id>\"")
  void metersCarryTheNodeId() throws Exception {
    startNodes(1);
    Node node = nodes.get(0);
    String id = node.id();
    List<String> samples = node.api().get("/metrics").body().lines()
        .filter(line -> !line.startsWith("#"))
        .filter(line -> line.startsWith("script_") || line.startsWith("active_") || line.startsWith("scriptd_"))
        .toList();
    assertTrue(samples.size() > 10, samples.toString());
    for (String line : samples) {
      assertTrue(line.contains("node=\"" + id + "\""), line);
    }
  }
}
