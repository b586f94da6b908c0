package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * scriptd's Main in a JVM of its own (test class path), for tests that kill or signal the server
 * process itself. Output goes to {@code server.log} in the data dir.
 */
final class ServerJvm {
  private ServerJvm() {
  }

  /**
   * Starts {@code dev.scriptd.Main} with exactly these arguments (no admin token) and the
   * production logging configuration at INFO, as a user's first start would; does not wait.
   * Output goes to {@code output}.
   */
  static Process launch(Path workDir, Path output, List<String> args, Map<String, String> env) throws IOException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(javaBin, "-Dlogback.configurationFile=logback.xml", "-cp",
        System.getProperty("java.class.path"), "dev.scriptd.Main"));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
    builder.environment().put("SCRIPTD_LOG_LEVEL", "INFO");
    builder.environment().putAll(env);
    return builder.start();
  }

  /**
   * Starts {@code mainClass} of the test class path (a host application embedding scriptd) with
   * {@code args}; output goes to {@code output}; does not wait.
   */
  static Process launchMain(Path workDir, Path output, String mainClass, List<String> args) throws IOException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(javaBin, "-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
    builder.environment().put("SCRIPTD_TEST_LOG_LEVEL", "INFO");
    return builder.start();
  }

  /** Starts {@code dev.scriptd.Main} with the flags and returns once /health answers 200. */
  static Process start(Path dataDir, int port, List<String> flags) throws Exception {
    return start(dataDir, port, flags, Map.of());
  }

  /** As {@link #start(Path, int, List)}, with {@code env} added to the server's environment. */
  static Process start(Path dataDir, int port, List<String> flags, Map<String, String> env) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(javaBin, "-cp", System.getProperty("java.class.path"),
        "dev.scriptd.Main", "--port=" + port, "-data-dir=" + dataDir, "--admin-token=" + TestServer.ADMIN_TOKEN));
    command.addAll(flags);
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(dataDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("server.log").toFile()));
    builder.environment().put("SCRIPTD_TEST_LOG_LEVEL", "INFO");
    builder.environment().putAll(env);
    Process process = builder.start();
    Api api = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
    Instant end = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(end)) {
      if (!process.isAlive()) {
        fail("server exited with " + process.exitValue() + "; see " + dataDir.resolve("server.log"));
      }
      try {
        HttpResponse<String> health = api.client.send(
            HttpRequest.newBuilder(URI.create(api.base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200) {
          return process;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      LockSupport.parkNanos(50_000_000L);
    }
    process.destroyForcibly();
    fail("server did not become healthy within 60 s; see " + dataDir.resolve("server.log"));
    return process;
  }
}
