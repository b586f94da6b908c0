package dev.scriptd.it;

import static dev.scriptd.it.ClusterNodes.awaitRun;
import static dev.scriptd.it.ClusterNodes.ownId;
import static dev.scriptd.it.ClusterNodes.started;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs in a cluster of real nodes (each its own clustered Vertx, one shared PostgreSQL database):
 * placement, kill and restart through any node, a script's concurrency across nodes, and a dead
 * coordinator's queued run moved to a survivor.
 */
@DisplayName("Clustered runs: placed on the least busy node, killed and restarted through any node, one concurrency for the cluster")
class ClusterRunsTest {
  private static final long FAILURE_TIMEOUT_MS = 2000;
  private static final Duration WITHIN = Duration.ofSeconds(30);

  @TempDir
  Path dir;
  private ClusterNodes cluster;

  @BeforeEach
  void nodes() {
    cluster = new ClusterNodes(dir, FAILURE_TIMEOUT_MS);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** Starts {@code count} nodes; each one is a member of the others' cluster. */
  private List<TestServer> startNodes(int count) throws Exception {
    List<TestServer> servers = cluster.start(count);
    Set<String> ids = new TreeSet<>();
    servers.forEach(server -> ids.add(ownId(server)));
    assertEquals(count, ids.size(), ids.toString());
    return servers;
  }

  /** Waits until each node's run owner has heard every node's load, which placement goes by. */
  private static void awaitLoadsKnown(List<TestServer> servers) throws Exception {
    Set<String> ids = new TreeSet<>();
    servers.forEach(server -> ids.add(ownId(server)));
    for (TestServer server : servers) {
      Instant deadline = Instant.now().plus(WITHIN);
      while (!loadsKnown(server).equals(ids)) {
        if (Instant.now().isAfter(deadline)) {
          fail("node on port " + server.port + " knows the loads of " + loadsKnown(server) + ", not of " + ids);
        }
        LockSupport.parkNanos(50_000_000L);
      }
    }
  }

  private static Set<String> loadsKnown(TestServer server) throws Exception {
    JsonObject loads = server.vertx.eventBus().<JsonObject>request("scriptd.runs.query.loads", null)
        .await(10, TimeUnit.SECONDS).body();
    return new TreeSet<>(loads.getJsonObject("nodes").fieldNames());
  }

  private static JsonObject runningRunsByNode(TestServer server) {
    JsonObject counts = new JsonObject();
    new JsonObject(server.api.get("/api/cluster").body()).getJsonArray("nodes").forEach(node ->
        counts.put(((JsonObject) node).getString("id"), ((JsonObject) node).getInteger("running_runs")));
    return counts;
  }

  private static JsonObject script(TestServer server, String name, String command, String concurrency) {
    HttpResponse<String> created = server.api.post("/api/scripts", new JsonObject().put("name", name)
        .put("command", command).put("concurrency", concurrency));
    assertEquals(201, created.statusCode(), created.body());
    return new JsonObject(created.body());
  }

  @Test
  @DisplayName("20 runs started through one node spread over all three nodes, and each run's node is the node that runs its process")
  void runsSpreadOverTheNodes() throws Exception {
    List<TestServer> servers = startNodes(3);
    awaitLoadsKnown(servers);
    TestServer entry = servers.get(0);
    Map<String, Integer> placed = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      // long enough that all 20 still run when the counts are compared on a slow machine
      JsonObject run = started(entry.api.post("/api/runs", new JsonObject().put("command", "sleep 20")));
      placed.merge(run.getString("node"), 1, Integer::sum);
    }
    assertEquals(3, placed.size(), "every node gets some of the runs: " + placed);
    placed.values().forEach(count -> assertTrue(count >= 3, "spread: " + placed));
    // each node counts as running exactly the runs that name it: their processes run there
    JsonObject expected = new JsonObject();
    placed.forEach(expected::put);
    Instant deadline = Instant.now().plus(WITHIN);
    JsonObject counts = runningRunsByNode(entry);
    while (!counts.equals(expected)) {
      if (Instant.now().isAfter(deadline)) {
        fail("running runs by node " + counts.encode() + ", runs name " + expected.encode());
      }
      LockSupport.parkNanos(50_000_000L);
      counts = runningRunsByNode(entry);
    }
  }

  @Test
  @DisplayName("a run started through A on the node B it names is killed through C, and every node shows it killed")
  void aRunIsKilledThroughAnotherNode() throws Exception {
    List<TestServer> servers = startNodes(3);
    String b = ownId(servers.get(1));
    JsonObject run = started(servers.get(0).api.post("/api/runs", new JsonObject().put("command", "sleep 60")
        .put("node", b)));
    assertEquals(b, run.getString("node"), run.encode());
    String id = run.getString("id");
    awaitRun(servers.get(2), id, shown -> "running".equals(shown.getString("status")), WITHIN);
    HttpResponse<String> killed = servers.get(2).api.post("/api/runs/" + id + "/kill", new JsonObject());
    assertEquals(202, killed.statusCode(), killed.body());
    for (TestServer server : servers) {
      JsonObject shown = awaitRun(server, id, seen -> "killed".equals(seen.getString("status")), WITHIN);
      assertEquals(b, shown.getString("node"));
    }
    // a second kill through yet another node is answered as on one node: it has ended
    HttpResponse<String> again = servers.get(0).api.post("/api/runs/" + id + "/kill", new JsonObject());
    assertEquals(409, again.statusCode(), again.body());
    assertTrue(new JsonObject(again.body()).getString("detail").contains("has already ended"), again.body());
  }

  @Test
  @DisplayName("a run live on B is restarted through C: B kills it and starts the new run")
  void aRunIsRestartedThroughAnotherNode() throws Exception {
    List<TestServer> servers = startNodes(3);
    String b = ownId(servers.get(1));
    JsonObject run = started(servers.get(0).api.post("/api/runs", new JsonObject().put("command", "sleep 60")
        .put("node", b)));
    String id = run.getString("id");
    awaitRun(servers.get(2), id, shown -> "running".equals(shown.getString("status")), WITHIN);
    JsonObject again = started(servers.get(2).api.post("/api/runs/" + id + "/restart", new JsonObject()));
    assertEquals(id, again.getString("restarted_from"));
    assertEquals(b, again.getString("node"), again.encode());
    awaitRun(servers.get(0), id, shown -> "killed".equals(shown.getString("status")), WITHIN);
    awaitRun(servers.get(0), again.getString("id"), shown -> "running".equals(shown.getString("status")), WITHIN);
  }

  @Test
  @DisplayName("a forbid script: a run started through A, a second start through B is a 409, and a third node shows one running")
  void forbidHoldsAcrossNodes() throws Exception {
    List<TestServer> servers = startNodes(3);
    JsonObject script = script(servers.get(0), "single", "sleep 60", "forbid");
    String scriptId = script.getString("id");
    JsonObject first = started(servers.get(0).api.post("/api/scripts/" + scriptId + "/run", new JsonObject()));
    assertEquals(ownId(servers.get(0)), first.getString("node"), "the coordinator, the oldest node, runs it");
    HttpResponse<String> second = servers.get(1).api.post("/api/scripts/" + scriptId + "/run", new JsonObject());
    assertEquals(409, second.statusCode(), second.body());
    assertTrue(new JsonObject(second.body()).getString("detail").contains("already has an active run"), second.body());
    HttpResponse<String> third = servers.get(2).api.post("/api/scripts/" + scriptId + "/run", new JsonObject());
    assertEquals(409, third.statusCode(), third.body());
    awaitRun(servers.get(2), first.getString("id"), shown -> "running".equals(shown.getString("status")), WITHIN);
    assertEquals("1", cluster.database.psql("SELECT count(*) FROM runs WHERE script_id = '" + scriptId + "'"),
        "one run of the script in the whole cluster");
  }

  @Test
  @DisplayName("a forbid script's endpoint called on B while its run goes on the coordinator is a 409; once it ended, a call on B waits for the run on the coordinator and answers its output")
  void anEndpointOfAForbidScriptIsDecidedOnTheCoordinator() throws Exception {
    List<TestServer> servers = startNodes(2);
    String coordinator = ownId(servers.get(0));
    HttpResponse<String> created = servers.get(0).api.post("/api/scripts", new JsonObject().put("name", "gate")
        .put("command", "cat; echo; echo \"$SCRIPTD_RUN_ID\"; sleep \"${PAUSE:-0}\"").put("concurrency", "forbid")
        .put("endpoint", new JsonObject().put("method", "POST").put("path", "gate").put("auth", "public")));
    assertEquals(201, created.statusCode(), created.body());
    String scriptId = new JsonObject(created.body()).getString("id");
    JsonObject first = started(servers.get(0).api.post("/api/scripts/" + scriptId + "/run",
        new JsonObject().put("env", new JsonObject().put("PAUSE", "60"))));
    awaitRun(servers.get(1), first.getString("id"), shown -> "running".equals(shown.getString("status")), WITHIN);
    HttpResponse<String> refused = servers.get(1).api.send("POST", "/hooks/gate?wait=true", "hello");
    assertEquals(409, refused.statusCode(), refused.body());
    HttpResponse<String> killed = servers.get(1).api.post("/api/runs/" + first.getString("id") + "/kill",
        new JsonObject());
    assertEquals(202, killed.statusCode(), killed.body());
    awaitRun(servers.get(1), first.getString("id"), shown -> "killed".equals(shown.getString("status")), WITHIN);

    HttpResponse<String> answered = servers.get(1).api.send("POST", "/hooks/gate?wait=true", "hello");
    assertEquals(200, answered.statusCode(), answered.body());
    List<String> lines = answered.body().lines().toList();
    assertEquals("hello", lines.get(0), answered.body());
    JsonObject run = awaitRun(servers.get(1), lines.get(1), shown -> "completed".equals(shown.getString("status")),
        WITHIN);
    assertEquals(coordinator, run.getString("node"), "the coordinator ran it: " + run.encode());
    assertEquals("endpoint", run.getString("trigger"));
  }

  @Test
  @DisplayName("a queue script started through three nodes runs its runs one after another; a queued one is killed through another node")
  void queueHoldsAcrossNodes() throws Exception {
    List<TestServer> servers = startNodes(3);
    JsonObject script = script(servers.get(0), "one-by-one", "sleep 1", "queue");
    String scriptId = script.getString("id");
    List<String> ids = new ArrayList<>();
    for (TestServer server : servers) {
      ids.add(started(server.api.post("/api/scripts/" + scriptId + "/run", new JsonObject())).getString("id"));
    }
    // a fourth waits in the coordinator's queue: killed through another node, it ends killed without running
    JsonObject fourth = started(servers.get(1).api.post("/api/scripts/" + scriptId + "/run", new JsonObject()));
    assertEquals("pending", fourth.getString("status"), fourth.encode());
    HttpResponse<String> killed = servers.get(2).api.post("/api/runs/" + fourth.getString("id") + "/kill",
        new JsonObject());
    assertEquals(202, killed.statusCode(), killed.body());
    JsonObject cancelled = awaitRun(servers.get(1), fourth.getString("id"),
        shown -> "killed".equals(shown.getString("status")), WITHIN);
    assertEquals(null, cancelled.getString("started_at"), cancelled.encode());
    List<JsonObject> ended = new ArrayList<>();
    for (String id : ids) {
      ended.add(awaitRun(servers.get(2), id, shown -> "completed".equals(shown.getString("status")), WITHIN));
    }
    ended.sort((x, y) -> x.getString("started_at").compareTo(y.getString("started_at")));
    for (int i = 1; i < ended.size(); i++) {
      assertTrue(ended.get(i).getString("started_at").compareTo(ended.get(i - 1).getString("ended_at")) >= 0,
          "run " + i + " started before the previous one ended: " + new JsonArray(ended).encode());
    }
  }

  @Test
  @DisplayName("a dead coordinator's queued run moves to the surviving node and runs there; its running run ends lost")
  void aDeadCoordinatorsQueuedRunMoves() throws Exception {
    List<TestServer> servers = startNodes(2);
    TestServer doomed = servers.get(0); // the oldest member: the coordinator
    TestServer survivor = servers.get(1);
    String dead = ownId(doomed);
    String alive = ownId(survivor);
    JsonObject script = script(survivor, "queued", "sleep 60", "queue");
    String scriptId = script.getString("id");
    JsonObject running = started(survivor.api.post("/api/scripts/" + scriptId + "/run", new JsonObject()));
    JsonObject queued = started(survivor.api.post("/api/scripts/" + scriptId + "/run", new JsonObject()));
    assertEquals(dead, running.getString("node"), running.encode());
    assertEquals("pending", queued.getString("status"), queued.encode());
    awaitRun(survivor, running.getString("id"), shown -> "running".equals(shown.getString("status")), WITHIN);

    cluster.terminate(0);
    Duration takeOver = Duration.ofMillis(FAILURE_TIMEOUT_MS + 10_000);
    JsonObject lost = awaitRun(survivor, running.getString("id"), shown -> "lost".equals(shown.getString("status")),
        takeOver);
    assertEquals(dead, lost.getString("node"));
    JsonObject moved = awaitRun(survivor, queued.getString("id"), shown -> "running".equals(shown.getString("status")),
        takeOver);
    assertEquals(alive, moved.getString("node"), moved.encode());
    assertNotEquals(null, moved.getString("started_at"));
    assertEquals(1, runningRunsByNode(survivor).getInteger(alive), "its process runs on the survivor");
  }

  @Test
  @DisplayName("a chain link of a queue script, decided on the node where its upstream run ended, starts on the coordinator")
  void aChainLinkOfACoordinatedScriptStartsOnTheCoordinator() throws Exception {
    List<TestServer> servers = startNodes(3);
    String coordinator = ownId(servers.get(0));
    String c = ownId(servers.get(2));
    String downId = script(servers.get(0), "down", "true", "queue").getString("id");
    HttpResponse<String> up = servers.get(0).api.post("/api/scripts", new JsonObject().put("name", "up")
        .put("command", "true").put("then", new JsonArray().add(new JsonObject().put("script", "down"))));
    assertEquals(201, up.statusCode(), up.body());
    JsonObject upstream = started(servers.get(1).api.post("/api/scripts/" + new JsonObject(up.body()).getString("id")
        + "/run", new JsonObject().put("node", c)));
    assertEquals(c, upstream.getString("node"), upstream.encode());
    Instant deadline = Instant.now().plus(WITHIN);
    String link = cluster.database.psql("SELECT id FROM runs WHERE script_id = '" + downId + "'");
    while (link.isBlank()) {
      if (Instant.now().isAfter(deadline)) {
        fail("no chained run of down in " + WITHIN);
      }
      LockSupport.parkNanos(50_000_000L);
      link = cluster.database.psql("SELECT id FROM runs WHERE script_id = '" + downId + "'");
    }
    JsonObject chained = awaitRun(servers.get(1), link.trim(), shown -> "completed".equals(shown.getString("status")),
        WITHIN);
    assertEquals(upstream.getString("id"), chained.getString("parent_run_id"));
    assertEquals(coordinator, chained.getString("node"), chained.encode());
  }

  @Test
  @DisplayName("a script's runs on three nodes are killed through one node, and its delete through another ends its run on a third first")
  void aScriptsRunsAreKilledAndEndedOnEveryNode() throws Exception {
    List<TestServer> servers = startNodes(3);
    String scriptId = script(servers.get(0), "everywhere", "sleep 60", "allow").getString("id");
    List<String> ids = new ArrayList<>();
    for (TestServer server : servers) {
      JsonObject run = started(servers.get(0).api.post("/api/scripts/" + scriptId + "/run",
          new JsonObject().put("node", ownId(server))));
      assertEquals(ownId(server), run.getString("node"));
      ids.add(run.getString("id"));
    }
    for (String id : ids) {
      awaitRun(servers.get(1), id, shown -> "running".equals(shown.getString("status")), WITHIN);
    }
    HttpResponse<String> killed = servers.get(1).api.post("/api/scripts/" + scriptId + "/kill", new JsonObject());
    assertEquals(202, killed.statusCode(), killed.body());
    assertEquals(3, new JsonObject(killed.body()).getJsonArray("killed").size(), killed.body());
    for (String id : ids) {
      awaitRun(servers.get(0), id, shown -> "killed".equals(shown.getString("status")), WITHIN);
    }

    String last = started(servers.get(0).api.post("/api/scripts/" + scriptId + "/run",
        new JsonObject().put("node", ownId(servers.get(2))))).getString("id");
    awaitRun(servers.get(1), last, shown -> "running".equals(shown.getString("status")), WITHIN);
    HttpResponse<String> deleted = servers.get(1).api.send("DELETE", "/api/scripts/" + scriptId, null);
    assertEquals(204, deleted.statusCode(), deleted.body());
    assertEquals(404, servers.get(0).api.get("/api/runs/" + last).statusCode(), "deleted with its script");
  }

  @Test
  @DisplayName("a dead node's pending retry moves to the oldest survivor and runs there when due, instead of ending lost")
  void aDeadNodesHeldRetryMoves() throws Exception {
    List<TestServer> servers = startNodes(2);
    TestServer survivor = servers.get(0); // the oldest: it takes over
    String alive = ownId(survivor);
    String dead = ownId(servers.get(1));
    HttpResponse<String> created = survivor.api.post("/api/scripts", new JsonObject().put("name", "flaky")
        .put("command", "exit 2").put("retry", new JsonObject().put("max_attempts", 2).put("delay_ms", 4000)));
    assertEquals(201, created.statusCode(), created.body());
    JsonObject first = started(survivor.api.post("/api/scripts/" + new JsonObject(created.body()).getString("id")
        + "/run", new JsonObject().put("node", dead)));
    awaitRun(survivor, first.getString("id"), shown -> "failed".equals(shown.getString("status")), WITHIN);
    Instant deadline = Instant.now().plus(WITHIN);
    String retry = cluster.database.psql("SELECT id FROM runs WHERE retry_of = '" + first.getString("id") + "'");
    while (retry.isBlank()) {
      if (Instant.now().isAfter(deadline)) {
        fail("no retry of run " + first.getString("id") + " in " + WITHIN);
      }
      LockSupport.parkNanos(50_000_000L);
      retry = cluster.database.psql("SELECT id FROM runs WHERE retry_of = '" + first.getString("id") + "'");
    }
    JsonObject held = awaitRun(survivor, retry.trim(), shown -> "pending".equals(shown.getString("status")), WITHIN);
    assertEquals(dead, held.getString("node"), "held where its first attempt ended: " + held.encode());

    cluster.terminate(1);
    JsonObject retried = awaitRun(survivor, retry.trim(), shown -> "failed".equals(shown.getString("status")),
        Duration.ofMillis(FAILURE_TIMEOUT_MS + 15_000));
    assertEquals(2, retried.getInteger("exit_code"), "it ran, it was not marked lost: " + retried.encode());
    assertEquals(alive, retried.getString("node"));
    assertTrue(!Instant.parse(retried.getString("started_at")).isBefore(Instant.parse(held.getString("not_before"))),
        "not before its time: " + retried.encode());
  }
}
