package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.scriptd.Scriptd;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("GET /api/cluster, the cluster check of /health and a run's node, on a single node")
class ClusterApiTest {
  @TempDir
  Path dataDir;
  private TestServer server;
  private Api api;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private void start(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, dataDir);
    api = server.api;
  }

  private JsonObject onlyNode() {
    HttpResponse<String> response = api.get("/api/cluster");
    assertEquals(200, response.statusCode(), response.body());
    JsonArray nodes = new JsonObject(response.body()).getJsonArray("nodes");
    assertEquals(1, nodes.size(), response.body());
    return nodes.getJsonObject(0);
  }

  @Test
  @DisplayName("a single node lists itself: self, its HTTP address, start time, version and running runs, the id /health names")
  void aSingleNodeListsItself(Vertx vertx) throws Exception {
    Instant before = Instant.now().minusMillis(1);
    start(vertx);
    JsonObject node = onlyNode();
    assertTrue(node.getBoolean("self"), node.encode());
    assertEquals("127.0.0.1:" + server.port, node.getString("address"));
    Instant started = Instant.parse(node.getString("started_at"));
    assertFalse(started.isBefore(before) || started.isAfter(Instant.now()), node.encode());
    assertEquals("development", node.getString("version"), "no jar manifest in the test classpath");
    assertEquals(0, node.getInteger("running_runs"));
    HttpResponse<String> health = api.get("/health");
    JsonObject check = new JsonObject(health.body()).getJsonObject("checks").getJsonObject("cluster");
    assertEquals("UP", check.getString("status"), health.body());
    assertFalse(check.getBoolean("enabled"));
    assertEquals(node.getString("id"), check.getString("node_id"));
    // the same id on every request: it lives as long as the server
    assertEquals(node.getString("id"), onlyNode().getString("id"));
  }

  @Test
  @DisplayName("running_runs counts the node's running runs, and drops when they end")
  void runningRunsFollowTheRunOwner(Vertx vertx) throws Exception {
    start(vertx);
    JsonObject run = api.startRun("sleep 30");
    awaitRunning(1);
    assertEquals(202, api.post("/api/runs/" + run.getString("id") + "/kill", null).statusCode());
    api.awaitEnd(run.getString("id"));
    awaitRunning(0);
  }

  @Test
  @DisplayName("a start may name this node; any other node is a 400 naming the field, for ad-hoc and script runs; node stays null")
  void aRunMayNameOnlyThisNode(Vertx vertx) throws Exception {
    start(vertx);
    String self = onlyNode().getString("id");
    JsonObject run = api.startRun(new JsonObject().put("command", "true").put("node", self));
    assertNull(run.getValue("node"), "a single node records no node: " + run.encode());
    assertTrue(run.containsKey("node"), run.encode());
    api.awaitEnd(run.getString("id"));

    HttpResponse<String> other = api.post("/api/runs", new JsonObject().put("command", "true").put("node", "node-b"));
    assertNodeRefused(other, "no live node node-b; GET /api/cluster lists them");
    HttpResponse<String> notText = api.post("/api/runs", new JsonObject().put("command", "true").put("node", 7));
    assertNodeRefused(notText, "must be a node id (GET /api/cluster lists them)");

    HttpResponse<String> script = api.post("/api/scripts", new JsonObject().put("name", "here").put("command", "true"));
    assertEquals(201, script.statusCode(), script.body());
    String scriptId = new JsonObject(script.body()).getString("id");
    assertNodeRefused(api.post("/api/scripts/" + scriptId + "/run", new JsonObject().put("node", "node-b")),
        "no live node node-b; GET /api/cluster lists them");
    HttpResponse<String> here = api.post("/api/scripts/" + scriptId + "/run", new JsonObject().put("node", self));
    assertEquals(201, here.statusCode(), here.body());
    api.awaitEnd(new JsonObject(here.body()).getString("id"));
    // the refused starts made no run
    assertEquals(2, new JsonObject(api.get("/api/runs").body()).getJsonArray("items").size());
  }

  @Test
  @DisplayName("GET /api/cluster needs a viewer token")
  void aViewerMayRead(Vertx vertx) throws Exception {
    start(vertx);
    assertEquals(401, api.as(null).get("/api/cluster").statusCode());
    HttpResponse<String> created = api.post("/api/tokens", new JsonObject().put("name", "v").put("role", "viewer"));
    assertEquals(201, created.statusCode(), created.body());
    HttpResponse<String> viewer = api.as(new JsonObject(created.body()).getString("token")).get("/api/cluster");
    assertEquals(200, viewer.statusCode(), viewer.body());
  }

  @Test
  @DisplayName("cluster.enabled is refused on a Vertx that is not clustered, naming how to build one")
  void clusteredModeIsRefusedWhereItCannotWork(Vertx vertx) throws Exception {
    JsonObject cluster = new JsonObject().put("enabled", true).put("members", new JsonArray().add("127.0.0.1:5701"));
    JsonObject config = TestServer.config(dataDir, TestServer.freePort()).put("cluster", cluster)
        .put("database", new JsonObject().put("url", "postgresql://scriptd@127.0.0.1/scriptd"));
    Throwable notClustered = assertThrows(Exception.class, () -> Scriptd.deploy(vertx, config).await(30, TimeUnit.SECONDS));
    assertTrue(notClustered.getMessage().contains("cluster.enabled needs a clustered Vertx"), notClustered.getMessage());
  }

  private void assertNodeRefused(HttpResponse<String> response, String message) {
    assertEquals(400, response.statusCode(), response.body());
    JsonObject problem = new JsonObject(response.body());
    JsonObject error = problem.getJsonArray("errors").getJsonObject(0);
    assertEquals("node", error.getString("field"), response.body());
    assertEquals(message, error.getString("message"));
  }

  private void awaitRunning(int expected) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (true) {
      JsonObject node = onlyNode();
      if (node.getInteger("running_runs") == expected) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        fail("running_runs stayed " + node.getInteger("running_runs") + ", expected " + expected);
      }
      LockSupport.parkNanos(20_000_000L);
    }
  }
}
