package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A server JVM killed with SIGKILL leaves no process behind and marks its runs lost")
class CrashRecoveryTest {
  /** Flags choosing the storage of the server JVMs: none for SQLite in the data dir; PostgreSQL variants override it. */
  List<String> storageFlags() {
    return List.of();
  }

  private List<String> with(List<String> flags) {
    List<String> all = new java.util.ArrayList<>(flags);
    all.addAll(storageFlags());
    return all;
  }

  private static final String NOISY_GROUP =
      "(i=0; while true; do i=$((i+1)); echo line$i; sleep 0.002; done) & sleep 300 & wait";

  @TempDir
  Path dataDir;
  private final List<Process> servers = new ArrayList<>();

  @AfterEach
  void stopServers() throws InterruptedException {
    for (Process server : servers) {
      server.destroy(); // SIGTERM: the server removes its cgroup (without a reaper, a SIGKILL leaves it)
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  @Test
  @DisplayName("the reaper kills the run's whole group when the JVM dies; the next start marks it lost")
  void reaperCleansUpAfterSigkill() throws Exception {
    crashAndRecover(true);
  }

  @Test
  @DisplayName("without the reaper, the next start finds the surviving group and kills it")
  void recoveryKillsSurvivors() throws Exception {
    crashAndRecover(false);
  }

  @Test
  @DisplayName("a run waiting for a free slot when the JVM dies stays pending and runs after the restart; the running one is lost")
  void slotWaiterSurvivesSigkill() throws Exception {
    int port = TestServer.freePort();
    Api api = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
    List<String> flags = List.of("--runs.reaper=true", "--runs.kill_grace_ms=500", "--limits.max_concurrent_runs=1");
    Process first = ServerJvm.start(dataDir, port, with(flags));
    servers.add(first);
    String holder = api.startRun("sleep 300").getString("id");
    api.awaitRun(holder, r -> "running".equals(r.getString("status")), Duration.ofSeconds(20));
    String waiter = api.startRun("echo after").getString("id");
    assertEquals("pending", api.run(waiter).getString("status"));

    first.destroyForcibly();
    assertTrue(first.waitFor(10, TimeUnit.SECONDS));
    servers.add(ServerJvm.start(dataDir, port, with(flags)));
    assertEquals("lost", api.run(holder).getString("status"));
    JsonObject ended = api.awaitEnd(waiter);
    assertEquals("completed", ended.getString("status"), ended.encode());
    assertEquals(List.of("after"), api.allLines(waiter).stream().map(line -> line.getString("line")).toList());
  }

  private void crashAndRecover(boolean reaper) throws Exception {
    int port = TestServer.freePort();
    Api api = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
    Process first = startServer(port, reaper);
    JsonObject run = api.startRun(NOISY_GROUP);
    String id = run.getString("id");
    int pgid = run.getInteger("pid");
    api.awaitRun(id, r -> r.getLong("log_lines") >= 200, Duration.ofSeconds(20));

    first.destroyForcibly();
    assertTrue(first.waitFor(10, TimeUnit.SECONDS));
    if (reaper) {
      Processes.awaitGroupGone(pgid, Duration.ofSeconds(15));
    } else {
      assertFalse(Processes.group(pgid).isEmpty(), "without a reaper the group should survive the crash");
    }

    startServer(port, reaper);
    JsonObject recovered = api.run(id);
    assertEquals("lost", recovered.getString("status"));
    assertEquals(1.0, Scrape.of(api).value("script_executions_total", "script_id", "adhoc", "type", "shell",
        "status", "lost"), "a run ended lost at start is counted");
    Processes.awaitGroupGone(pgid, Duration.ofSeconds(15));
    List<JsonObject> lines = api.allLines(id);
    assertTrue(lines.size() >= 200, "lines stored before the crash: " + lines.size());
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(i + 1, lines.get(i).getLong("seq"));
      assertEquals("line" + (i + 1), lines.get(i).getString("line"));
    }
  }

  private Process startServer(int port, boolean reaper) throws Exception {
    Process process = ServerJvm.start(dataDir, port,
        with(List.of("--runs.reaper=" + reaper, "--runs.kill_grace_ms=500")));
    servers.add(process);
    return process;
  }
}
