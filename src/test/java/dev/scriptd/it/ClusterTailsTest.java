package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.scriptd.cluster.HazelcastSettings;
import dev.scriptd.config.ClusterConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real servers, each in its own clustered Vertx, sharing one PostgreSQL database: what one node
 * answers about the runs and scripts of the other (reads, live tails, script changes).
 */
@DisplayName("Clustered nodes: reads, live tails and script changes across nodes")
class ClusterTailsTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;
  private final List<Vertx> vertxes = new ArrayList<>();
  private final List<TestServer> servers = new ArrayList<>();
  private final PostgresTestDatabase sharedDatabase = new PostgresTestDatabase();
  private final List<Integer> clusterPorts = new ArrayList<>();

  @AfterEach
  void stop() {
    for (TestServer server : servers) {
      try {
        server.close();
      } catch (Exception e) {
        // the other nodes must still stop
      }
    }
    for (Vertx vertx : vertxes) {
      try {
        vertx.close().await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // as above
      }
    }
  }

  /** Node {@code i} of two that list each other as members (as ClusterMembershipTest starts them). */
  private TestServer startNode(int i) throws Exception {
    while (clusterPorts.size() < 2) {
      clusterPorts.add(TestServer.freePort());
    }
    JsonArray members = new JsonArray();
    clusterPorts.forEach(port -> members.add("127.0.0.1:" + port));
    JsonObject config = TestServer.config(dir.resolve("node" + i), TestServer.freePort())
        .put("http", new JsonObject().put("instances", 1))
        .put("database", new JsonObject().put("url", sharedDatabase.url()))
        .put("cluster", new JsonObject().put("enabled", true).put("experimental", true).put("members", members)
            .put("port", clusterPorts.get(i)).put("failure_timeout_ms", 2000));
    ClusterConfig cluster = ClusterConfig.fromJson(config);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(HazelcastSettings.eventBus(cluster)))
        .withClusterManager(new io.vertx.spi.cluster.hazelcast.HazelcastClusterManager(HazelcastSettings.of(cluster)))
        .buildClustered().await(60, TimeUnit.SECONDS);
    vertxes.add(vertx);
    TestServer server = TestServer.start(vertx, config);
    servers.add(server);
    return server;
  }

  /** Both nodes, each seeing the other as a member. */
  private void startTwoNodes() throws Exception {
    startNode(0);
    startNode(1);
    for (TestServer server : servers) {
      awaitTrue(() -> new JsonObject(server.api.get("/api/cluster").body()).getJsonArray("nodes").size() == 2,
          "node on port " + server.port + " lists both nodes");
    }
  }

  private static void awaitTrue(Supplier<Boolean> condition, String what) {
    Instant deadline = Instant.now().plus(WAIT);
    while (!condition.get()) {
      if (Instant.now().isAfter(deadline)) {
        fail("not within " + WAIT + ": " + what);
      }
      LockSupport.parkNanos(50_000_000L);
    }
  }

  private static JsonObject run(TestServer server, String id) {
    HttpResponse<String> response = server.api.get("/api/runs/" + id);
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  private static JsonObject listed(TestServer server, String id) {
    HttpResponse<String> response = server.api.get("/api/runs?limit=1000");
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body()).getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(run -> run.getString("id").equals(id)).findFirst().orElse(null);
  }

  @Test
  @DisplayName("a run of node A: node B's GET /api/runs/{id} and GET /api/runs show it, and its end as soon as A's answer said so")
  void readsOfAnotherNodesRuns() throws Exception {
    TestServer a = startNode(0);
    // live when B starts: B's memory of runs, if it had one, would hold it running
    String early = a.api.startRun("sleep 60").getString("id");
    a.api.awaitRun(early, r -> "running".equals(r.getString("status")), WAIT);
    startTwoNodesFrom(a);
    TestServer b = servers.get(1);
    assertEquals("running", run(b, early).getString("status"));
    assertEquals("running", listed(b, early).getString("status"));

    String later = a.api.startRun("sleep 60").getString("id");
    JsonObject onB = listed(b, later);
    assertTrue(onB != null, "B lists the run A has just answered for");
    assertEquals(ownId(a), onB.getString("node"));

    for (String id : List.of(early, later)) {
      HttpResponse<String> kill = a.api.post("/api/runs/" + id + "/kill", null);
      assertEquals(202, kill.statusCode(), kill.body());
      a.api.awaitRun(id, r -> "killed".equals(r.getString("status")), WAIT);
      // read your writes across nodes: once A says killed, B says so too, with no wait between
      assertEquals("killed", run(b, id).getString("status"), "GET /api/runs/" + id + " on B");
      assertEquals("killed", listed(b, id).getString("status"), "GET /api/runs on B");
    }
    // a filtered list too
    HttpResponse<String> history = b.api.get("/api/runs?status=killed");
    assertEquals(2, new JsonObject(history.body()).getJsonArray("items").size(), history.body());
  }

  private void startTwoNodesFrom(TestServer first) throws Exception {
    startNode(1);
    for (TestServer server : servers) {
      awaitTrue(() -> new JsonObject(server.api.get("/api/cluster").body()).getJsonArray("nodes").size() == 2,
          "node on port " + server.port + " lists both nodes");
    }
  }

  private static String ownId(TestServer server) {
    return new JsonObject(server.api.get("/health").body()).getJsonObject("checks").getJsonObject("cluster")
        .getString("node_id");
  }
}
