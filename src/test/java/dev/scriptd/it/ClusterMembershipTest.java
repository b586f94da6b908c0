package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several real servers, each in its own clustered Vertx (Hazelcast, TCP join on loopback ports), in
 * one JVM: the membership GET /api/cluster shows, each node answering for itself, and a dead node
 * leaving the list, and the runs of a dead node marked lost by a survivor. The nodes share one
 * PostgreSQL database, as a cluster's nodes do.
 */
@DisplayName("Clustered nodes: membership in GET /api/cluster, each node's own answer, a dead, silent or foreign node")
class ClusterMembershipTest {
  private static final long FAILURE_TIMEOUT_MS = 2000;

  @TempDir
  Path dir;
  private ClusterNodes cluster;
  private List<Vertx> vertxes;
  private List<TestServer> servers;

  @BeforeEach
  void nodes() {
    cluster = new ClusterNodes(dir, FAILURE_TIMEOUT_MS);
    vertxes = cluster.vertxes;
    servers = cluster.servers;
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static JsonArray nodes(TestServer server) {
    HttpResponse<String> response = server.api.get("/api/cluster");
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body()).getJsonArray("nodes");
  }

  /** Polls GET /api/cluster on {@code server} until the list satisfies {@code until}; fails after the deadline. */
  private static JsonArray awaitNodes(TestServer server, Predicate<JsonArray> until, Duration within) {
    Instant deadline = Instant.now().plus(within);
    JsonArray nodes = nodes(server);
    while (!until.test(nodes)) {
      if (Instant.now().isAfter(deadline)) {
        fail("node on port " + server.port + " lists " + nodes.encode() + " after " + within);
      }
      LockSupport.parkNanos(50_000_000L);
      nodes = nodes(server);
    }
    return nodes;
  }

  private static Set<String> ids(JsonArray nodes) {
    Set<String> ids = new TreeSet<>();
    nodes.forEach(node -> ids.add(((JsonObject) node).getString("id")));
    return ids;
  }

  /** Every node lists exactly {@code expected}, itself once as self, each with its own address and running_runs. */
  private void assertEveryNodeLists(List<TestServer> live, Set<String> expected) {
    for (TestServer server : live) {
      JsonArray nodes = awaitNodes(server, list -> ids(list).equals(expected)
          && list.stream().allMatch(node -> ((JsonObject) node).getValue("running_runs") != null), Duration.ofSeconds(30));
      String self = ClusterNodes.ownId(server);
      int selves = 0;
      for (Object item : nodes) {
        JsonObject node = (JsonObject) item;
        if (node.getBoolean("self")) {
          selves++;
          assertEquals(self, node.getString("id"), nodes.encode());
          assertEquals("127.0.0.1:" + server.port, node.getString("address"));
        }
        assertEquals(0, node.getInteger("running_runs"), nodes.encode());
        assertEquals("development", node.getString("version"));
      }
      assertEquals(1, selves, nodes.encode());
    }
  }

  @Test
  @DisplayName("two nodes: each lists both with itself as self, the other's address as the other gives it")
  void twoNodesListEachOther() throws Exception {
    cluster.start(2);
    Set<String> ids = new TreeSet<>(List.of(ClusterNodes.ownId(servers.get(0)), ClusterNodes.ownId(servers.get(1))));
    assertEquals(2, ids.size(), "two node ids: " + ids);
    assertEveryNodeLists(servers, ids);
    // the other node's entry is its own answer: its HTTP address, not the asking node's
    JsonObject other = nodes(servers.get(0)).stream().map(JsonObject.class::cast)
        .filter(node -> !node.getBoolean("self")).findFirst().orElseThrow();
    assertEquals("127.0.0.1:" + servers.get(1).port, other.getString("address"));
    // a live other node may be named: the run is started there
    HttpResponse<String> elsewhere = servers.get(0).api.post("/api/runs",
        new JsonObject().put("command", "true").put("node", ClusterNodes.ownId(servers.get(1))));
    assertEquals(201, elsewhere.statusCode(), elsewhere.body());
    assertEquals(ClusterNodes.ownId(servers.get(1)), new JsonObject(elsewhere.body()).getString("node"));
    JsonObject health = new JsonObject(servers.get(1).api.get("/health").body()).getJsonObject("checks")
        .getJsonObject("cluster");
    assertEquals("UP", health.getString("status"), health.encode());
    assertEquals(ids, new TreeSet<>(health.getJsonArray("members").getList()));
  }

  @Test
  @DisplayName("three nodes: all list all three; when one's Hazelcast dies the others drop it within failure_timeout_ms + 3 s")
  void aDeadNodeIsDropped() throws Exception {
    cluster.start(3);
    Set<String> ids = new TreeSet<>();
    servers.forEach(server -> ids.add(ClusterNodes.ownId(server)));
    assertEquals(3, ids.size(), "three node ids: " + ids);
    assertEveryNodeLists(servers, ids);

    String dead = ClusterNodes.ownId(servers.get(2));
    HazelcastClusterManager manager = (HazelcastClusterManager) ((VertxInternal) vertxes.get(2)).clusterManager();
    manager.getHazelcastInstance().getLifecycleService().terminate();
    Duration within = Duration.ofMillis(FAILURE_TIMEOUT_MS + 3000);
    for (TestServer live : servers.subList(0, 2)) {
      awaitNodes(live, nodes -> !ids(nodes).contains(dead), within);
    }
    Set<String> left = new TreeSet<>(ids);
    left.remove(dead);
    assertEveryNodeLists(servers.subList(0, 2), left);
  }

  @Test
  @DisplayName("a dead node's running run: it names that node, and the surviving node marks it lost, naming the node, within failure_timeout_ms + 3 s, and counts it")
  void aDeadNodesRunsAreMarkedLost() throws Exception {
    cluster.start(2);
    TestServer doomed = servers.get(0); // the oldest member: the survivor must take over from it
    TestServer survivor = servers.get(1);
    Set<String> ids = new TreeSet<>(List.of(ClusterNodes.ownId(doomed), ClusterNodes.ownId(survivor)));
    assertEveryNodeLists(servers, ids);
    String dead = ClusterNodes.ownId(doomed);
    HttpResponse<String> started = doomed.api.post("/api/runs", new JsonObject().put("command", "sleep 60")
        .put("node", dead));
    assertEquals(201, started.statusCode(), started.body());
    String runId = new JsonObject(started.body()).getString("id");
    JsonObject running = ClusterNodes.awaitRun(survivor, runId, run -> "running".equals(run.getString("status")),
        Duration.ofSeconds(30));
    assertEquals(dead, running.getString("node"), "the run names the node that runs it: " + running.encode());

    HazelcastClusterManager manager = (HazelcastClusterManager) ((VertxInternal) vertxes.get(0)).clusterManager();
    manager.getHazelcastInstance().getLifecycleService().terminate();
    JsonObject lost = ClusterNodes.awaitRun(survivor, runId, run -> "lost".equals(run.getString("status")),
        Duration.ofMillis(FAILURE_TIMEOUT_MS + 3000));
    assertEquals("node " + dead + " left the cluster while this run was active", lost.getString("error"));
    assertEquals(dead, lost.getString("node"));
    assertTrue(lost.getString("ended_at") != null, lost.encode());
    // counted once, by the node that marked it, like a run recovery marks lost
    Instant deadline = Instant.now().plusSeconds(10);
    while (!lostCounted(survivor)) {
      if (Instant.now().isAfter(deadline)) {
        fail("no lost run counted on the survivor: " + survivor.api.get("/metrics").body());
      }
      LockSupport.parkNanos(50_000_000L);
    }
  }

  @Test
  @DisplayName("an every-second cron on three nodes sharing one database starts one run per fire time, whichever node claims it (the schedule ledger row is the fence)")
  void anEverySecondCronRunsOncePerFireTime() throws Exception {
    List<Integer> clusterPorts = ClusterNodes.clusterPorts(3);
    TestServer first = cluster.startNode(0, clusterPorts);
    // made before the other nodes start, so every node's scheduler has it from its start
    HttpResponse<String> created = first.api.post("/api/scripts", new JsonObject().put("name", "tick")
        .put("command", "true").put("schedule", new JsonObject().put("cron", "* * * * * *")));
    assertEquals(201, created.statusCode(), created.body());
    String scriptId = new JsonObject(created.body()).getString("id");
    cluster.startNode(1, clusterPorts);
    cluster.startNode(2, clusterPorts);
    long allStarted = System.currentTimeMillis();
    String claimed = "SELECT count(*) FROM schedule_fires WHERE script_id = '" + scriptId
        + "' AND run_id IS NOT NULL AND fire_time >= " + allStarted;
    Instant deadline = Instant.now().plusSeconds(30);
    while (Long.parseLong(cluster.database.psql(claimed)) < 6) {
      if (Instant.now().isAfter(deadline)) {
        fail("fewer than 6 fire times were run in 30 s: " + cluster.database.psql(claimed));
      }
      LockSupport.parkNanos(100_000_000L);
    }
    long stopping = System.currentTimeMillis();
    for (TestServer server : servers) {
      server.close();
    }
    servers.clear();
    // each cron run made well before the stop is the run of exactly one ledger row: a second run of
    // one fire time would be a run no row names
    List<String> runs = cluster.database.psql("SELECT id FROM runs WHERE script_id = '" + scriptId
        + "' AND trigger = 'cron' AND created_at >= " + allStarted + " AND created_at < " + (stopping - 2000)
        + " ORDER BY created_at").lines().filter(line -> !line.isBlank()).toList();
    Set<String> named = new TreeSet<>(cluster.database.psql("SELECT run_id FROM schedule_fires WHERE script_id = '"
        + scriptId + "' AND run_id IS NOT NULL").lines().filter(line -> !line.isBlank()).toList());
    assertTrue(runs.size() >= 3, "cron runs in the window: " + runs);
    for (String run : runs) {
      assertTrue(named.contains(run), "cron run " + run + " is named by no ledger row: a second run of a fire time");
    }
    long seconds = (stopping - 2000 - allStarted) / 1000 + 1;
    assertTrue(runs.size() <= seconds + 1, runs.size() + " cron runs in about " + seconds + " s");
  }

  private static boolean lostCounted(TestServer server) {
    return server.api.get("/metrics").body().lines().anyMatch(line -> line.startsWith("script_executions_total{")
        && line.contains("status=\"lost\"") && line.endsWith(" 1.0"));
  }

  @Test
  @DisplayName("a member that does not answer is listed with running_runs null; a member that runs no scriptd is left out")
  void silentAndForeignMembers() throws Exception {
    int serverPort = TestServer.freePort();
    int silentPort = TestServer.freePort();
    int hostPort = TestServer.freePort();
    JsonArray members = new JsonArray().add("127.0.0.1:" + serverPort).add("127.0.0.1:" + silentPort)
        .add("127.0.0.1:" + hostPort);
    JsonObject config = TestServer.config(dir.resolve("node"), TestServer.freePort())
        .put("http", new JsonObject().put("instances", 1)).mergeIn(cluster.clusterConfig(members, serverPort));
    TestServer server = TestServer.start(cluster.clusteredVertx(config), config);
    servers.add(server);
    // a member with scriptd's node address that never replies (a node stuck or overloaded)
    Vertx silent = cluster.clusteredVertx(cluster.clusterConfig(members, silentPort));
    String silentId = ((VertxInternal) silent).clusterManager().getNodeId();
    silent.eventBus().consumer("scriptd.cluster.query.node." + silentId, message -> { })
        .completion().await(30, TimeUnit.SECONDS);
    // a host's own node: a member without scriptd
    Vertx host = cluster.clusteredVertx(cluster.clusterConfig(members, hostPort));
    String hostId = ((VertxInternal) host).clusterManager().getNodeId();
    String self = ClusterNodes.ownId(server);
    awaitNodes(server, nodes -> ((VertxInternal) host).clusterManager().getNodes().size() == 3
        && ids(nodes).equals(new TreeSet<>(List.of(self, silentId))), Duration.ofSeconds(30));
    JsonObject stuck = nodes(server).stream().map(JsonObject.class::cast)
        .filter(node -> node.getString("id").equals(silentId)).findFirst().orElseThrow();
    assertEquals(new JsonObject().put("id", silentId).put("address", null).put("started_at", null)
        .put("running_runs", null).put("version", null).put("self", false), stuck, "it never answered");
    assertTrue(!ids(nodes(server)).contains(hostId));
    assertEquals(3, new JsonObject(server.api.get("/health").body()).getJsonObject("checks")
        .getJsonObject("cluster").getJsonArray("members").size(), "the health check counts every member");
  }
}
