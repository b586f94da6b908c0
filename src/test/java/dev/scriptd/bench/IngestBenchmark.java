package dev.scriptd.bench;

import dev.scriptd.Scriptd;
import dev.scriptd.ScriptdHandle;
import dev.scriptd.bus.Addresses;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Durable ingest (issue 2): lines/s from one child that writes one line per write(), counted as
 * committed SQLite rows, against the same child piped to wc -l, measured in the same round. A
 * second series does the same with read pacing off ({@code runs.min_read_interval_us} 0,
 * {@code runs.pipe_bytes} 0: every line read as it comes, from a 64 KiB pipe), to show what pacing
 * buys on the same box.
 * Usage: java -cp target/scriptd.jar:target/test-classes dev.scriptd.bench.IngestBenchmark [lines] [rounds]
 */
public final class IngestBenchmark {
  private IngestBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    long lines = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String child = child(lines);

    Vertx vertx = Vertx.vertx();
    try {
      Series paced = series(vertx, child, lines, rounds, new JsonObject(), "durable ingest");
      // after, not interleaved: alternating the two made the JIT compiler deoptimise and recompile the
      // reader's code every round (0.1-0.6 s of C2 per round)
      Series unpaced = series(vertx, child, lines, rounds, UNPACED, "durable ingest without read pacing");
      System.out.printf("median: pipe %,.0f lines/s, ingest %,.0f lines/s, ratio %.2f (per round: median %.2f, %.2f-%.2f;"
          + " target >= 0.80); without read pacing: pipe %,.0f, ingest %,.0f lines/s, ratio %.2f; lines lost 0%n",
          median(paced.pipe), median(paced.ingest), median(paced.ingest) / median(paced.pipe), median(paced.ratios),
          Collections.min(paced.ratios), Collections.max(paced.ratios),
          median(unpaced.pipe), median(unpaced.ingest), median(unpaced.ingest) / median(unpaced.pipe));
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private record Series(List<Double> pipe, List<Double> ingest, List<Double> ratios) {
  }

  /** Warm-up rounds, then {@code rounds} of the pipe beside the ingest with these settings. */
  private static Series series(Vertx vertx, String child, long lines, int rounds, JsonObject settings, String name)
      throws Exception {
    // unreported rounds first, of the measured size: a server runs warm, and one short round left the
    // C2 compiler busy for a fifth of each measured round
    for (int warmUp = 0; warmUp < Integer.getInteger("bench.warmUpRounds", 2); warmUp++) {
      ingestRate(vertx, child, lines, settings);
    }
    Series series = new Series(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (int round = 1; round <= rounds; round++) {
      double pipe = pipeRate(child, lines);
      double ingest = ingestRate(vertx, child, lines, settings);
      series.pipe().add(pipe);
      series.ingest().add(ingest);
      series.ratios().add(ingest / pipe);
      System.out.printf("round %d: pipe to wc -l %,.0f lines/s, %s %,.0f lines/s, ratio %.2f%n", round, pipe, name,
          ingest, ingest / pipe);
    }
    return series;
  }

  /** Read pacing off: every line read as it comes, from a pipe of the kernel's default size. */
  private static final JsonObject UNPACED = new JsonObject()
      .put("runs", new JsonObject().put("min_read_interval_us", 0).put("pipe_bytes", 0));

  /** perl with autoflush does one write() per print; ~100-byte lines. */
  static String child(long lines) {
    return "perl -e '$|=1; my $p = \"x\" x 88; for my $i (1.." + lines + ") { print \"line $i $p\\n\" }'";
  }

  static double pipeRate(String child, long lines) throws Exception {
    long start = System.nanoTime();
    Process process = new ProcessBuilder("bash", "-c", child + " | wc -l").redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes()).trim();
    process.waitFor();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (Long.parseLong(out) != lines) {
      throw new IllegalStateException("wc -l counted " + out + " lines, expected " + lines);
    }
    return lines / seconds;
  }

  private static double ingestRate(Vertx vertx, String child, long lines, JsonObject settings) throws Exception {
    Path dir = Files.createTempDirectory("scriptd-bench");
    JsonObject config = settings.copy().put("data_dir", dir.toString())
        .put("http", new JsonObject().put("enabled", false));
    ScriptdHandle handle = Scriptd.deploy(vertx, config).await(30, TimeUnit.SECONDS);
    try {
      Promise<JsonObject> ended = Promise.promise();
      MessageConsumer<JsonObject> statuses = vertx.eventBus().<JsonObject>consumer(Addresses.RUNS_STATUS, message -> {
        String status = message.body().getString("status");
        if (!status.equals("pending") && !status.equals("running")) {
          ended.tryComplete(message.body());
        }
      });
      statuses.completion().await(10, TimeUnit.SECONDS);
      CpuUse cpu = CpuUse.now();
      long start = System.nanoTime();
      JsonObject run = vertx.eventBus().<JsonObject>request(Addresses.RUNS_START, new JsonObject().put("command", child))
          .await(30, TimeUnit.SECONDS).body();
      // the final status is published only after every line of the run is committed
      JsonObject last = ended.future().await(10, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - start) / 1e9;
      String cpuUsed = cpu.since(lines);
      statuses.unregister();
      System.out.printf("  %,d lines: process ran %d ms (read %,.0f lines/s), committed after %.0f ms%n",
          lines, last.getLong("duration_ms"), lines * 1000.0 / Math.max(1, last.getLong("duration_ms")), seconds * 1000);
      System.out.println("  " + cpuUsed);
      long stored = committedLines(handle, run.getString("id"));
      if (stored != lines || last.getLong("log_lines") != lines) {
        throw new IllegalStateException("stored " + stored + " of " + lines + " lines: " + last.encode());
      }
      return lines / seconds;
    } finally {
      handle.close().await(60, TimeUnit.SECONDS);
    }
  }

  /** Counts lines straight from the file, with a separate connection: what is committed. */
  private static long committedLines(ScriptdHandle handle, String runId) throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + handle.config().storage().dbFile());
         Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery(
             "SELECT COALESCE(SUM(last_seq - first_seq + 1), 0), COALESCE(MAX(last_seq), 0), COUNT(*) "
                 + "FROM log_chunks WHERE run_id = '" + runId + "'")) {
      rows.next();
      long count = rows.getLong(1);
      if (rows.getLong(2) != count) {
        throw new IllegalStateException("seq gap: " + count + " lines but max seq " + rows.getLong(2));
      }
      return count;
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  /**
   * CPU used by this JVM and per thread group (from /proc/self/task, so the JIT and GC threads are
   * listed too), between two points: the server's cost per line, which the pipe rate alone does not
   * show on a shared box. Thread times have the kernel's tick resolution (10 ms).
   */
  private record CpuUse(long processNanos, Map<String, Long> threads) {
    static CpuUse now() throws IOException {
      OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      Map<String, Long> threads = new HashMap<>();
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
        for (Path task : tasks) {
          try {
            String stat = Files.readString(task.resolve("stat"));
            // "tid (name) state ..." with utime and stime the 12th and 13th fields after the name
            String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            threads.merge(task.getFileName() + " " + name, ticks * 10_000_000L, Long::sum);
          } catch (IOException | RuntimeException gone) {
            // the thread ended meanwhile
          }
        }
      }
      return new CpuUse(os.getProcessCpuTime(), threads);
    }

    String since(long lines) throws IOException {
      CpuUse end = now();
      long total = end.processNanos - processNanos;
      Map<String, Long> groups = new TreeMap<>();
      for (Map.Entry<String, Long> thread : end.threads.entrySet()) {
        String group = thread.getKey().substring(thread.getKey().indexOf(' ') + 1).replaceAll("[-#]?\\d*$", "");
        groups.merge(group, thread.getValue() - threads.getOrDefault(thread.getKey(), 0L), Long::sum);
      }
      StringBuilder split = new StringBuilder();
      groups.entrySet().stream().filter(group -> group.getValue() >= 20_000_000L)
          .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
          .forEach(group -> split.append(String.format(", %s %d", group.getKey(), group.getValue() / 1_000_000)));
      long jit = groups.entrySet().stream().filter(group -> group.getKey().contains("CompilerThre"))
          .mapToLong(Map.Entry::getValue).sum();
      return String.format("JVM CPU %,d ms = %.2f us/line, %.2f without the JIT compiler (ms%s)", total / 1_000_000,
          total / 1000.0 / lines, (total - jit) / 1000.0 / lines, split);
    }
  }
}
