package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
  /** How soon another node's script change must take effect on this one. */
  private static final Duration SOON = Duration.ofSeconds(5);

  @TempDir
  Path dir;
  private ClusterNodes nodes;
  private List<TestServer> servers;
  private List<Integer> clusterPorts;

  @BeforeEach
  void nodes() throws Exception {
    nodes = new ClusterNodes(dir, 2000);
    servers = nodes.servers;
    clusterPorts = ClusterNodes.clusterPorts(2);
  }

  @AfterEach
  void stop() {
    nodes.close();
  }

  /** Node {@code i} of two that list each other as members (as ClusterMembershipTest starts them). */
  private TestServer startNode(int i) throws Exception {
    return startNode(i, new JsonObject());
  }

  /** As {@link #startNode(int)}, with {@code extra} merged (deeply) into its configuration. */
  private TestServer startNode(int i, JsonObject extra) throws Exception {
    return nodes.startNode(i, clusterPorts, extra);
  }

  /** Starts {@code command} through {@code server} on that node itself (not placed elsewhere). */
  private static JsonObject startOn(TestServer server, String command) {
    return ClusterNodes.started(server.api.post("/api/runs", new JsonObject().put("node", ownId(server))
        .put("command", command)));
  }

  /** Both nodes, each seeing the other as a member. */
  private void startTwoNodes() throws Exception {
    startNode(0);
    startSecondNode(new JsonObject());
  }

  /** Node 1 with {@code extra} in its configuration, once node 0 runs; then each lists the other. */
  private void startSecondNode(JsonObject extra) throws Exception {
    startNode(1, extra);
    for (TestServer server : servers) {
      awaitTrue(() -> new JsonObject(server.api.get("/api/cluster").body()).getJsonArray("nodes").size() == 2,
          "node on port " + server.port + " lists both nodes");
    }
  }

  private static void awaitTrue(Supplier<Boolean> condition, String what) {
    awaitTrue(condition, what, WAIT);
  }

  private static void awaitTrue(Supplier<Boolean> condition, String what, Duration within) {
    Instant deadline = Instant.now().plus(within);
    while (!condition.get()) {
      if (Instant.now().isAfter(deadline)) {
        fail("not within " + within + ": " + what);
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
    String early = startOn(a, "sleep 60").getString("id");
    a.api.awaitRun(early, r -> "running".equals(r.getString("status")), WAIT);
    startSecondNode(new JsonObject());
    TestServer b = servers.get(1);
    assertEquals("running", run(b, early).getString("status"));
    assertEquals("running", listed(b, early).getString("status"));

    String later = startOn(a, "sleep 60").getString("id");
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

  @Test
  @DisplayName("the JSON log page and log.txt of a run live on node A, read on node B, have every line A received,"
      + " before A's log writer committed them to the shared database")
  void logPagesOfAnotherNodesLiveRun() throws Exception {
    // A's log writer commits only every 60 s (or when its own persistence is asked to read)
    startNode(0, new JsonObject().put("persistence", new JsonObject().put("flush_interval_ms", 60_000)));
    startSecondNode(new JsonObject());
    TestServer a = servers.get(0);
    TestServer b = servers.get(1);
    Path go = dir.resolve("go");
    String id = new JsonObject(a.api.post("/api/runs", new JsonObject().put("node", ownId(a))
        .put("command", "while [ ! -e " + go + " ]; do sleep 0.05; done; echo hello; exec sleep 60")).body())
        .getString("id");
    a.api.awaitRun(id, r -> "running".equals(r.getString("status")), WAIT);
    Files.writeString(go, "");
    awaitTrue(() -> {
      JsonObject page = new JsonObject(b.api.get("/api/runs/" + id + "/logs?since=0").body());
      return page.getJsonArray("lines").size() == 1
          && "hello".equals(page.getJsonArray("lines").getJsonObject(0).getString("line"))
          && !page.getBoolean("complete");
    }, "B's JSON log page has A's line", Duration.ofSeconds(10));
    assertEquals("hello\n", b.api.get("/api/runs/" + id + "/log.txt").body());
    assertEquals(202, a.api.post("/api/runs/" + id + "/kill", null).statusCode());
  }

  /** 3,000 numbered lines, with a tiny pause every 20 so that the run lasts a few seconds. */
  private static final String LINES_3000 =
      "for i in $(seq 1 3000); do echo line$i; if [ $((i % 20)) = 0 ]; then sleep 0.01; fi; done";

  private static SseClient sse(TestServer server, String path) {
    return new SseClient(server.api.client, server.api.base + path, "Authorization", "Bearer " + server.api.token);
  }

  /** Every line 1..3000 exactly once and in order, then the final status, then done. */
  private static void assertWholeRun(List<SseClient.Event> events) {
    List<SseClient.Event> logs = events.stream().filter(e -> "log".equals(e.event())).toList();
    for (int i = 0; i < logs.size(); i++) {
      JsonObject line = new JsonObject(logs.get(i).data());
      assertEquals(i + 1, line.getLong("seq"), "line " + (i + 1) + " of " + logs.size());
      assertEquals("line" + (i + 1), line.getString("line"));
    }
    assertEquals(3000, logs.size(), "log events");
    SseClient.Event done = events.get(events.size() - 1);
    assertEquals("done", done.event());
    assertEquals("completed", new JsonObject(done.data()).getString("status"));
    SseClient.Event status = events.get(events.size() - 2);
    assertEquals("status", status.event());
    assertEquals("completed", new JsonObject(status.data()).getString("status"));
  }

  @Test
  @DisplayName("a run writing lines on node A, tailed from node B mid-run by SSE, WebSocket and /api/logs from 0: every line once, in order, then the end; B's /api/events sees its status changes")
  void tailsOfAnotherNodesRun() throws Exception {
    startTwoNodes();
    TestServer a = servers.get(0);
    TestServer b = servers.get(1);
    try (SseClient events = sse(b, "/api/events")) {
      assertEquals(200, events.awaitResponse().statusCode());
      String id = startOn(a, LINES_3000).getString("id");
      // mid-run: B's read of the shared database already counts some lines
      JsonObject midRun = b.api.awaitRun(id, r -> r.getLong("log_lines") >= 300, WAIT);
      assertEquals("running", midRun.getString("status"), "the tails must start while the run writes");
      List<JsonObject> frames = new CopyOnWriteArrayList<>();
      CompletableFuture<Integer> closed = new CompletableFuture<>();
      try (SseClient tail = sse(b, "/api/runs/" + id + "/logs?since=0");
          SseClient legacy = sse(b, "/api/logs/" + id)) {
        b.api.client.newWebSocketBuilder().header("Authorization", "Bearer " + b.api.token)
            .buildAsync(URI.create("ws://127.0.0.1:" + b.port + "/api/runs/" + id + "/logs?since=0"),
                collect(frames, closed))
            .get(10, TimeUnit.SECONDS);
        assertWholeRun(tail.untilClosed(WAIT));
        List<SseClient.Event> plain = legacy.untilClosed(WAIT);
        assertEquals(3001, plain.size(), "3,000 lines, then done");
        for (int i = 0; i < 3000; i++) {
          assertEquals("line" + (i + 1), new JsonObject(plain.get(i).data()).getString("message"));
        }
        assertEquals("done", plain.get(3000).event());
      }
      assertEquals(1000, closed.get(WAIT.toSeconds(), TimeUnit.SECONDS));
      List<JsonObject> logs = frames.stream().filter(m -> "log".equals(m.getString("type"))).toList();
      for (int i = 0; i < logs.size(); i++) {
        assertEquals(i + 1, logs.get(i).getLong("seq"), "WebSocket line " + (i + 1) + " of " + logs.size());
        assertEquals("line" + (i + 1), logs.get(i).getString("line"));
      }
      assertEquals(3000, logs.size(), "WebSocket log frames");
      assertEquals("status", frames.get(frames.size() - 2).getString("type"));
      assertEquals("completed", frames.get(frames.size() - 1).getJsonObject("run").getString("status"));
      assertEquals("done", frames.get(frames.size() - 1).getString("type"));
      // /api/events on B: A's run as it started and as it ended
      List<String> seen = new ArrayList<>();
      while (!seen.contains("completed")) {
        SseClient.Event event = events.next(WAIT);
        JsonObject run = new JsonObject(event.data());
        if ("run".equals(event.event()) && id.equals(run.getString("id"))) {
          seen.add(run.getString("status"));
        }
      }
      assertTrue(seen.contains("running"), "status changes of A's run on B's /api/events: " + seen);
      // the address B's tails read A's stored lines at, answered across the cluster in JSON
      JsonObject page = nodes.vertxes.get(1).eventBus().<JsonObject>request("scriptd.db.query.logs.node." + ownId(a),
          new JsonObject().put("run_id", id).put("after_seq", 2990).put("limit", 5))
          .await(10, TimeUnit.SECONDS).body();
      assertEquals(List.of(2991L, 2992L, 2993L, 2994L, 2995L), page.getJsonArray("lines").stream()
          .map(line -> ((JsonObject) line).getLong("seq")).toList(), page.encode());
      assertEquals(2995L, page.getLong("next_since"));
    }
  }

  private static WebSocket.Listener collect(List<JsonObject> frames, CompletableFuture<Integer> closed) {
    return new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          frames.add(new JsonObject(partial.toString()));
          partial.setLength(0);
        }
        socket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
      }
    };
  }

  @Test
  @DisplayName("a script created through node A is an endpoint on node B at once and goes when deleted through A; a cron script created on A is armed by B's scheduler")
  void scriptChangesOfAnotherNode() throws Exception {
    // A runs no scheduler: only B's can fire the cron script, once it has heard of it
    TestServer a = startNode(0, new JsonObject().put("scheduler", new JsonObject().put("enabled", false)));
    startSecondNode(new JsonObject());
    TestServer b = servers.get(1);
    HttpResponse<String> created = a.api.post("/api/scripts", new JsonObject().put("name", "cross")
        .put("command", "echo served by $SCRIPTD_REQUEST_PATH")
        .put("endpoint", new JsonObject().put("method", "GET").put("path", "cross").put("auth", "public")));
    assertEquals(201, created.statusCode(), created.body());
    String endpointId = new JsonObject(created.body()).getString("id");
    // the change reaches B's endpoint table over the cluster's bus: moments, not a restart
    awaitTrue(() -> b.api.get("/hooks/cross?wait=true").statusCode() == 200, "B serves /hooks/cross", SOON);
    assertEquals("served by /hooks/cross\n", b.api.get("/hooks/cross?wait=true").body());
    HttpResponse<String> deleted = a.api.send("DELETE", "/api/scripts/" + endpointId, null);
    assertEquals(204, deleted.statusCode(), deleted.body());
    awaitTrue(() -> b.api.get("/hooks/cross?wait=true").statusCode() == 404, "B no longer serves /hooks/cross", SOON);

    HttpResponse<String> cron = a.api.post("/api/scripts", new JsonObject().put("name", "tick").put("command", "true")
        .put("schedule", new JsonObject().put("cron", "* * * * * *")));
    assertEquals(201, cron.statusCode(), cron.body());
    String cronId = new JsonObject(cron.body()).getString("id");
    awaitTrue(() -> new JsonObject(b.api.get("/api/scripts/" + cronId + "/schedule/history").body())
        .getJsonArray("items").stream().map(JsonObject.class::cast)
        .anyMatch(fire -> "started".equals(fire.getString("outcome"))), "B's scheduler starts a fire of tick",
        SOON.plusSeconds(2));
  }

  private static String ownId(TestServer server) {
    return new JsonObject(server.api.get("/health").body()).getJsonObject("checks").getJsonObject("cluster")
        .getString("node_id");
  }
}
