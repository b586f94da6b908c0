package dev.scriptd.bench;

import dev.scriptd.Scriptd;
import dev.scriptd.ScriptdHandle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * History at scale (issue 4): inserts N runs (default 1,000,000) straight into a fresh database
 * through JDBC, in batches, then starts scriptd on it and measures GET /api/runs?limit=50 (the
 * first page, a deep cursor page, a script filter, a status filter) against GET /health on the
 * same server, sequentially over one keep-alive connection. Prints p50/p99 in ms and the query plan.
 * Usage: java -cp target/scriptd.jar:target/test-classes dev.scriptd.bench.HistoryBenchmark [runs] [requests]
 */
public final class HistoryBenchmark {
  private static final String[] STATUSES = {"completed", "completed", "completed", "failed", "killed", "timed_out"};

  private HistoryBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    Path dir = Files.createTempDirectory("scriptd-history-bench");
    Vertx vertx = Vertx.vertx();
    try {
      int port = freePort();
      JsonObject config = new JsonObject().put("data_dir", dir.toString()).put("port", port)
          .put("http", new JsonObject().put("instances", 2));
      Scriptd.deploy(vertx, config).await(60, TimeUnit.SECONDS).close().await(60, TimeUnit.SECONDS);
      Path db = dir.resolve("scriptd.db");
      long insertStart = System.nanoTime();
      String deepCursor = insert(db, runs);
      System.out.printf("inserted %,d runs in %.1f s; database %,d bytes%n", runs,
          (System.nanoTime() - insertStart) / 1e9, Files.size(db));

      ScriptdHandle handle = Scriptd.deploy(vertx, config).await(60, TimeUnit.SECONDS);
      try {
        String base = "http://127.0.0.1:" + port;
        HttpClient client = HttpClient.newHttpClient();
        measure(client, base + "/health", requests / 5); // warm-up
        measure(client, base + "/api/runs?limit=50", requests / 5);
        report("GET /health (baseline)", measure(client, base + "/health", requests));
        report("GET /api/runs?limit=50 (first page)", measure(client, base + "/api/runs?limit=50", requests));
        report("GET /api/runs?limit=50&cursor=<middle of history>",
            measure(client, base + "/api/runs?limit=50&cursor=" + URLEncoder.encode(deepCursor, StandardCharsets.UTF_8),
                requests));
        report("GET /api/runs?limit=50&script_id=<one of 100>",
            measure(client, base + "/api/runs?limit=50&script_id=script-7", requests));
        report("GET /api/runs?limit=50&status=failed",
            measure(client, base + "/api/runs?limit=50&status=failed", requests));
        report("GET /api/runs/stats?script_id=<one of 100>",
            measure(client, base + "/api/runs/stats?script_id=script-7", Math.max(10, requests / 10)));
      } finally {
        handle.close().await(60, TimeUnit.SECONDS);
      }
      plan(db);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      if (System.getProperty("keep") != null) {
        System.out.println("kept " + dir);
        return;
      }
      try (var files = Files.walk(dir)) {
        files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Inserts the runs, one per second of history, 10,000 per transaction; returns a cursor at the middle. */
  private static String insert(Path db, int runs) throws Exception {
    Random random = new Random(42);
    long start = System.currentTimeMillis() - runs * 1000L;
    String middle = null;
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      try (Statement pragma = conn.createStatement()) {
        pragma.execute("PRAGMA journal_mode = WAL");
        pragma.execute("PRAGMA synchronous = OFF");
      }
      conn.setAutoCommit(false);
      try (PreparedStatement insert = conn.prepareStatement("INSERT INTO runs (id, script_id, kind, command, "
          + "status, exit_code, pid, progress, trigger, created_at, started_at, ended_at, timeout_seconds, "
          + "log_lines, log_bytes, env) VALUES (?, ?, 'shell', ?, ?, ?, ?, 100, 'cron', ?, ?, ?, 3600, ?, ?, '{}')")) {
        for (int i = 0; i < runs; i++) {
          long created = start + i * 1000L;
          String status = STATUSES[random.nextInt(STATUSES.length)];
          String id = UUID.randomUUID().toString();
          insert.setString(1, id);
          insert.setString(2, random.nextInt(10) == 0 ? null : "script-" + random.nextInt(100));
          insert.setString(3, "echo run " + i);
          insert.setString(4, status);
          insert.setInt(5, status.equals("completed") ? 0 : 1);
          insert.setInt(6, 1000 + i % 30000);
          insert.setLong(7, created);
          insert.setLong(8, created + 5);
          insert.setLong(9, created + 5 + random.nextInt(900));
          insert.setLong(10, random.nextInt(200));
          insert.setLong(11, random.nextInt(20000));
          insert.addBatch();
          if (i == runs / 2) {
            middle = created + ":" + id;
          }
          if ((i + 1) % 10_000 == 0) {
            insert.executeBatch();
            conn.commit();
          }
        }
        insert.executeBatch();
        conn.commit();
      }
      conn.setAutoCommit(true);
      try (Statement analyze = conn.createStatement()) {
        analyze.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
    }
    // the server's cursor form (persistence.RunCursor): base64url of "<created_at ms>:<id>"
    return Base64.getUrlEncoder().withoutPadding().encodeToString(middle.getBytes(StandardCharsets.UTF_8));
  }

  private static List<Double> measure(HttpClient client, String url, int count) throws Exception {
    List<Double> millis = new ArrayList<>(count);
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + BenchServer.TOKEN).build();
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      millis.add((System.nanoTime() - start) / 1e6);
      if (response.statusCode() != 200) {
        throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
      }
    }
    return millis;
  }

  private static void report(String what, List<Double> millis) {
    List<Double> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    System.out.printf("%-55s p50 %6.2f ms  p99 %6.2f ms  (%d requests)%n", what,
        sorted.get(sorted.size() / 2), sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)),
        sorted.size());
  }

  private static void plan(Path db) throws Exception {
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement statement = conn.createStatement();
        ResultSet rows = statement.executeQuery("EXPLAIN QUERY PLAN SELECT id FROM runs "
            + "WHERE (created_at, id) < (1, 'x') ORDER BY created_at DESC, id DESC LIMIT 51")) {
      while (rows.next()) {
        System.out.println("plan of a cursor page: " + rows.getString("detail"));
      }
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
