package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM on the real server JVM ({@code java -cp <test classpath> dev.scriptd.Main}: the jar is
 * built after the tests run, so the classpath form stands in for {@code java -jar}).
 */
@DisplayName("SIGTERM stops the server cleanly: runs killed, every line stored, no process left, exit 0")
class ShutdownTest {
  private static final long SHUTDOWN_TIMEOUT_MS = 20_000;

  @TempDir
  Path dataDir;
  private final List<Process> servers = new ArrayList<>();

  @AfterEach
  void killServers() {
    servers.forEach(Process::destroyForcibly);
  }

  @Test
  @DisplayName("a run printing numbered lines with a TERM-ignoring child ends killed, gap-free, within the bound")
  void sigterm() throws Exception {
    Path marker = dataDir.resolve("marker");
    // the shell and its background child ignore TERM, so only the KILL after the grace stops them;
    // the marker holds the last number the loop wrote to stdout
    String command = "(trap '' TERM; exec sleep 300) & trap '' TERM; i=0; "
        + "while true; do i=$((i+1)); echo n$i; echo $i > " + marker + ".tmp && mv " + marker + ".tmp " + marker + "; done";
    int port = TestServer.freePort();
    Api api = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
    Process server = startServer(port);
    JsonObject run = api.startRun(command);
    String id = run.getString("id");
    int pgid = run.getInteger("pid");
    api.awaitRun(id, r -> r.getLong("log_lines") >= 200, Duration.ofSeconds(20));
    Processes.awaitGroupSize(pgid, 2, Duration.ofSeconds(5));

    long began = System.nanoTime();
    server.destroy(); // SIGTERM
    assertTrue(server.waitFor(SHUTDOWN_TIMEOUT_MS + 10_000, TimeUnit.MILLISECONDS), "server still running");
    long tookMs = (System.nanoTime() - began) / 1_000_000;
    String log = Files.readString(dataDir.resolve("server.log"));
    assertEquals(0, server.exitValue(), log);
    assertTrue(tookMs < SHUTDOWN_TIMEOUT_MS, "shutdown took " + tookMs + " ms");
    assertEquals(List.of(), Processes.group(pgid), "processes of the run's group left after exit");
    assertTrue(log.contains("stopped cleanly"), log);
    assertTrue(log.contains("run " + id + " ended: script=adhoc kind=shell status=killed"), log);
    System.out.println("SIGTERM to exit: " + tookMs + " ms (kill grace 1000 ms)");

    int written = Integer.parseInt(Files.readString(marker).trim());
    startServer(port);
    JsonObject stored = api.run(id);
    assertEquals("killed", stored.getString("status"));
    List<JsonObject> lines = api.allLines(id);
    // the loop writes line n, then the marker: a KILL in between leaves one line past the marker
    assertTrue(lines.size() == written || lines.size() == written + 1,
        "stored " + lines.size() + " lines, the child wrote " + written + " (or one more)");
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(i + 1, lines.get(i).getLong("seq"));
      assertEquals("n" + (i + 1), lines.get(i).getString("line"));
    }
    assertEquals(lines.size(), stored.getLong("log_lines"));
  }

  private Process startServer(int port) throws Exception {
    Process process = ServerJvm.start(dataDir, port,
        List.of("--runs.kill_grace_ms=1000", "--shutdown_timeout_ms=" + SHUTDOWN_TIMEOUT_MS));
    servers.add(process);
    return process;
  }
}
