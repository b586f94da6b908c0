package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The environment of a run, seen by {@code env} in the run, with the server in a JVM of its own
 * whose environment holds the admin token and other SCRIPTD_* values.
 */
@DisplayName("A run gets a clean environment, never the server's SCRIPTD_* variables")
class RunEnvironmentTest {
  private static final String SECRET_X = "server-secret-x-4711";
  private static final String FOO = "server-foo-value";

  @TempDir
  Path dataDir;
  private final List<Process> servers = new ArrayList<>();

  @AfterEach
  void killServers() {
    servers.forEach(Process::destroyForcibly);
  }

  private Map<String, String> serverEnv() {
    return Map.of(
        "SCRIPTD_ADMIN_TOKEN", TestServer.ADMIN_TOKEN,
        "SCRIPTD_SECRET_X", SECRET_X,
        "FOO", FOO,
        "HOME", dataDir.toString(),
        "LANG", "C.UTF-8",
        "LC_TIME", "C.UTF-8");
  }

  private Api start(List<String> flags) throws Exception {
    int port = TestServer.freePort();
    Process server = ServerJvm.start(dataDir, port, flags, serverEnv());
    servers.add(server);
    return new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
  }

  /** The run's {@code env} output: NAME -> value. */
  private static Map<String, String> envOfRun(Api api, JsonObject body) {
    JsonObject run = api.startRun(body);
    JsonObject ended = api.awaitEnd(run.getString("id"));
    assertEquals("completed", ended.getString("status"), ended.encode());
    return api.allLines(run.getString("id")).stream()
        .map(line -> line.getString("line"))
        .filter(line -> line.indexOf('=') > 0)
        .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')),
            line -> line.substring(line.indexOf('=') + 1), (a, b) -> a));
  }

  @Test
  @DisplayName("by default: PATH, HOME, LANG and LC_* of the server, the run's env, SCRIPTD_RUN_ID and SCRIPTD_OUTPUT; no admin token, no other SCRIPTD_*, no FOO")
  void defaultAllowlist() throws Exception {
    Api api = start(List.of());
    JsonObject body = new JsonObject().put("command", "env")
        .put("env", new JsonObject().put("MINE", "run-value").put("HOME", "/run/home"));
    JsonObject run = api.startRun(body);
    String id = run.getString("id");
    assertEquals("completed", api.awaitEnd(id).getString("status"));
    String log = api.allLines(id).stream().map(line -> line.getString("line")).collect(Collectors.joining("\n"));

    assertFalse(log.contains(TestServer.ADMIN_TOKEN), "the admin token reached the run's log:\n" + log);
    assertFalse(log.contains("SCRIPTD_ADMIN_TOKEN"), log);
    assertFalse(log.contains(SECRET_X), log);
    assertFalse(log.contains("SCRIPTD_SECRET_X"), log);
    assertFalse(log.contains("SCRIPTD_TEST_LOG_LEVEL"), log);
    assertFalse(log.contains(FOO), log);
    Map<String, String> env = envOfRun(api, body);
    assertEquals(System.getenv("PATH"), env.get("PATH"));
    assertEquals("C.UTF-8", env.get("LANG"));
    assertEquals("C.UTF-8", env.get("LC_TIME"));
    assertEquals("run-value", env.get("MINE"));
    assertEquals("/run/home", env.get("HOME"), "the run's env overrides what the server passes on");
    assertNotNull(env.get("SCRIPTD_RUN_ID"));
    assertEquals(List.of("SCRIPTD_OUTPUT", "SCRIPTD_RUN_ID"),
        env.keySet().stream().filter(name -> name.startsWith("SCRIPTD_")).sorted().toList());
    assertEquals(dataDir.toString(), envOfRun(api, new JsonObject().put("command", "env")).get("HOME"));

    // the orphan reaper, a child of the server too, does not carry them either
    String reaperEnv = reaperEnvironment(servers.get(0).pid());
    assertFalse(reaperEnv.contains(TestServer.ADMIN_TOKEN), reaperEnv);
    assertFalse(reaperEnv.contains("SCRIPTD_"), reaperEnv);
    assertTrue(reaperEnv.contains("PATH="), reaperEnv);
  }

  @Test
  @DisplayName("runs.inherit_env replaces the allowlist (prefixes too), and still never passes SCRIPTD_*; PATH then has a default")
  void configuredAllowlist() throws Exception {
    Path config = dataDir.resolve("scriptd-test.json");
    Files.writeString(config, new JsonObject().put("runs", new JsonObject()
        .put("inherit_env", new JsonArray().add("FOO").add("LC_*").add("SCRIPTD_*"))).encode());
    Api api = start(List.of("--config=" + config));
    Map<String, String> env = envOfRun(api, new JsonObject().put("command", "env"));
    assertEquals(FOO, env.get("FOO"));
    assertEquals("C.UTF-8", env.get("LC_TIME"));
    assertFalse(env.containsKey("LANG"), env.toString());
    assertFalse(env.containsKey("HOME"), env.toString());
    assertFalse(env.containsKey("SCRIPTD_ADMIN_TOKEN"), env.toString());
    assertFalse(env.containsKey("SCRIPTD_SECRET_X"), env.toString());
    assertFalse(env.containsValue(TestServer.ADMIN_TOKEN), env.toString());
    assertEquals("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", env.get("PATH"),
        "the server's PATH is not on the list: the default one lets setsid and bash resolve");
  }

  /** The environ of the server's child running the reaper script (waits for it to be started). */
  private static String reaperEnvironment(long serverPid) throws IOException {
    Instant end = Instant.now().plus(Duration.ofSeconds(10));
    while (Instant.now().isBefore(end)) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"))) {
        for (Path dir : dirs) {
          String name = dir.getFileName().toString();
          if (!name.chars().allMatch(Character::isDigit)) {
            continue;
          }
          try {
            String stat = Files.readString(dir.resolve("stat"));
            long parent = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
            String cmdline = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8);
            if (parent == serverPid && cmdline.contains("scriptd-reaper")) {
              return new String(Files.readAllBytes(dir.resolve("environ")), StandardCharsets.UTF_8)
                  .replace('\0', '\n');
            }
          } catch (IOException | RuntimeException gone) {
            // exited meanwhile
          }
        }
      }
      LockSupport.parkNanos(50_000_000L);
    }
    throw new AssertionError("no reaper process under server pid " + serverPid);
  }
}
