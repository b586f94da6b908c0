package dev.scriptd.bench;

import dev.scriptd.Scriptd;
import dev.scriptd.ScriptdHandle;
import dev.scriptd.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Start → {@code completed} of {@code true}, one run at a time, through a real scriptd deployed in
 * this JVM (SQLite and all): the time from sending {@code runs.cmd.start} to the status event that
 * says {@code completed}. Beside it, in the same run, the baseline: ProcessBuilder spawn and wait of
 * the same {@code setsid bash -c true}. Prints p50/p90/p99/max of both, and the two halves of the
 * first: start → the reply (saved pending, spawned, saved running) and reply → {@code completed}
 * (exit seen, group checked, saved).
 *
 * <pre>java -cp target/scriptd.jar:target/test-classes dev.scriptd.bench.ExitLatencyBenchmark [runs=500]</pre>
 */
public final class ExitLatencyBenchmark {
  private ExitLatencyBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    Path dir = Files.createTempDirectory("scriptd-exit-bench");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Vertx vertx = Vertx.vertx();
    JsonObject config = new JsonObject().put("host", "127.0.0.1").put("port", port)
        .put("data_dir", dir.toString()).put("admin_token", "sd_bench-admin-token-0123456789abcdef");
    ScriptdHandle server = Scriptd.deploy(vertx, config).await(60, TimeUnit.SECONDS);
    try {
      Map<String, CompletableFuture<String>> ends = new ConcurrentHashMap<>();
      vertx.eventBus().<JsonObject>consumer(server.namespace().of(Addresses.RUNS_STATUS), m -> {
        String status = m.body().getString("status");
        if (!"pending".equals(status) && !"running".equals(status)) {
          ends.computeIfAbsent(m.body().getString("id"), id -> new CompletableFuture<>()).complete(status);
        }
      });
      JsonObject body = new JsonObject().put("command", "true");
      for (int i = 0; i < 20; i++) { // warm-up
        scriptd(vertx, server, body, ends);
        baseline();
      }
      List<Long> scriptd = new ArrayList<>();
      List<Long> replied = new ArrayList<>();
      List<Long> baseline = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        long[] times = scriptd(vertx, server, body, ends);
        scriptd.add(times[1]);
        replied.add(times[0]);
        baseline.add(baseline());
      }
      List<Long> afterReply = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        afterReply.add(scriptd.get(i) - replied.get(i));
      }
      print("scriptd start -> completed", scriptd);
      print("  start -> reply (running)", replied);
      print("  reply -> completed", afterReply);
      print("ProcessBuilder setsid bash -c true", baseline);
    } finally {
      server.close().await(30, TimeUnit.SECONDS);
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Nanoseconds from the start to the reply, and to {@code completed}. */
  private static long[] scriptd(Vertx vertx, ScriptdHandle server, JsonObject body,
      Map<String, CompletableFuture<String>> ends) throws Exception {
    long start = System.nanoTime();
    JsonObject run = vertx.eventBus().<JsonObject>request(server.namespace().of(Addresses.RUNS_START), body)
        .await(30, TimeUnit.SECONDS).body();
    long reply = System.nanoTime() - start;
    String status = ends.computeIfAbsent(run.getString("id"), id -> new CompletableFuture<>())
        .get(30, TimeUnit.SECONDS);
    long took = System.nanoTime() - start;
    ends.remove(run.getString("id"));
    if (!"completed".equals(status)) {
      throw new IllegalStateException("run " + run.getString("id") + " ended " + status);
    }
    return new long[] {reply, took};
  }

  private static long baseline() throws Exception {
    long start = System.nanoTime();
    int code = new ProcessBuilder("setsid", "bash", "-c", "true").start().waitFor();
    if (code != 0) {
      throw new IllegalStateException("exit " + code);
    }
    return System.nanoTime() - start;
  }

  private static void print(String what, List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    System.out.printf("%-36s n=%d  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms%n", what, sorted.size(),
        ms(sorted, 0.50), ms(sorted, 0.90), ms(sorted, 0.99), sorted.get(sorted.size() - 1) / 1e6);
  }

  private static double ms(List<Long> sorted, double quantile) {
    int index = (int) Math.ceil(quantile * sorted.size()) - 1;
    return sorted.get(Math.max(0, index)) / 1e6;
  }
}
