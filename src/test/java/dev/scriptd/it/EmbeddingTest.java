package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.Scriptd;
import dev.scriptd.ScriptdHandle;
import dev.scriptd.bus.Addresses;
import dev.scriptd.config.ConfigException;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Embedding scriptd in a host Vert.x application")
class EmbeddingTest {
  @TempDir
  Path dataDir;

  /** Host-side config: no own HTTP server, no auth (the host guards its own routes). */
  private JsonObject embedded(Path dir) {
    return new JsonObject().put("data_dir", dir.toString())
        .put("http", new JsonObject().put("enabled", false))
        .put("auth", new JsonObject().put("enabled", false))
        .put("runs", new JsonObject().put("kill_grace_ms", 500));
  }

  /** A host application: its own route next to scriptd's router mounted under /ops/scripts. */
  static final class HostVerticle extends VerticleBase {
    private final ScriptdHandle scriptd;
    private final int port;

    HostVerticle(ScriptdHandle scriptd, int port) {
      this.scriptd = scriptd;
      this.port = port;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      router.get("/hello").handler(ctx -> ctx.end("host says hello"));
      router.route("/ops/scripts/*").subRouter(scriptd.router());
      return vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1");
    }
  }

  @Test
  @DisplayName("the host mounts scriptd's router under a prefix and runs, tails and kills through it")
  void mountedUnderPrefix(Vertx vertx) throws Exception {
    ScriptdHandle scriptd = Scriptd.deploy(vertx, embedded(dataDir)).await(30, TimeUnit.SECONDS);
    int port = TestServer.freePort();
    vertx.deployVerticle(new HostVerticle(scriptd, port)).await(30, TimeUnit.SECONDS);
    Api host = new Api("http://127.0.0.1:" + port);
    Api api = new Api("http://127.0.0.1:" + port + "/ops/scripts");
    try {
      assertEquals("host says hello", host.get("/hello").body());
      JsonObject run = api.startRun("echo one; echo two; sleep 300");
      String id = run.getString("id");
      try (SseClient tail = new SseClient(api.client, api.base + "/api/runs/" + id + "/logs")) {
        assertEquals("one", new JsonObject(tail.next(Duration.ofSeconds(10)).data()).getString("line"));
        assertEquals("two", new JsonObject(tail.next(Duration.ofSeconds(10)).data()).getString("line"));
        HttpResponse<String> kill = api.post("/api/runs/" + id + "/kill", null);
        assertEquals(202, kill.statusCode(), kill.body());
        List<SseClient.Event> rest = tail.untilClosed(Duration.ofSeconds(20));
        SseClient.Event done = rest.get(rest.size() - 1);
        assertEquals("done", done.event());
        assertEquals("killed", new JsonObject(done.data()).getString("status"));
      }
      Processes.awaitGroupGone(run.getInteger("pid"), Duration.ofSeconds(10));
      HttpResponse<String> missing = api.get("/api/nothing-here");
      assertEquals(404, missing.statusCode(), missing.body());
    } finally {
      scriptd.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("with auth on, the router a host mounts under a prefix applies scriptd's tokens and roles")
  void mountedRouterIsGuarded(Vertx vertx) throws Exception {
    JsonObject config = embedded(dataDir).put("admin_token", TestServer.ADMIN_TOKEN);
    config.getJsonObject("auth").put("enabled", true);
    ScriptdHandle scriptd = Scriptd.deploy(vertx, config).await(30, TimeUnit.SECONDS);
    int port = TestServer.freePort();
    vertx.deployVerticle(new HostVerticle(scriptd, port)).await(30, TimeUnit.SECONDS);
    Api admin = new Api("http://127.0.0.1:" + port + "/ops/scripts", TestServer.ADMIN_TOKEN);
    try {
      assertEquals(401, admin.as(null).get("/api/runs").statusCode());
      assertEquals(401, admin.as(null).post("/api/runs", new JsonObject().put("command", "true")).statusCode());
      assertEquals(200, admin.get("/api/runs").statusCode());
      HttpResponse<String> viewer = admin.post("/api/tokens", new JsonObject().put("name", "v").put("role", "viewer"));
      assertEquals(201, viewer.statusCode(), viewer.body());
      String token = new JsonObject(viewer.body()).getString("token");
      assertEquals(403, admin.as(token).post("/api/runs", new JsonObject().put("command", "true")).statusCode());
    } finally {
      scriptd.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("the event bus alone starts a run, streams its lines and status, and kills it")
  void eventBusOnly(Vertx vertx) throws Exception {
    ScriptdHandle scriptd = Scriptd.deploy(vertx, embedded(dataDir)).await(30, TimeUnit.SECONDS);
    try {
      List<JsonObject> statuses = new CopyOnWriteArrayList<>();
      Promise<JsonObject> killed = Promise.promise();
      MessageConsumer<JsonObject> statusConsumer = vertx.eventBus().consumer(Addresses.RUNS_STATUS, message -> {
        statuses.add(message.body());
        if ("killed".equals(message.body().getString("status"))) {
          killed.tryComplete(message.body());
        }
      });
      statusConsumer.completion().await(10, TimeUnit.SECONDS);
      JsonObject run = vertx.eventBus().<JsonObject>request(Addresses.RUNS_START,
          new JsonObject().put("command", "sleep 0.3; for i in 1 2 3; do echo bus$i; done; sleep 300"))
          .await(10, TimeUnit.SECONDS).body();
      String id = run.getString("id");
      assertEquals("running", run.getString("status"));

      List<LogLine> lines = new CopyOnWriteArrayList<>();
      Promise<Void> threeLines = Promise.promise();
      MessageConsumer<LogChunk> logConsumer = vertx.eventBus().consumer(Addresses.runLog(id), message -> {
        lines.addAll(message.body().lines());
        if (lines.size() >= 3) {
          threeLines.tryComplete();
        }
      });
      logConsumer.completion().await(10, TimeUnit.SECONDS);
      threeLines.future().await(10, TimeUnit.SECONDS);
      assertEquals(List.of("bus1", "bus2", "bus3"), lines.stream().map(LogLine::text).toList());
      assertEquals(List.of(1L, 2L, 3L), lines.stream().map(LogLine::seq).toList());

      JsonObject killReply = vertx.eventBus().<JsonObject>request(Addresses.RUNS_KILL,
          new JsonObject().put("run_id", id)).await(10, TimeUnit.SECONDS).body();
      assertEquals(id, killReply.getString("id"));
      JsonObject end = killed.future().await(20, TimeUnit.SECONDS);
      assertEquals(id, end.getString("id"));
      assertTrue(statuses.stream().anyMatch(s -> s.getString("status").equals("running")));
      Processes.awaitGroupGone(run.getInteger("pid"), Duration.ofSeconds(10));
    } finally {
      scriptd.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("closing the handle while a run is active kills it and keeps every line it wrote")
  void closeWhileRunning(Vertx vertx) throws Exception {
    ScriptdHandle scriptd = Scriptd.deploy(vertx, embedded(dataDir)).await(30, TimeUnit.SECONDS);
    JsonObject run = vertx.eventBus().<JsonObject>request(Addresses.RUNS_START,
        new JsonObject().put("command", "i=0; while true; do i=$((i+1)); echo n$i; done"))
        .await(10, TimeUnit.SECONDS).body();
    String id = run.getString("id");
    Promise<Void> busy = Promise.promise();
    MessageConsumer<LogChunk> watcher = vertx.eventBus().consumer(Addresses.runLog(id), message -> {
      if (message.body().lastSeq() >= 5000) {
        busy.tryComplete();
      }
    });
    busy.future().await(20, TimeUnit.SECONDS);
    watcher.unregister().await(5, TimeUnit.SECONDS);
    scriptd.close().await(30, TimeUnit.SECONDS);
    Processes.awaitGroupGone(run.getInteger("pid"), Duration.ofSeconds(10));

    // reopen the same data dir and read back through HTTP
    int port = TestServer.freePort();
    JsonObject again = embedded(dataDir).put("port", port)
        .put("http", new JsonObject().put("enabled", true).put("instances", 1));
    ScriptdHandle reopened = Scriptd.deploy(vertx, again).await(30, TimeUnit.SECONDS);
    try {
      Api api = new Api("http://127.0.0.1:" + port);
      JsonObject stored = api.run(id);
      assertEquals("killed", stored.getString("status"));
      List<JsonObject> lines = api.allLines(id);
      assertTrue(lines.size() >= 5000, "lines stored: " + lines.size());
      assertEquals(stored.getLong("log_lines"), (long) lines.size());
      for (int i = 0; i < lines.size(); i++) {
        assertEquals(i + 1, lines.get(i).getLong("seq"));
        assertEquals("n" + (i + 1), lines.get(i).getString("line"));
      }
    } finally {
      reopened.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** A host serving several scriptd routers, each under its own prefix, on one HTTP server. */
  static final class MultiHostVerticle extends VerticleBase {
    private final Map<String, ScriptdHandle> mounts;
    private final int port;

    MultiHostVerticle(Map<String, ScriptdHandle> mounts, int port) {
      this.mounts = mounts;
      this.port = port;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      mounts.forEach((prefix, scriptd) -> router.route(prefix + "/*").subRouter(scriptd.router()));
      return vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1");
    }
  }

  /** Collects the status events of one instance's namespace. */
  private static MessageConsumer<JsonObject> statuses(Vertx vertx, ScriptdHandle scriptd, List<JsonObject> into)
      throws Exception {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(
        scriptd.namespace().of(Addresses.RUNS_STATUS), message -> into.add(message.body()));
    consumer.completion().await(10, TimeUnit.SECONDS);
    return consumer;
  }

  /** Every default address (what an instance in namespace {@code scriptd} would use) has no consumer. */
  private static void assertNoDefaultConsumers(Vertx vertx) throws Exception {
    for (java.lang.reflect.Field field : Addresses.class.getFields()) {
      if (field.getType() != String.class || field.getName().equals("RUNS_LOG_PREFIX")) {
        continue;
      }
      String address = (String) field.get(null);
      Throwable failure = assertThrowsReply(vertx, address);
      assertTrue(failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS,
          address + " has a consumer: " + failure);
    }
  }

  private static Throwable assertThrowsReply(Vertx vertx, String address) {
    try {
      vertx.eventBus().request(address, null, new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(2000))
          .await(5, TimeUnit.SECONDS);
      return new AssertionError(address + " answered");
    } catch (Throwable e) {
      return e;
    }
  }

  @Test
  @DisplayName("two instances with their own data dirs and bus namespaces run side by side without interference")
  void twoInstancesSideBySide(Vertx vertx, @TempDir Path otherDir) throws Exception {
    ScriptdHandle a = Scriptd.deploy(vertx, embedded(dataDir).put("bus_namespace", "scriptd.a"))
        .await(30, TimeUnit.SECONDS);
    ScriptdHandle b = Scriptd.deploy(vertx, embedded(otherDir).put("bus_namespace", "scriptd.tenant-b"))
        .await(30, TimeUnit.SECONDS);
    boolean aClosed = false;
    try {
      assertEquals("scriptd.a.runs.cmd.start", a.namespace().of(Addresses.RUNS_START));
      int port = TestServer.freePort();
      vertx.deployVerticle(new MultiHostVerticle(Map.of("/ops/a", a, "/ops/b", b), port))
          .await(30, TimeUnit.SECONDS);
      Api apiA = new Api("http://127.0.0.1:" + port + "/ops/a");
      Api apiB = new Api("http://127.0.0.1:" + port + "/ops/b");

      List<JsonObject> statusA = new CopyOnWriteArrayList<>();
      List<JsonObject> statusB = new CopyOnWriteArrayList<>();
      statuses(vertx, a, statusA);
      statuses(vertx, b, statusB);

      // each started through its own namespace on the bus
      JsonObject runA = vertx.eventBus().<JsonObject>request(a.namespace().of(Addresses.RUNS_START),
          new JsonObject().put("command", "echo from-a; sleep 300")).await(10, TimeUnit.SECONDS).body();
      JsonObject runB = vertx.eventBus().<JsonObject>request(b.namespace().of(Addresses.RUNS_START),
          new JsonObject().put("command", "echo from-b; sleep 300")).await(10, TimeUnit.SECONDS).body();
      String idA = runA.getString("id");
      String idB = runB.getString("id");

      // lines: each tail (through its own router, fed by its own namespace) has its own line only
      try (SseClient tail = new SseClient(apiA.client, apiA.base + "/api/runs/" + idA + "/logs")) {
        assertEquals("from-a", new JsonObject(tail.next(Duration.ofSeconds(10)).data()).getString("line"));
      }
      try (SseClient tail = new SseClient(apiB.client, apiB.base + "/api/runs/" + idB + "/logs")) {
        assertEquals("from-b", new JsonObject(tail.next(Duration.ofSeconds(10)).data()).getString("line"));
      }
      assertEquals(List.of("from-a"), apiA.allLines(idA).stream().map(l -> l.getString("line")).toList());
      assertEquals(List.of("from-b"), apiB.allLines(idB).stream().map(l -> l.getString("line")).toList());

      // history: each database holds only its own run; the other's id is unknown there
      assertEquals(List.of(idA), ids(apiA.get("/api/runs")));
      assertEquals(List.of(idB), ids(apiB.get("/api/runs")));
      assertEquals(404, apiA.get("/api/runs/" + idB).statusCode());
      assertEquals(404, apiB.get("/api/runs/" + idA).statusCode());
      // nothing of either instance listens on the default addresses
      assertNoDefaultConsumers(vertx);

      // killing in A leaves B's run running
      vertx.eventBus().request(a.namespace().of(Addresses.RUNS_KILL), new JsonObject().put("run_id", idA))
          .await(10, TimeUnit.SECONDS);
      assertEquals("killed", apiA.awaitEnd(idA).getString("status"));
      Processes.awaitGroupGone(runA.getInteger("pid"), Duration.ofSeconds(10));
      assertEquals("running", apiB.run(idB).getString("status"));
      assertFalse(Processes.group(runB.getInteger("pid")).isEmpty(), "B's process is still alive");
      // a kill of B's run sent to A's namespace does not reach B
      assertThrows(Exception.class, () -> vertx.eventBus().request(a.namespace().of(Addresses.RUNS_KILL),
          new JsonObject().put("run_id", idB)).await(10, TimeUnit.SECONDS));
      assertEquals("running", apiB.run(idB).getString("status"));

      // closing A leaves B working
      a.close().await(30, TimeUnit.SECONDS);
      aClosed = true;
      JsonObject second = apiB.startRun("echo still-here");
      assertEquals("completed", apiB.awaitEnd(second.getString("id")).getString("status"));
      assertEquals(List.of("still-here"),
          apiB.allLines(second.getString("id")).stream().map(l -> l.getString("line")).toList());
      assertEquals("running", apiB.run(idB).getString("status"));
      assertEquals(202, apiB.post("/api/runs/" + idB + "/kill", null).statusCode());
      assertEquals("killed", apiB.awaitEnd(idB).getString("status"));
      Processes.awaitGroupGone(runB.getInteger("pid"), Duration.ofSeconds(10));

      // each status stream carried its own runs only; status events are published after the run's end is stored: wait for them with a deadline
      ScriptsDirTest.await("A's killed status event", () -> List.copyOf(statusA),
          seen -> seen.stream().anyMatch(s -> s.getString("status").equals("killed")));
      ScriptsDirTest.await("B's killed status event", () -> List.copyOf(statusB),
          seen -> seen.stream().anyMatch(s -> s.getString("id").equals(idB) && s.getString("status").equals("killed")));
      assertTrue(statusA.stream().allMatch(s -> s.getString("id").equals(idA)), statusA.toString());
      assertTrue(statusB.stream().allMatch(s -> !s.getString("id").equals(idA)), statusB.toString());
    } finally {
      if (!aClosed) {
        a.close().await(30, TimeUnit.SECONDS);
      }
      b.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static List<String> ids(HttpResponse<String> page) {
    assertEquals(200, page.statusCode(), page.body());
    return new JsonObject(page.body()).getJsonArray("items").stream()
        .map(item -> ((JsonObject) item).getString("id")).toList();
  }

  @Test
  @DisplayName("a second instance with the same bus namespace in one Vertx is refused with a clear error")
  void sameNamespaceRefused(Vertx vertx, @TempDir Path otherDir) throws Exception {
    ScriptdHandle first = Scriptd.deploy(vertx, embedded(dataDir)).await(30, TimeUnit.SECONDS);
    try {
      Throwable refused = assertThrows(Throwable.class,
          () -> Scriptd.deploy(vertx, embedded(otherDir)).await(30, TimeUnit.SECONDS));
      assertTrue(refused instanceof ConfigException, refused.toString());
      assertTrue(refused.getMessage().contains("bus_namespace 'scriptd' is already used")
          && refused.getMessage().contains(dataDir.toAbsolutePath().toString()), refused.getMessage());
      // the first instance is untouched
      JsonObject run = vertx.eventBus().<JsonObject>request(Addresses.RUNS_START,
          new JsonObject().put("command", "true")).await(10, TimeUnit.SECONDS).body();
      assertEquals("running", run.getString("status"));
    } finally {
      first.close().await(30, TimeUnit.SECONDS);
    }
    // once closed, the namespace is free again
    Scriptd.deploy(vertx, embedded(otherDir)).await(30, TimeUnit.SECONDS).close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a second instance on the same data dir (another bus namespace) is refused before it touches the first one's runs")
  void sameDataDirRefused(Vertx vertx) throws Exception {
    ScriptdHandle first = Scriptd.deploy(vertx, embedded(dataDir)).await(30, TimeUnit.SECONDS);
    try {
      JsonObject run = vertx.eventBus().<JsonObject>request(Addresses.RUNS_START,
          new JsonObject().put("command", "exec sleep 60")).await(10, TimeUnit.SECONDS).body();
      // "running" comes right after the spawn: the launcher makes the run's process group a moment later
      Processes.awaitGroupSize(run.getInteger("pid"), 1, Duration.ofSeconds(10));
      Throwable refused = assertThrows(Throwable.class, () -> Scriptd.deploy(vertx,
          embedded(dataDir).put("bus_namespace", "scriptd.second")).await(30, TimeUnit.SECONDS));
      assertTrue(refused.getMessage().contains("the data dir " + dataDir.toRealPath() + " is used by another scriptd"),
          refused.getMessage());
      // the first instance's run was neither recovered as lost nor signalled
      Run still = vertx.eventBus().<Run>request(Addresses.DB_GET_RUN, run.getString("id"))
          .await(10, TimeUnit.SECONDS).body();
      assertEquals(RunStatus.RUNNING, still.status(), still.toString());
      assertFalse(Processes.group(run.getInteger("pid")).isEmpty(), "the first instance's run was signalled");
    } finally {
      first.close().await(30, TimeUnit.SECONDS);
    }
    // once closed, the data dir is free again
    Scriptd.deploy(vertx, embedded(dataDir).put("bus_namespace", "scriptd.second")).await(30, TimeUnit.SECONDS)
        .close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("an invalid bus_namespace fails the deployment naming the key")
  void invalidNamespace(Vertx vertx) {
    Throwable invalid = assertThrows(Throwable.class, () -> Scriptd.deploy(vertx,
        embedded(dataDir).put("bus_namespace", "Tenant 2")).await(30, TimeUnit.SECONDS));
    assertTrue(invalid instanceof ConfigException && invalid.getMessage().contains("bus_namespace"),
        invalid.toString());
  }

  @Test
  @DisplayName("js.enabled false leaves the JavaScript verticle out; shell runs still work")
  void withoutJs(Vertx vertx) throws Exception {
    JsonObject config = embedded(dataDir).put("js", new JsonObject().put("enabled", false));
    ScriptdHandle scriptd = Scriptd.deploy(vertx, config).await(30, TimeUnit.SECONDS);
    try {
      Throwable noJs = assertThrowsReply(vertx, Addresses.JS_STATS);
      assertTrue(noJs instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS,
          noJs.toString());
      JsonObject run = vertx.eventBus().<JsonObject>request(Addresses.RUNS_START,
          new JsonObject().put("command", "true")).await(10, TimeUnit.SECONDS).body();
      assertEquals("running", run.getString("status"));
    } finally {
      scriptd.close().await(30, TimeUnit.SECONDS);
    }
  }
}
