package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.Scriptd;
import dev.scriptd.ScriptdHandle;
import dev.scriptd.bus.Addresses;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
}
