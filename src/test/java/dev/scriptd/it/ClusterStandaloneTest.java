package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone server (Main, in a JVM of its own) with cluster.enabled. */
@DisplayName("The standalone server with cluster.enabled: refused without the shared database; else a clustered node that stops cleanly")
class ClusterStandaloneTest {
  @TempDir
  Path dir;
  private Process server;
  private Process second;

  @AfterEach
  void stop() throws Exception {
    for (Process process : new Process[] {second, server}) {
      if (process != null && process.isAlive()) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @DisplayName("cluster.enabled without database.url: one clear line saying the nodes share one PostgreSQL database, exit 2")
  void refusedWithoutTheSharedDatabase() throws Exception {
    Path log = dir.resolve("refused.log");
    server = ServerJvm.launch(dir, log, List.of("--port=" + TestServer.freePort(), "--data-dir=" + dir.resolve("data"),
        "--cluster.enabled=true", "--cluster.members=127.0.0.1:" + TestServer.freePort()), Map.of());
    assertTrue(server.waitFor(90, TimeUnit.SECONDS), "the server gave up");
    assertEquals(2, server.exitValue());
    String output = Files.readString(log);
    assertTrue(output.contains("cluster.enabled needs database.url (--database-url)"), output);
  }

  @Test
  @DisplayName("with cluster.enabled it joins (alone) and serves GET /api/cluster as a clustered node; SIGTERM stops it with exit 0")
  void clusteredNodeStartsAndStops() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    int port = TestServer.freePort();
    int clusterPort = TestServer.freePort();
    server = ServerJvm.start(data, port, List.of("--cluster.enabled=true",
        "--cluster.members=127.0.0.1:" + clusterPort, "--cluster.port=" + clusterPort,
        "--cluster.failure_timeout_ms=2000", "--database-url=" + new PostgresTestDatabase().url()));
    Api api = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
    JsonObject check = new JsonObject(api.get("/health").body()).getJsonObject("checks").getJsonObject("cluster");
    assertTrue(check.getBoolean("enabled"), check.encode());
    assertEquals(List.of(check.getString("node_id")), check.getJsonArray("members").getList());
    HttpResponse<String> nodes = api.get("/api/cluster");
    assertEquals(200, nodes.statusCode(), nodes.body());
    JsonObject only = new JsonObject(nodes.body()).getJsonArray("nodes").getJsonObject(0);
    assertEquals(check.getString("node_id"), only.getString("id"), "the cluster manager's node id");
    server.destroy(); // SIGTERM
    assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server did not stop");
    assertEquals(0, server.exitValue(), Files.readString(data.resolve("server.log")));
    assertTrue(Files.readString(data.resolve("server.log")).contains("joined the cluster 'scriptd' on port " + clusterPort));
  }

  @Test
  @DisplayName("a node that starts next to a live one leaves that node's running run alone (recovery at start ends only leftovers)")
  void aStartingNodeLeavesALiveNodesRunsAlone() throws Exception {
    String database = new PostgresTestDatabase().url();
    int[] ports = {TestServer.freePort(), TestServer.freePort()};
    int[] clusterPorts = {TestServer.freePort(), TestServer.freePort()};
    String members = "--cluster.members=127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1];
    Path[] data = {dir.resolve("a"), dir.resolve("b")};
    Files.createDirectories(data[0]);
    Files.createDirectories(data[1]);
    server = ServerJvm.start(data[0], ports[0], List.of("--cluster.enabled=true",
        members, "--cluster.port=" + clusterPorts[0], "--database-url=" + database));
    Api first = new Api("http://127.0.0.1:" + ports[0], TestServer.ADMIN_TOKEN);
    HttpResponse<String> started = first.post("/api/runs", new JsonObject().put("command", "sleep 60"));
    assertEquals(201, started.statusCode(), started.body());
    String runId = new JsonObject(started.body()).getString("id");
    assertEquals("running", new JsonObject(first.get("/api/runs/" + runId).body()).getString("status"));

    // its recovery has run once /health answers: the run was made before this JVM started
    second = ServerJvm.start(data[1], ports[1], List.of("--cluster.enabled=true",
        members, "--cluster.port=" + clusterPorts[1], "--database-url=" + database));
    Api other = new Api("http://127.0.0.1:" + ports[1], TestServer.ADMIN_TOKEN);
    assertEquals(2, new JsonObject(other.get("/api/cluster").body()).getJsonArray("nodes").size());
    JsonObject run = new JsonObject(first.get("/api/runs/" + runId).body());
    assertEquals("running", run.getString("status"), run.encode());
    assertTrue(ProcessHandle.of(run.getLong("pid")).map(ProcessHandle::isAlive).orElse(false),
        "the run's process still runs");
  }
}
