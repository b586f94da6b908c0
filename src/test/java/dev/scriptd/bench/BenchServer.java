package dev.scriptd.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** A scriptd server in its own JVM (so its memory can be read from /proc), for benchmarks. */
final class BenchServer implements AutoCloseable {
  static final String TOKEN = "sd_benchmark_admin_token_0123456789abcdef";

  final int port;
  final Process process;
  final HttpClient http = HttpClient.newHttpClient();
  /** From the JVM's launch to the first 200 of /health, in ms (polled every 10 ms). */
  long startupMillis;

  private BenchServer(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  static BenchServer start(String... extraFlags) throws Exception {
    return start(List.of(), extraFlags);
  }

  /** A server whose JVM also gets {@code jvmOptions} (heap policy, profiling). */
  static BenchServer start(List<String> jvmOptions, String... extraFlags) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path dir = Files.createTempDirectory("scriptd-bench");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // -Dbench.serverJvmArgs="-XX:StartFlightRecording=..." profiles the server
    String jvmArgs = System.getProperty("bench.serverJvmArgs", "").trim();
    if (!jvmArgs.isEmpty()) {
      command.addAll(List.of(jvmArgs.split("\\s+")));
    }
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", absoluteClassPath(), "dev.scriptd.Main",
        "--port=" + port, "--data-dir=" + dir, "--rate-limit=0"));
    command.addAll(List.of(extraFlags));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
    builder.environment().put("SCRIPTD_ADMIN_TOKEN", TOKEN);
    long launched = System.nanoTime();
    BenchServer server = new BenchServer(port, builder.start());
    long deadline = launched + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && server.process.isAlive()) {
      try {
        if (server.get("/health").statusCode() == 200) {
          server.startupMillis = (System.nanoTime() - launched) / 1_000_000;
          return server;
        }
      } catch (IOException notYet) {
        // still starting
      }
      LockSupport.parkNanos(10_000_000L);
    }
    server.close();
    throw new IllegalStateException("server did not start; see " + dir.resolve("server.log"));
  }

  /** The server runs in a temp dir, so relative class-path entries must be made absolute. */
  static String absoluteClassPath() {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      entries.add(Path.of(entry).toAbsolutePath().toString());
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  JsonObject startRun(String command) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/runs"))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("command", command).encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new IllegalStateException("start failed: " + response.body());
    }
    return new JsonObject(response.body());
  }

  void kill(String runId) throws IOException, InterruptedException {
    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/runs/" + runId + "/kill"))
        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.discarding());
  }

  /** Waits (up to a minute) until the server reports {@code count} live tail subscribers. */
  void awaitTailSubscribers(int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    java.util.regex.Pattern gauge = java.util.regex.Pattern.compile("(?m)^scriptd_tail_subscribers\\S* (\\S+)$");
    while (System.nanoTime() < deadline) {
      java.util.regex.Matcher value = gauge.matcher(get("/metrics").body());
      if (value.find() && Double.parseDouble(value.group(1)) >= count) {
        return;
      }
      LockSupport.parkNanos(20_000_000L);
    }
    throw new IllegalStateException("fewer than " + count + " tail subscribers after a minute");
  }

  /** Heap in use after a full GC of the server JVM (via jcmd), in bytes. */
  long heapUsedAfterGc() throws Exception {
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    java.util.regex.Matcher used = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
    if (!used.find()) {
      throw new IllegalStateException("no heap figure in: " + info);
    }
    return Long.parseLong(used.group(1)) * 1024;
  }

  /** The top of the server's class histogram (live objects), for finding what a connection holds. */
  String histogram(int rows) throws Exception {
    if (Boolean.getBoolean("bench.nmt")) {
      return jcmd("VM.native_memory summary");
    }
    String[] lines = jcmd("GC.class_histogram").split("\n");
    return String.join("\n", java.util.Arrays.copyOfRange(lines, 0, Math.min(lines.length, rows + 3)));
  }

  private String jcmd(String command) throws Exception {
    Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(process.pid()), command).redirectErrorStream(true).start();
    String out = new String(jcmd.getInputStream().readAllBytes());
    jcmd.waitFor();
    return out;
  }

  /** Resident memory of the server process in bytes. */
  long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS");
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
