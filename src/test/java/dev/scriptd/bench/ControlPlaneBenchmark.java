package dev.scriptd.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 16's control-plane figures, each beside its baseline in the same run, in alternating
 * trials (scriptd, baseline, scriptd, baseline, ...), with the ratio of the medians:
 * <ul>
 *   <li>{@code GET /api/runs/{id}} and {@code GET /api/runs?limit=50} against the Vert.x hello world
 *   (HelloWorld, its own JVM), both with {@code wrk -t1 -c64};</li>
 *   <li>runs/s of {@code POST /api/runs {"command":"true"}} from 8 clients until every run is
 *   {@code completed}, against {@code posix_spawn} of {@code bash -c true} with 8 in flight (the C
 *   helper src/test/c/spawn_bench.c, compiled here with gcc);</li>
 *   <li>the shell endpoint {@code POST /hooks/ok?wait=true} ({@code echo ok}) against Debian's
 *   {@code webhook} running {@code bash -c "echo ok"}, both with {@code wrk -t1 -c8};</li>
 *   <li>the js endpoint {@code GET /hooks/js} against the hello world, {@code wrk -t1 -c64}.</li>
 * </ul>
 * scriptd runs in its own JVM with the rate limit off. Every run started is checked afterwards:
 * each 201 of the spawn figure is listed {@code completed} with exit 0, and each endpoint has at
 * least as many stored runs, all completed, as calls it answered.
 *
 * <pre>
 * apt-get install -y wrk webhook gcc
 * mvn -B -q package -DskipTests
 * java -cp target/scriptd.jar:target/test-classes dev.scriptd.bench.ControlPlaneBenchmark [seconds=5] [trials=3]
 * </pre>
 * {@code -Dbench.figures=run,list} measures only the figures named (run, list, spawn, shell, js).
 * Run it from the repository root (it compiles src/test/c/spawn_bench.c into target/).
 */
public final class ControlPlaneBenchmark {
  private static final int SPAWN_CLIENTS = 8;
  private static final int STORED_RUNS = 60;
  private static final Set<String> FIGURES = Collections.unmodifiableSet(
      new LinkedHashSet<>(List.of("run", "list", "spawn", "shell", "js")));
  private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m|h),");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern SOCKET_ERRORS =
      Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

  /** One figure: per-trial rates of scriptd and of its baseline. */
  record Figure(String path, String baseline, String unit, double target, List<Double> ours,
      List<Double> theirs) {
    double ratio() {
      return median(ours) / median(theirs);
    }
  }

  /** What wrk measured: answers below 400 per second, and everything else it counted. */
  record WrkResult(double okPerSecond, long ok, long non2xx, long socketErrors) {
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int trials = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    requireTools();
    Path spawnBench = compileSpawnHelper();
    Path work = Files.createTempDirectory("scriptd-cp-bench");
    List<Process> peers = new ArrayList<>();
    try (BenchServer scriptd = BenchServer.start()) {
      int helloPort = freePort();
      peers.add(startHelloWorld(helloPort, work));
      int webhookPort = freePort();
      peers.add(startWebhook(webhookPort, work));
      ControlPlaneBenchmark bench = new ControlPlaneBenchmark(scriptd, seconds, work);
      bench.run(spawnBench, "http://127.0.0.1:" + helloPort + "/",
          "http://127.0.0.1:" + webhookPort + "/hooks/ok", trials);
    } finally {
      for (Process peer : peers) {
        peer.destroy();
        if (!peer.waitFor(10, TimeUnit.SECONDS)) {
          peer.destroyForcibly();
        }
      }
    }
  }

  private final BenchServer scriptd;
  private final int seconds;
  private final Path work;
  private final String base;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  /** Calls each endpoint answered with 2xx, over warm-ups and trials, for the stored-runs check. */
  private final Map<String, Long> endpointAnswers = new HashMap<>();

  private ControlPlaneBenchmark(BenchServer scriptd, int seconds, Path work) {
    this.scriptd = scriptd;
    this.seconds = seconds;
    this.work = work;
    this.base = "http://127.0.0.1:" + scriptd.port;
  }

  /**
   * A token endpoint whose own limits are out of the way: the defaults (100 calls/s, 32 at once)
   * protect a server from its callers, they are not what this measures.
   */
  private static JsonObject endpoint(String method, String path) {
    return new JsonObject().put("method", method).put("path", path).put("auth", "token")
        .put("rate_limit", 100_000).put("max_concurrent", 1_000);
  }

  private void run(Path spawnBench, String hello, String webhook, int trials) throws Exception {
    String finishedRun = storeFinishedRuns(STORED_RUNS);
    String shellScript = createScript(new JsonObject().put("name", "bench-hook-ok").put("command", "echo ok")
        .put("endpoint", endpoint("POST", "ok")));
    String jsScript = createScript(new JsonObject().put("name", "bench-hook-js").put("kind", "js")
        .put("program", "({status: 200, body: 'ok'})")
        .put("endpoint", endpoint("GET", "js")));
    expectOk("POST", base + "/hooks/ok?wait=true", "ok");
    expectOk("POST", webhook, "ok");
    expectOk("GET", base + "/hooks/js", "ok");
    expectOk("GET", hello, "Hello");
    expectOk("GET", base + "/api/runs/" + finishedRun, "\"completed\"");
    expectOk("GET", base + "/api/runs?limit=50", "\"items\"");
    endpointAnswers.merge(shellScript, 1L, Long::sum);
    endpointAnswers.merge(jsScript, 1L, Long::sum);

    Path post = work.resolve("post.lua");
    Files.writeString(post, "wrk.method = \"POST\"\n");
    Set<String> chosen = chosenFigures();
    List<Figure> figures = new ArrayList<>();
    if (chosen.contains("run")) {
      figures.add(wrkFigure("GET /api/runs/{id}", "Vert.x hello world", 0.6, trials, 64, null,
          base + "/api/runs/" + finishedRun, hello, null));
    }
    if (chosen.contains("list")) {
      figures.add(wrkFigure("GET /api/runs?limit=50", "Vert.x hello world", 0.3, trials, 64, null,
          base + "/api/runs?limit=50", hello, null));
    }
    if (chosen.contains("spawn")) {
      figures.add(spawnFigure(spawnBench, trials));
    }
    if (chosen.contains("shell")) {
      figures.add(wrkFigure("POST /hooks/ok?wait=true (shell, echo ok)", "webhook, bash -c \"echo ok\"", 1.0,
          trials, 8, post, base + "/hooks/ok?wait=true", webhook, shellScript));
    }
    if (chosen.contains("js")) {
      figures.add(wrkFigure("GET /hooks/js (js, constant answer)", "Vert.x hello world", 0.3, trials, 64, null,
          base + "/hooks/js", hello, jsScript));
    }

    String persisted = checkEndpointRuns(shellScript, "shell endpoint") + "; "
        + checkEndpointRuns(jsScript, "js endpoint");
    print(figures, trials, persisted);
  }

  /**
   * The figures to measure: {@code -Dbench.figures=run,list} (names: run, list, spawn, shell, js);
   * every figure when the property is absent or empty.
   */
  static Set<String> chosenFigures() {
    String names = System.getProperty("bench.figures", "").trim();
    if (names.isEmpty()) {
      return FIGURES;
    }
    Set<String> chosen = new LinkedHashSet<>();
    for (String name : names.split(",")) {
      String figure = name.trim();
      if (!FIGURES.contains(figure)) {
        throw new IllegalArgumentException("bench.figures: unknown figure '" + figure + "'; known: "
            + String.join(",", FIGURES));
      }
      chosen.add(figure);
    }
    return chosen;
  }

  // ---- the figures

  /** scriptd's URL and the baseline's, alternately, {@code wrk -t1 -c<connections>}. */
  private Figure wrkFigure(String path, String baselineName, double target, int trials, int connections,
      Path script, String scriptdUrl, String baselineUrl, String scriptId) throws Exception {
    // unreported warm-up of both sides (the JIT compilers of both JVMs)
    count(scriptId, wrk(connections, Math.max(1, seconds / 2), script, scriptdUrl));
    wrk(connections, Math.max(1, seconds / 2), script, baselineUrl);
    List<Double> ours = new ArrayList<>();
    List<Double> theirs = new ArrayList<>();
    for (int trial = 0; trial < trials; trial++) {
      WrkResult mine = wrk(connections, seconds, script, scriptdUrl);
      count(scriptId, mine);
      ours.add(mine.okPerSecond());
      theirs.add(wrk(connections, seconds, script, baselineUrl).okPerSecond());
      System.out.printf("  %-45s trial %d: scriptd %,.0f req/s, baseline %,.0f req/s%n", path, trial + 1,
          ours.get(trial), theirs.get(trial));
    }
    return new Figure(path + ", wrk -t1 -c" + connections, baselineName, "req/s", target, ours, theirs);
  }

  private void count(String scriptId, WrkResult result) {
    if (scriptId != null) {
      endpointAnswers.merge(scriptId, result.ok(), Long::sum);
    }
  }

  private Figure spawnFigure(Path spawnBench, int trials) throws Exception {
    startRunsUntilCompleted(1);
    spawnBaseline(spawnBench, 1);
    List<Double> ours = new ArrayList<>();
    List<Double> theirs = new ArrayList<>();
    for (int trial = 0; trial < trials; trial++) {
      ours.add(startRunsUntilCompleted(seconds));
      theirs.add(spawnBaseline(spawnBench, seconds));
      System.out.printf("  %-45s trial %d: scriptd %,.0f runs/s, baseline %,.0f spawns/s%n", "POST /api/runs",
          trial + 1, ours.get(trial), theirs.get(trial));
    }
    return new Figure("POST /api/runs {\"command\":\"true\"}, " + SPAWN_CLIENTS + " clients, until completed",
        "posix_spawn bash -c true, " + SPAWN_CLIENTS + " in flight", "runs/s", 0.7, ours, theirs);
  }

  /**
   * {@value #SPAWN_CLIENTS} clients start runs back to back for {@code secs}; then waits until
   * every started run is listed {@code completed} with exit 0. Runs/s: started runs over the time
   * from the first request to the latest {@code ended_at}.
   */
  private double startRunsUntilCompleted(int secs) throws Exception {
    // created_at is the server's clock (this machine's) in ms: every run of this burst is at or after it
    Instant from = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(secs);
    List<String> ids = Collections.synchronizedList(new ArrayList<>());
    AtomicLong refused = new AtomicLong();
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < SPAWN_CLIENTS; i++) {
      Thread thread = new Thread(() -> {
        while (System.nanoTime() < end) {
          HttpResponse<String> response = send("POST", "/api/runs", new JsonObject().put("command", "true"));
          if (response.statusCode() == 201) {
            ids.add(new JsonObject(response.body()).getString("id"));
          } else {
            refused.incrementAndGet();
          }
        }
      }, "bench-client-" + i);
      thread.start();
      clients.add(thread);
    }
    for (Thread thread : clients) {
      thread.join();
    }
    if (refused.get() > 0) {
      throw new IllegalStateException(refused.get() + " POST /api/runs were not answered 201");
    }
    Map<String, JsonObject> listed = awaitListedEnded(from, ids.size());
    Instant lastEnd = from;
    for (String id : ids) {
      JsonObject run = listed.get(id);
      if (run == null || !"completed".equals(run.getString("status")) || !Integer.valueOf(0).equals(run.getInteger("exit_code"))) {
        throw new IllegalStateException("run " + id + " is not listed completed with exit 0: "
            + (run == null ? "not listed" : run.encode()));
      }
      Instant ended = Instant.parse(run.getString("ended_at"));
      lastEnd = ended.isAfter(lastEnd) ? ended : lastEnd;
    }
    if (listed.size() != ids.size()) {
      throw new IllegalStateException(ids.size() + " runs acknowledged, " + listed.size() + " listed");
    }
    return ids.size() / (Duration.between(from, lastEnd).toNanos() / 1e9);
  }

  /** The runs created since {@code from}, by id, once {@code expected} of them are listed and none is open. */
  private Map<String, JsonObject> awaitListedEnded(Instant from, int expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      Map<String, JsonObject> runs = new HashMap<>();
      boolean open = false;
      String cursor = null;
      do {
        HttpResponse<String> response = send("GET", "/api/runs?limit=1000&from=" + from
            + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), null);
        JsonObject page = new JsonObject(response.body());
        for (Object item : page.getJsonArray("items")) {
          JsonObject run = (JsonObject) item;
          if (runs.put(run.getString("id"), run) != null) {
            throw new IllegalStateException("run " + run.getString("id") + " is listed twice");
          }
          String status = run.getString("status");
          open |= "pending".equals(status) || "running".equals(status);
        }
        cursor = page.getString("next_cursor");
      } while (cursor != null);
      if (!open && runs.size() >= expected) {
        return runs;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("runs still open or missing two minutes after the last start");
      }
      LockSupport.parkNanos(20_000_000L);
    }
  }

  /** posix_spawn of {@code bash -c true}, 8 in flight, for {@code secs}: spawns per second. */
  private static double spawnBaseline(Path spawnBench, int secs) throws Exception {
    Process process = new ProcessBuilder(spawnBench.toString(), Integer.toString(secs),
        Integer.toString(SPAWN_CLIENTS)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (process.waitFor() != 0) {
      throw new IllegalStateException("spawn_bench failed: " + out);
    }
    String[] fields = out.split("\\s+");
    return Long.parseLong(fields[0]) / Double.parseDouble(fields[1]);
  }

  /** Every run of the endpoint's script has ended completed, and there are at least as many as answers. */
  private String checkEndpointRuns(String scriptId, String name) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      JsonObject stats = new JsonObject(send("GET", "/api/runs/stats?script_id=" + scriptId, null).body());
      long total = stats.getLong("total");
      long completed = stats.getLong("completed");
      long answered = endpointAnswers.getOrDefault(scriptId, 0L);
      long ended = completed + stats.getLong("failed") + stats.getLong("killed") + stats.getLong("timed_out");
      if (ended == total) {
        if (completed != total || total < answered) {
          throw new IllegalStateException(name + ": " + answered + " calls answered, runs stored: " + stats.encode());
        }
        return String.format("%s %,d calls answered, %,d runs stored, all completed", name, answered, total);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + ": runs still open two minutes after the load: " + stats.encode());
      }
      LockSupport.parkNanos(20_000_000L);
    }
  }

  // ---- wrk, peers, set-up

  static WrkResult wrk(int connections, int secs, Path script, String url) throws Exception {
    List<String> command = new ArrayList<>(List.of("wrk", "-t1", "-c" + connections, "-d" + secs + "s",
        "--timeout", "30s", "-H", "Authorization: Bearer " + BenchServer.TOKEN));
    if (script != null) {
      command.addAll(List.of("-s", script.toString()));
    }
    command.add(url);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException("wrk failed: " + out);
    }
    Matcher requests = REQUESTS.matcher(out);
    if (!requests.find()) {
      throw new IllegalStateException("no request count in wrk's output: " + out);
    }
    long all = Long.parseLong(requests.group(1));
    double elapsed = Double.parseDouble(requests.group(2)) * switch (requests.group(3)) {
      case "us" -> 1e-6;
      case "ms" -> 1e-3;
      case "m" -> 60;
      case "h" -> 3600;
      default -> 1;
    };
    Matcher non2xx = NON_2XX.matcher(out);
    long failed = non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0;
    Matcher socket = SOCKET_ERRORS.matcher(out);
    long errors = 0;
    if (socket.find()) {
      for (int group = 1; group <= 4; group++) {
        errors += Long.parseLong(socket.group(group));
      }
    }
    if (failed > 0 || errors > 0) {
      System.out.printf("  ! %s: %d answers >= 400, %d socket errors (not counted)%n", url, failed, errors);
    }
    return new WrkResult((all - failed) / elapsed, all - failed, failed, errors);
  }

  static Process startHelloWorld(int port, Path work) throws Exception {
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", BenchServer.absoluteClassPath(), HelloWorld.class.getName(), Integer.toString(port))
        .redirectErrorStream(true).redirectOutput(work.resolve("hello.log").toFile()).start();
    awaitListening(process, "http://127.0.0.1:" + port + "/", "GET", work.resolve("hello.log"));
    return process;
  }

  /** adnanh/webhook on loopback with one hook, {@code ok}: {@code bash -c "echo ok"}, output as the answer. */
  private static Process startWebhook(int port, Path work) throws Exception {
    JsonArray hooks = new JsonArray().add(new JsonObject().put("id", "ok")
        .put("execute-command", "/bin/bash")
        .put("pass-arguments-to-command", new JsonArray()
            .add(new JsonObject().put("source", "string").put("name", "-c"))
            .add(new JsonObject().put("source", "string").put("name", "echo ok")))
        .put("include-command-output-in-response", true)
        .put("http-methods", new JsonArray().add("POST")));
    Path file = work.resolve("hooks.json");
    Files.writeString(file, hooks.encodePrettily());
    Process process = new ProcessBuilder("webhook", "-hooks", file.toString(), "-ip", "127.0.0.1",
        "-port", Integer.toString(port)).redirectErrorStream(true)
        .redirectOutput(work.resolve("webhook.log").toFile()).start();
    awaitListening(process, "http://127.0.0.1:" + port + "/hooks/ok", "POST", work.resolve("webhook.log"));
    return process;
  }

  private static void awaitListening(Process process, String url, String method, Path log) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(url + " exited; see " + log);
      }
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody())
            .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      LockSupport.parkNanos(50_000_000L);
    }
    throw new IllegalStateException(url + " did not answer within a minute; see " + log);
  }

  /** {@code count} finished runs of {@code true}, so the list has a full page; returns one id. */
  private String storeFinishedRuns(int count) {
    Instant from = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String id = null;
    for (int i = 0; i < count; i++) {
      HttpResponse<String> response = send("POST", "/api/runs", new JsonObject().put("command", "true"));
      if (response.statusCode() != 201) {
        throw new IllegalStateException("start failed: " + response.body());
      }
      id = new JsonObject(response.body()).getString("id");
    }
    awaitListedEnded(from, count);
    return id;
  }

  private String createScript(JsonObject script) {
    HttpResponse<String> response = send("POST", "/api/scripts", script);
    if (response.statusCode() != 201) {
      throw new IllegalStateException("create failed: " + response.body());
    }
    return new JsonObject(response.body()).getString("id");
  }

  /** One request as wrk sends it (with the token); the answer must be 200 and contain {@code expected}. */
  private void expectOk(String method, String url, String expected) throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + BenchServer.TOKEN)
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200 || !response.body().contains(expected)) {
      throw new IllegalStateException(method + " " + url + ": " + response.statusCode() + " " + response.body());
    }
  }

  private HttpResponse<String> send(String method, String path, JsonObject body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + BenchServer.TOKEN).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(method + " " + path + " failed: " + e, e);
    }
  }

  // ---- prerequisites and the table

  private static void requireTools() throws Exception {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("wrk", "webhook", "gcc")) {
      Process which = new ProcessBuilder("sh", "-c", "command -v " + tool).start();
      if (which.waitFor() != 0) {
        missing.add(tool);
      }
    }
    if (!missing.isEmpty()) {
      System.err.println("missing: " + String.join(" ", missing) + "; install with: apt-get install -y "
          + String.join(" ", missing));
      System.exit(2);
    }
  }

  /** gcc -O2 src/test/c/spawn_bench.c into target/ (the machine's compiler, as the issue asks). */
  private static Path compileSpawnHelper() throws Exception {
    Path source = Path.of("src", "test", "c", "spawn_bench.c");
    if (!Files.exists(source)) {
      throw new IllegalStateException(source + " not found: run the benchmark from the repository root");
    }
    Path binary = Path.of("target", "spawn_bench").toAbsolutePath();
    Files.createDirectories(binary.getParent());
    Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", binary.toString(), source.toString())
        .redirectErrorStream(true).start();
    String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (gcc.waitFor() != 0) {
      throw new IllegalStateException("gcc failed: " + out);
    }
    return binary;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  private void print(List<Figure> figures, int trials, String persisted) {
    System.out.printf("%n%d alternating trials of %d s each (scriptd first), medians:%n%n", trials, seconds);
    System.out.println("| path | scriptd | baseline, same run | ratio | target | met |");
    System.out.println("|---|---|---|---|---|---|");
    for (Figure figure : figures) {
      System.out.printf("| %s | %,.0f %s | %s: %,.0f %s | %.2g | >= %.1f | %s |%n", figure.path(),
          median(figure.ours()), figure.unit(), figure.baseline(), median(figure.theirs()), figure.unit(),
          figure.ratio(), figure.target(), figure.ratio() >= figure.target() ? "yes" : "no");
    }
    System.out.printf("%nRuns persisted: every POST /api/runs 201 listed completed with exit 0; %s%n", persisted);
  }
}
