package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.scriptd.cluster.HazelcastSettings;
import dev.scriptd.config.ClusterConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Real scriptd nodes for a test, each in its own clustered Vertx (Hazelcast, TCP join on loopback
 * ports) in this JVM, sharing one PostgreSQL database as a cluster's nodes do. Closed after each test.
 */
final class ClusterNodes implements AutoCloseable {
  private final Path dir;
  private final long failureTimeoutMs;
  final PostgresTestDatabase database = new PostgresTestDatabase();
  final List<Vertx> vertxes = new ArrayList<>();
  final List<TestServer> servers = new ArrayList<>();

  ClusterNodes(Path dir, long failureTimeoutMs) {
    this.dir = dir;
    this.failureTimeoutMs = failureTimeoutMs;
  }

  /** Starts {@code count} nodes that list each other as members, one after the other (the first is the oldest). */
  List<TestServer> start(int count) throws Exception {
    List<Integer> clusterPorts = clusterPorts(count);
    for (int i = 0; i < count; i++) {
      startNode(i, clusterPorts);
    }
    awaitMembers(count);
    return servers;
  }

  /** Waits until every node's cluster manager lists {@code count} members: one cluster, formed. */
  void awaitMembers(int count) {
    Instant deadline = Instant.now().plusSeconds(30);
    for (Vertx vertx : vertxes) {
      while (((VertxInternal) vertx).clusterManager().getNodes().size() != count) {
        if (Instant.now().isAfter(deadline)) {
          fail("a node lists " + ((VertxInternal) vertx).clusterManager().getNodes() + ", not " + count + " members");
        }
        LockSupport.parkNanos(50_000_000L);
      }
    }
  }

  /**
   * Free ports for the nodes' Hazelcast, below the kernel's ephemeral range: a port picked there
   * could be taken (by another node's HTTP or event-bus port, a client socket) before its node binds it.
   */
  static List<Integer> clusterPorts(int count) throws Exception {
    List<Integer> clusterPorts = new ArrayList<>();
    java.util.Random random = new java.util.Random();
    while (clusterPorts.size() < count) {
      int port = 20_000 + random.nextInt(12_000);
      if (!clusterPorts.contains(port) && free(port)) {
        clusterPorts.add(port);
      }
    }
    return clusterPorts;
  }

  private static boolean free(int port) {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return true;
    } catch (java.io.IOException taken) {
      return false;
    }
  }

  /** Starts node {@code i} of the nodes whose cluster ports are {@code clusterPorts}, each listing all. */
  TestServer startNode(int i, List<Integer> clusterPorts) throws Exception {
    return startNode(i, clusterPorts, new JsonObject());
  }

  /** As {@link #startNode(int, List)}, with {@code extra} merged deeply into the node's configuration. */
  TestServer startNode(int i, List<Integer> clusterPorts, JsonObject extra) throws Exception {
    JsonArray members = new JsonArray();
    clusterPorts.forEach(port -> members.add("127.0.0.1:" + port));
    JsonObject config = TestServer.config(dir.resolve("node" + i), TestServer.freePort())
        .put("http", new JsonObject().put("instances", 1))
        .mergeIn(clusterConfig(members, clusterPorts.get(i)))
        .mergeIn(extra, true);
    TestServer server = TestServer.start(clusteredVertx(config), config);
    servers.add(server);
    return server;
  }

  /** What the standalone server builds for these settings (Main), without its metrics. */
  Vertx clusteredVertx(JsonObject config) throws Exception {
    ClusterConfig cluster = ClusterConfig.fromJson(config);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(HazelcastSettings.eventBus(cluster)))
        .withClusterManager(new HazelcastClusterManager(HazelcastSettings.of(cluster)))
        .buildClustered().await(60, TimeUnit.SECONDS);
    vertxes.add(vertx);
    return vertx;
  }

  JsonObject clusterConfig(JsonArray members, int port) {
    return new JsonObject()
        .put("database", new JsonObject().put("url", database.url()))
        .put("cluster", new JsonObject().put("enabled", true).put("members", members)
            .put("port", port).put("failure_timeout_ms", failureTimeoutMs));
  }

  /** Kills node {@code i}'s Hazelcast as a crash would: the others see it leave after the failure timeout. */
  void terminate(int i) {
    HazelcastClusterManager manager = (HazelcastClusterManager) ((VertxInternal) vertxes.get(i)).clusterManager();
    manager.getHazelcastInstance().getLifecycleService().terminate();
  }

  static String ownId(TestServer server) {
    return new JsonObject(server.api.get("/health").body()).getJsonObject("checks").getJsonObject("cluster")
        .getString("node_id");
  }

  /** Polls GET /api/runs/{id} on {@code server} until the run satisfies {@code until}; fails after the deadline. */
  static JsonObject awaitRun(TestServer server, String runId, Predicate<JsonObject> until, Duration within) {
    Instant deadline = Instant.now().plus(within);
    while (true) {
      HttpResponse<String> response = server.api.get("/api/runs/" + runId);
      JsonObject run = response.statusCode() == 200 ? new JsonObject(response.body()) : null;
      if (run != null && until.test(run)) {
        return run;
      }
      if (Instant.now().isAfter(deadline)) {
        fail("run " + runId + " on the node on port " + server.port + " is " + response.statusCode() + " "
            + response.body() + " after " + within);
      }
      LockSupport.parkNanos(50_000_000L);
    }
  }

  /** Starts a run through {@code server}: 201, its JSON. */
  static JsonObject started(HttpResponse<String> response) {
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  @Override
  public void close() {
    for (TestServer server : servers) {
      try {
        server.close();
      } catch (Exception e) {
        // a node whose Hazelcast was terminated may not stop cleanly; the others still must
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
}
