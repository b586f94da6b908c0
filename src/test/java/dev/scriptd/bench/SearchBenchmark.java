package dev.scriptd.bench;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.LogPage;
import dev.scriptd.bus.LogQuery;
import dev.scriptd.bus.RunQuery;
import dev.scriptd.bus.SearchPage;
import dev.scriptd.bus.SearchQuery;
import dev.scriptd.domain.Ansi;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.persistence.PersistenceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Search at scale (issue 20): stores {@code lines} log lines over {@code runs} runs through the
 * persistence verticle (the real log writer: chunks and codec; the search indexer trailing it), waits
 * for the indexer, then times the first page (50 lines) of searches for rare terms (each in one line)
 * and for common terms (in most lines), and reports the search index's size on disk beside the
 * stored logs'. With {@code per-line}, it also builds one index row per line of the same lines in a
 * second table, to compare its build time and size with one document per chunk.
 * Usage: java -cp target/scriptd.jar:target/test-classes dev.scriptd.bench.SearchBenchmark [lines] [runs] [per-line]
 */
public final class SearchBenchmark {
  private static final int CHUNK_LINES = 250;
  private static final int CONCURRENT_RUNS = 16;
  private static final int RARE_TERMS = 100;
  private static final String[] COMMON = {"status=200", "GET /api/items", "worker-3", "took 1"};
  private static final String[] LEVELS = {"INFO ", "INFO ", "INFO ", "DEBUG", "WARN ", "ERROR"};
  private static final String[] WORDS = {"request", "handled", "cache", "miss", "retrying", "upstream",
      "connection", "pool", "queue", "flushed", "checkpoint", "rows", "tenant", "session", "token=***"};

  private SearchBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    long lines = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    boolean perLine = args.length > 2 && args[2].equals("per-line");
    Path dir = Files.createTempDirectory("scriptd-search-bench");
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = new JsonObject().put("data_dir", dir.toString());
      String deployment = vertx.deployVerticle(new PersistenceVerticle(), new DeploymentOptions().setConfig(config))
          .await(60, TimeUnit.SECONDS);
      List<String> rare = new ArrayList<>();
      List<String> runIds = generate(vertx, lines, runs, rare);
      awaitIndexed(dir.resolve("scriptd.db"));
      for (int i = 0; i < 3; i++) { // warm-up: JIT and page cache
        time(vertx, rare.get(i));
        time(vertx, COMMON[i % COMMON.length]);
      }
      List<Double> rareMs = new ArrayList<>();
      for (String term : rare) {
        rareMs.add(time(vertx, term));
      }
      List<Double> commonMs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        commonMs.add(time(vertx, COMMON[i % COMMON.length]));
      }
      System.out.printf("rare term (%d queries, 1 line each): p50 %.1f ms, p99 %.1f ms, max %.1f ms (target p50 < 250, p99 < 1000)%n",
          rareMs.size(), pct(rareMs, 50), pct(rareMs, 99), Collections.max(rareMs));
      System.out.printf("common term (%d queries, first page of 50): p50 %.1f ms, p99 %.1f ms (target p50 < 100)%n",
          commonMs.size(), pct(commonMs, 50), pct(commonMs, 99));
      vertx.undeploy(deployment).await(120, TimeUnit.SECONDS);
      Path db = dir.resolve("scriptd.db");
      sizes(db);
      if (perLine) {
        perLineComparison(vertx, config, db, runIds);
      }
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
      System.out.println("database left in " + dir + " (delete it when done)");
    }
  }

  /** Stores the lines, CONCURRENT_RUNS runs at a time, their chunks interleaved as live runs' are. */
  private static List<String> generate(Vertx vertx, long lines, int runs, List<String> rare) throws Exception {
    Random random = new Random(20);
    long perRun = lines / runs;
    long t0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    Map<Long, String> rareAt = new TreeMap<>();
    while (rareAt.size() < RARE_TERMS) {
      String term = "rare" + Long.toString(Math.abs(random.nextLong()), 36).substring(0, 8);
      rareAt.put((long) (random.nextDouble() * perRun * runs), term);
    }
    rare.addAll(rareAt.values());
    List<String> ids = new ArrayList<>();
    long started = System.nanoTime();
    long stored = 0;
    for (int group = 0; group < runs; group += CONCURRENT_RUNS) {
      List<Run> open = new ArrayList<>();
      for (int r = group; r < Math.min(runs, group + CONCURRENT_RUNS); r++) {
        Instant created = Instant.ofEpochMilli(t0 + r * 60_000L);
        Run run = Run.pending(UUID.randomUUID().toString(), null, Run.KIND_SHELL, "bench", "api", 3600,
            Map.of(), "/tmp", null, created).started(1000 + r, 1L, created.plusMillis(5));
        save(vertx, run);
        open.add(run);
        ids.add(run.id());
      }
      for (long from = 1; from <= perRun; from += CHUNK_LINES) {
        for (int i = 0; i < open.size(); i++) {
          Run run = open.get(i);
          long runIndex = group + i;
          List<LogLine> chunk = new ArrayList<>(CHUNK_LINES);
          long bytes = 0;
          for (long seq = from; seq < Math.min(perRun + 1, from + CHUNK_LINES); seq++) {
            String text = line(random, seq, rareAt.get(runIndex * perRun + seq - 1));
            chunk.add(new LogLine(seq, run.createdAt().toEpochMilli() + seq, seq % 10 == 0 ? LogStream.STDERR
                : LogStream.STDOUT, text));
            bytes += text.length() + 1;
          }
          vertx.eventBus().send(Addresses.DB_APPEND_LOGS, new LogChunk(run.id(), chunk, bytes));
          stored += chunk.size();
        }
      }
      for (Run run : open) {
        save(vertx, run.ended(RunStatus.COMPLETED, 0, null, null, run.createdAt().plusSeconds(30)));
      }
      // waits for the write of everything sent so far: bounded memory, and the rate is the writer's
      vertx.eventBus().<LogPage>request(Addresses.DB_READ_LOGS, new LogQuery(open.get(open.size() - 1).id(), 0, 1))
          .await(120, TimeUnit.SECONDS);
      if ((group / CONCURRENT_RUNS) % 64 == 0) {
        System.out.printf("  stored %,d lines (%,.0f lines/s)%n", stored, stored / ((System.nanoTime() - started) / 1e9));
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("stored %,d lines over %,d runs in %.1f s (%,.0f lines/s)%n",
        stored, runs, seconds, stored / seconds);
    return ids;
  }

  /** The indexer trails the log writer: waits for it, and reports how long it took after the last write. */
  private static void awaitIndexed(Path db) throws Exception {
    long start = System.nanoTime();
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db);
         Statement statement = conn.createStatement()) {
      while (scalar(statement, "SELECT count(*) FROM log_search_docs WHERE indexed = 0") > 0) {
        Thread.sleep(200);
      }
      System.out.printf("search indexer caught up %.1f s after the last write (%,d chunks)%n",
          (System.nanoTime() - start) / 1e9, scalar(statement, "SELECT count(*) FROM log_search_docs"));
    }
  }

  /** About 100 bytes; one in 20 lines coloured. */
  private static String line(Random random, long seq, String rare) {
    StringBuilder text = new StringBuilder(128);
    text.append("2026-01-01T00:").append(seq % 60).append(':').append(seq % 1000).append(' ');
    String level = LEVELS[random.nextInt(LEVELS.length)];
    text.append(random.nextInt(20) == 0 ? "\u001b[33m" + level + "\u001b[0m" : level);
    text.append(" worker-").append(random.nextInt(8)).append(' ');
    text.append(random.nextInt(4) == 0 ? "POST" : "GET").append(" /api/items/").append(random.nextInt(100_000));
    text.append(" status=").append(random.nextInt(10) == 0 ? 500 : 200).append(" took ").append(random.nextInt(2000))
        .append("ms");
    for (int w = 0; w < 3; w++) {
      text.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
    }
    if (rare != null) {
      text.append(" id=").append(rare);
    }
    return text.toString();
  }

  private static void save(Vertx vertx, Run run) throws Exception {
    vertx.eventBus().request(Addresses.DB_SAVE_RUN, run).await(60, TimeUnit.SECONDS);
  }

  /** The first page (50 lines) of a search, in ms. */
  private static double time(Vertx vertx, String term) throws Exception {
    long start = System.nanoTime();
    SearchPage page = vertx.eventBus().<SearchPage>request(Addresses.DB_SEARCH_LOGS,
        new SearchQuery(term, new RunQuery(null, null, null, null, 50, null))).await(60, TimeUnit.SECONDS).body();
    double ms = (System.nanoTime() - start) / 1e6;
    if (page.items().isEmpty()) {
      throw new IllegalStateException("no line found for " + term);
    }
    return ms;
  }

  private static double pct(List<Double> values, int percentile) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
  }

  /** Bytes on disk of the stored logs and of the search index, from SQLite's dbstat. */
  private static void sizes(Path db) throws Exception {
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db);
         Statement statement = conn.createStatement()) {
      long text = scalar(statement, "SELECT sum(byte_count) FROM log_chunks");
      long chunks = scalar(statement, "SELECT sum(pgsize) FROM dbstat WHERE name IN ('log_chunks', 'sqlite_autoindex_log_chunks_1')");
      long fts = scalar(statement, "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'log_search_%' AND name NOT LIKE 'log_search_docs%' "
          + "AND name NOT LIKE 'sqlite_autoindex_log_search_docs%'");
      long docs = scalar(statement, "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'log_search_docs%' "
          + "OR name LIKE 'sqlite_autoindex_log_search_docs%'");
      long rows = scalar(statement, "SELECT count(*) FROM log_search_docs");
      System.out.printf("stored logs: %,d bytes of text in %,d chunk rows taking %,d bytes on disk; search index %,d bytes "
          + "(FTS %,d + chunk map %,d) = %.0f%% of the stored logs on disk, %.0f%% of the text%n",
          text, rows, chunks, fts + docs, fts, docs, 100.0 * (fts + docs) / chunks, 100.0 * (fts + docs) / text);
    }
  }

  private static long scalar(Statement statement, String sql) throws Exception {
    try (ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * One index row per line, beside one document per chunk, built from the same stored lines on the
   * same file: build time (indexing alone, the text already decoded) and size.
   */
  private static void perLineComparison(Vertx vertx, JsonObject config, Path db, List<String> runIds) throws Exception {
    String deployment = vertx.deployVerticle(new PersistenceVerticle(), new DeploymentOptions().setConfig(config))
        .await(60, TimeUnit.SECONDS);
    List<List<LogLine>> all = new ArrayList<>();
    for (String id : runIds) {
      List<LogLine> lines = new ArrayList<>();
      long since = 0;
      while (true) {
        LogPage page = vertx.eventBus().<LogPage>request(Addresses.DB_READ_LOGS, new LogQuery(id, since, 10_000))
            .await(60, TimeUnit.SECONDS).body();
        if (page.lines().isEmpty()) {
          break;
        }
        lines.addAll(page.lines());
        since = page.nextSince();
      }
      all.add(lines);
    }
    vertx.undeploy(deployment).await(60, TimeUnit.SECONDS);
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db);
         Statement statement = conn.createStatement()) {
      statement.execute("CREATE VIRTUAL TABLE per_line USING fts5(text, tokenize = 'trigram', detail = none, content = '', contentless_delete = 1)");
      statement.execute("CREATE VIRTUAL TABLE per_chunk USING fts5(text, tokenize = 'trigram', detail = none, content = '', contentless_delete = 1)");
      conn.setAutoCommit(false);
      long lineCount = 0;
      long start = System.nanoTime();
      try (PreparedStatement insert = conn.prepareStatement("INSERT INTO per_line (rowid, text) VALUES (?, ?)")) {
        for (List<LogLine> lines : all) {
          for (LogLine line : lines) {
            insert.setLong(1, ++lineCount);
            insert.setString(2, Ansi.strip(line.text()));
            insert.addBatch();
          }
          insert.executeBatch();
        }
      }
      conn.commit();
      double perLineSeconds = (System.nanoTime() - start) / 1e9;
      start = System.nanoTime();
      long docs = 0;
      try (PreparedStatement insert = conn.prepareStatement("INSERT INTO per_chunk (rowid, text) VALUES (?, ?)")) {
        for (List<LogLine> lines : all) {
          for (int from = 0; from < lines.size(); from += 2000) {
            List<LogLine> part = lines.subList(from, Math.min(lines.size(), from + 2000));
            StringBuilder text = new StringBuilder();
            for (LogLine line : part) {
              text.append(Ansi.strip(line.text())).append('\n');
            }
            insert.setLong(1, ++docs);
            insert.setString(2, text.toString());
            insert.addBatch();
          }
          insert.executeBatch();
        }
      }
      conn.commit();
      double perChunkSeconds = (System.nanoTime() - start) / 1e9;
      conn.setAutoCommit(true);
      long lineBytes = scalar(statement, "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'per_line_%'");
      long chunkBytes = scalar(statement, "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'per_chunk_%'");
      System.out.printf("one row per line: %,d rows indexed in %.1f s (%,.0f lines/s), %,d bytes; "
          + "one document per chunk of up to 2000 lines: %,d documents in %.1f s (%,.0f lines/s), %,d bytes%n",
          lineCount, perLineSeconds, lineCount / perLineSeconds, lineBytes, docs, perChunkSeconds,
          lineCount / perChunkSeconds, chunkBytes);
      statement.execute("DROP TABLE per_line");
      statement.execute("DROP TABLE per_chunk");
    }
  }
}
