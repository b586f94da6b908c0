package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.scriptd.Scriptd;
import dev.scriptd.ScriptdHandle;
import dev.scriptd.bus.Addresses;
import dev.scriptd.domain.LogChunk;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Embedded shutdown: scriptd stops in order however the host deploys and stops it")
class EmbeddedShutdownTest {
  /** 500 numbered lines (after a pause, for a consumer registered after the start), then it waits to be stopped. */
  private static final String COMMAND = "sleep 0.5; for i in $(seq 1 500); do echo n$i; done; sleep 300";

  @TempDir
  Path dataDir;
  private Process host;

  @AfterEach
  void killHost() {
    if (host != null) {
      host.destroyForcibly();
    }
  }

  @Test
  @DisplayName("deployed from a host verticle's start() and stopped with vertx.close(): the active run ends killed with its lines written")
  void childDeploymentAndVertxClose() throws Exception {
    JsonObject config = new JsonObject().put("data_dir", dataDir.toString())
        .put("http", new JsonObject().put("enabled", false))
        .put("runs", new JsonObject().put("kill_grace_ms", 500));
    Vertx vertx = Vertx.vertx();
    String runId;
    int pid;
    try {
      vertx.deployVerticle(new EmbeddedHostMain.Host(config)).await(60, TimeUnit.SECONDS);
      JsonObject run = vertx.eventBus().<JsonObject>request(Addresses.RUNS_START, new JsonObject()
          .put("command", COMMAND)).await(10, TimeUnit.SECONDS).body();
      runId = run.getString("id");
      pid = run.getInteger("pid");
      Promise<Void> written = Promise.promise();
      MessageConsumer<LogChunk> lines = vertx.eventBus().consumer(Addresses.runLog(runId), message -> {
        if (message.body().lastSeq() >= 500) {
          written.tryComplete();
        }
      });
      lines.completion().await(5, TimeUnit.SECONDS);
      written.future().await(20, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
    Processes.awaitGroupGone(pid, Duration.ofSeconds(10));
    Stored stored = stored(runId);
    assertEquals("killed", stored.status(), stored.toString());
    assertEquals(500, stored.lines(), stored.toString());
  }

  @Test
  @DisplayName("SIGTERM to a host whose JVM shutdown hook closes its Vertx: the active run ends killed with its lines written, promptly")
  void sigtermWithTheHostsHook() throws Exception {
    sigterm("hook");
  }

  @Test
  @DisplayName("SIGTERM to a host with no shutdown hook of its own: scriptd's hook stops it; the active run ends killed")
  void sigtermWithoutAHostHook() throws Exception {
    sigterm("no-hook");
  }

  private void sigterm(String hook) throws Exception {
    int port = TestServer.freePort();
    Path log = dataDir.resolve("host.log");
    host = ServerJvm.launchMain(dataDir, log, EmbeddedHostMain.class.getName(),
        List.of(dataDir.resolve("data").toString(), String.valueOf(port), hook));
    Api api = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
    awaitHealthy(api, log);
    JsonObject run = api.startRun(COMMAND);
    String id = run.getString("id");
    api.awaitRun(id, r -> r.getLong("log_lines") >= 500, Duration.ofSeconds(20));

    long began = System.nanoTime();
    host.destroy(); // SIGTERM
    assertTrue(host.waitFor(30, TimeUnit.SECONDS), "the host did not exit; see " + log);
    long tookMs = (System.nanoTime() - began) / 1_000_000;
    Processes.awaitGroupGone(run.getInteger("pid"), Duration.ofSeconds(10));
    dataDir = dataDir.resolve("data");
    Stored stored = stored(id);
    assertEquals("killed", stored.status(), () -> stored + "; the host's log:\n" + tail(log));
    assertEquals(500, stored.lines(), stored.toString());
    // the run's group takes TERM at once (kill_grace_ms 500); the bound leaves room for a loaded machine
    assertTrue(tookMs < 10_000, "the host took " + tookMs + " ms to stop");
  }

  private void awaitHealthy(Api api, Path log) throws Exception {
    Instant end = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(end)) {
      if (!host.isAlive()) {
        fail("the host exited with " + host.exitValue() + ": " + Files.readString(log));
      }
      try {
        HttpResponse<String> health = api.client.send(
            HttpRequest.newBuilder(URI.create(api.base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      LockSupport.parkNanos(50_000_000L);
    }
    fail("the host did not become healthy within 60 s: " + Files.readString(log));
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }

  record Stored(String status, long lines, String error) {
  }

  private Stored stored(String runId) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("scriptd.db"));
        PreparedStatement query = db.prepareStatement("SELECT status, log_lines, error FROM runs WHERE id = ?")) {
      query.setString(1, runId);
      try (ResultSet rows = query.executeQuery()) {
        assertTrue(rows.next(), "run " + runId + " is not stored");
        return new Stored(rows.getString(1), rows.getLong(2), rows.getString(3));
      }
    }
  }
}
