package dev.scriptd.bench;

import dev.scriptd.Scriptd;
import dev.scriptd.ScriptdHandle;
import dev.scriptd.bus.Addresses;
import dev.scriptd.it.PostgresServer;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The cluster's figures (issue 23), each beside a baseline measured in the same run where there is
 * one, on a throwaway PostgreSQL ({@link PostgresServer}: its own initdb, loopback, fsync off):
 * <ul>
 *   <li>{@code ingest}: durable ingest into PostgreSQL (one child writing N lines as fast as it can,
 *   lines/s until every line is committed) against the same child piped to {@code wc -l} in the same
 *   round, as {@link IngestBenchmark} measures SQLite;</li>
 *   <li>{@code read}: {@code GET /api/runs/{id}} ({@code wrk -t1 -c64}) on a single node with
 *   {@code database.url} and on a clustered node (two nodes), against the Vert.x hello world, in
 *   alternating trials, and beside them the floor of a read from the database ({@link PgFloor});</li>
 *   <li>{@code tail}: SSE viewers on node B of a run on node A writing lines at a fixed rate, each
 *   line stamped with its write time: delivery (count and order) and latency, then the same viewers
 *   on node A itself;</li>
 *   <li>{@code startup}: start to {@code /health} 200 and resident memory after the start and after
 *   N runs, of a single node on SQLite, on PostgreSQL, and of clustered nodes.</li>
 * </ul>
 * Every node is {@code dev.scriptd.Main} in its own JVM (the ingest figure deploys scriptd in this
 * JVM, as IngestBenchmark does).
 *
 * <pre>
 * apt-get install -y wrk postgresql
 * mvn -B -q package -DskipTests
 * java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp target/scriptd.jar:target/test-classes \
 *   dev.scriptd.bench.ClusterBenchmark
 * </pre>
 * {@code -Dbench.figures=ingest,read,tail,startup} picks figures (all without it);
 * {@code -Dbench.quick=true} runs every figure small and short, to check the harness (its figures
 * mean nothing). Sizes: {@code -Dbench.lines}, {@code -Dbench.rounds}, {@code -Dbench.seconds},
 * {@code -Dbench.trials}, {@code -Dbench.viewers}, {@code -Dbench.rate}, {@code -Dbench.tailSeconds},
 * {@code -Dbench.runs}.
 */
public final class ClusterBenchmark {
  private static final Set<String> FIGURES = Collections.unmodifiableSet(
      new LinkedHashSet<>(List.of("ingest", "read", "tail", "startup")));
  private static final boolean QUICK = Boolean.getBoolean("bench.quick");
  /** What the fat jar's manifest opens for Hazelcast; a class-path launch must say it itself. */
  private static final List<String> HAZELCAST_OPENS = List.of(
      "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED");
  private static final int START_CLIENTS = 8;

  private ClusterBenchmark() {
  }

  private static int size(String name, int full, int quick) {
    return Integer.getInteger("bench." + name, QUICK ? quick : full);
  }

  public static void main(String[] args) throws Exception {
    Set<String> chosen = chosenFigures();
    System.out.printf("ClusterBenchmark %s%s, %d CPUs, load average %.2f at the start%n", String.join(",", chosen),
        QUICK ? " (QUICK: small sizes, a check of the harness, not figures)" : "",
        Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    PostgresServer postgres = PostgresServer.shared();
    List<String> report = new ArrayList<>();
    if (chosen.contains("ingest")) {
      report.add(ingest(postgres, size("lines", 2_000_000, 100_000), size("rounds", 3, 1)));
    }
    if (chosen.contains("read")) {
      report.add(reads(postgres, size("seconds", 4, 1), size("trials", 3, 1)));
    }
    if (chosen.contains("tail")) {
      report.add(tails(postgres, size("viewers", 100, 10), size("rate", 5_000, 1_000), size("tailSeconds", 20, 3)));
    }
    if (chosen.contains("startup")) {
      report.add(startup(postgres, size("runs", 1_000, 50), size("trials", 3, 1)));
    }
    System.out.println();
    report.forEach(System.out::println);
  }

  /** {@code -Dbench.figures=ingest,tail}; every figure when absent or empty. */
  static Set<String> chosenFigures() {
    String names = System.getProperty("bench.figures", "").trim();
    if (names.isEmpty()) {
      return FIGURES;
    }
    Set<String> chosen = new LinkedHashSet<>();
    for (String name : names.split(",")) {
      if (!FIGURES.contains(name.trim())) {
        throw new IllegalArgumentException("bench.figures: unknown figure '" + name.trim() + "'; known: "
            + String.join(",", FIGURES));
      }
      chosen.add(name.trim());
    }
    return chosen;
  }

  // ---- 1. durable ingest into PostgreSQL

  private static String ingest(PostgresServer postgres, int lines, int rounds) throws Exception {
    String child = IngestBenchmark.child(lines);
    Vertx vertx = Vertx.vertx();
    try {
      // unreported rounds of the measured size first: a server runs warm
      for (int warmUp = 0; warmUp < Integer.getInteger("bench.warmUpRounds", QUICK ? 1 : 2); warmUp++) {
        ingestRate(vertx, postgres, child, lines);
      }
      List<Double> pipe = new ArrayList<>();
      List<Double> ingest = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        double piped = IngestBenchmark.pipeRate(child, lines);
        double stored = ingestRate(vertx, postgres, child, lines);
        pipe.add(piped);
        ingest.add(stored);
        ratios.add(stored / piped);
        System.out.printf("ingest round %d: pipe to wc -l %,.0f lines/s, into PostgreSQL %,.0f lines/s, ratio %.2f%n",
            round, piped, stored, stored / piped);
      }
      double ratio = ControlPlaneBenchmark.median(ingest) / ControlPlaneBenchmark.median(pipe);
      return String.format("| durable ingest into PostgreSQL, %,d lines, %d rounds | %,.0f lines/s | pipe to wc -l: %,.0f"
              + " lines/s | %.2f (per round %.2f-%.2f) | >= 0.8 | %s | 0 lines lost |", lines, rounds,
          ControlPlaneBenchmark.median(ingest), ControlPlaneBenchmark.median(pipe), ratio, Collections.min(ratios),
          Collections.max(ratios), ratio >= 0.8 ? "yes" : "no");
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** One run of {@code child} on a fresh scriptd on a fresh database: lines/s until the run's end is published. */
  private static double ingestRate(Vertx vertx, PostgresServer postgres, String child, long lines) throws Exception {
    Path dir = Files.createTempDirectory("scriptd-cbench");
    String database = postgres.newDatabase();
    JsonObject config = new JsonObject().put("data_dir", dir.toString())
        .put("http", new JsonObject().put("enabled", false))
        .put("database", new JsonObject().put("url", "postgresql://postgres@127.0.0.1:" + postgres.port() + "/" + database));
    ScriptdHandle handle = Scriptd.deploy(vertx, config).await(60, TimeUnit.SECONDS);
    try {
      Promise<JsonObject> ended = Promise.promise();
      MessageConsumer<JsonObject> statuses = vertx.eventBus().<JsonObject>consumer(Addresses.RUNS_STATUS, message -> {
        String status = message.body().getString("status");
        if (!status.equals("pending") && !status.equals("running")) {
          ended.tryComplete(message.body());
        }
      });
      statuses.completion().await(10, TimeUnit.SECONDS);
      long start = System.nanoTime();
      JsonObject run = vertx.eventBus().<JsonObject>request(Addresses.RUNS_START, new JsonObject().put("command", child))
          .await(30, TimeUnit.SECONDS).body();
      // the final status is published only after every line of the run is committed
      JsonObject last = ended.future().await(10, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - start) / 1e9;
      statuses.unregister();
      // counted by another connection (psql): what is committed
      String[] counted = postgres.psql(database, "-A", "-t", "-c",
          "SELECT COALESCE(SUM(last_seq - first_seq + 1), 0) || ' ' || COALESCE(MAX(last_seq), 0) FROM log_chunks"
              + " WHERE run_id = '" + run.getString("id") + "'").trim().split(" ");
      long stored = Long.parseLong(counted[0]);
      if (stored != lines || Long.parseLong(counted[1]) != lines || last.getLong("log_lines") != lines) {
        throw new IllegalStateException("stored " + stored + " lines (max seq " + counted[1] + ") of " + lines + ": "
            + last.encode());
      }
      System.out.printf("  %,d lines: process ran %d ms, committed after %.0f ms%n", lines, last.getLong("duration_ms"),
          seconds * 1000);
      return lines / seconds;
    } finally {
      handle.close().await(60, TimeUnit.SECONDS);
    }
  }

  // ---- 2. reads

  private static String reads(PostgresServer postgres, int seconds, int trials) throws Exception {
    Path work = Files.createTempDirectory("scriptd-cbench-read");
    int helloPort = freePort();
    Process hello = ControlPlaneBenchmark.startHelloWorld(helloPort, work);
    List<BenchServer> servers = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      BenchServer single = BenchServer.start(HAZELCAST_OPENS, "--database-url=" + postgres.newDatabaseUrl());
      servers.add(single);
      String clusterDatabase = postgres.newDatabase();
      List<BenchServer> nodes = startCluster("postgresql://postgres@127.0.0.1:" + postgres.port() + "/" + clusterDatabase,
          2, HAZELCAST_OPENS);
      servers.addAll(nodes);
      BenchServer clustered = nodes.get(1);
      String helloUrl = "http://127.0.0.1:" + helloPort + "/";
      String singleUrl = runUrl(single, finishedRun(single, null));
      // the run is on node A (the oldest), read on node B: B has only the database to answer from
      String clusteredRun = finishedRun(nodes.get(0), nodeId(nodes.get(0)));
      String clusteredUrl = runUrl(clustered, clusteredRun);
      PgFloor floor = new PgFloor(vertx, postgres.port(), clusterDatabase, clusteredRun);
      int warm = Math.max(1, seconds / 2);
      ControlPlaneBenchmark.wrk(64, warm, null, singleUrl);
      ControlPlaneBenchmark.wrk(64, warm, null, clusteredUrl);
      ControlPlaneBenchmark.wrk(64, warm, null, helloUrl);
      floor.rate(warm);
      List<Double> ours = new ArrayList<>();
      List<Double> cluster = new ArrayList<>();
      List<Double> theirs = new ArrayList<>();
      List<Double> database = new ArrayList<>();
      for (int trial = 1; trial <= trials; trial++) {
        ours.add(ControlPlaneBenchmark.wrk(64, seconds, null, singleUrl).okPerSecond());
        cluster.add(ControlPlaneBenchmark.wrk(64, seconds, null, clusteredUrl).okPerSecond());
        theirs.add(ControlPlaneBenchmark.wrk(64, seconds, null, helloUrl).okPerSecond());
        database.add(floor.rate(seconds));
        System.out.printf("read trial %d: single node on PostgreSQL %,.0f req/s, clustered node %,.0f req/s,"
                + " hello world %,.0f req/s, the run's row from PostgreSQL alone %,.0f/s%n", trial, ours.get(trial - 1),
            cluster.get(trial - 1), theirs.get(trial - 1), database.get(trial - 1));
      }
      double baseline = ControlPlaneBenchmark.median(theirs);
      double single1 = ControlPlaneBenchmark.median(ours) / baseline;
      double clustered1 = ControlPlaneBenchmark.median(cluster) / baseline;
      return String.format("| GET /api/runs/{id}, wrk -t1 -c64, %d trials of %d s, single node, database.url | %,.0f req/s"
              + " | hello world: %,.0f req/s | %.2f | >= 0.5 | %s |%n"
              + "| GET /api/runs/{id}, the same, on node B of two, a run of node A | %,.0f req/s | (same) | %.2f | report | |%n"
              + "| the floor: the run's row by id from PostgreSQL alone, a pool of %d, %d in flight, in this JVM | %,.0f/s"
              + " | | clustered read / floor: %.2f | | |",
          trials, seconds, ControlPlaneBenchmark.median(ours), baseline, single1, single1 >= 0.5 ? "yes" : "no",
          ControlPlaneBenchmark.median(cluster), clustered1, PgFloor.POOL, PgFloor.IN_FLIGHT,
          ControlPlaneBenchmark.median(database), ControlPlaneBenchmark.median(cluster) / ControlPlaneBenchmark.median(database));
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      closeAll(servers);
      hello.destroy();
      hello.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * What PostgreSQL itself answers: the run's row by id ({@code SELECT *}, a prepared statement)
   * through a Vert.x pool of scriptd's default {@code database.pool_size}, with as many queries in
   * flight as wrk has connections, in this JVM: the most a read from the database could reach here.
   */
  static final class PgFloor {
    static final int POOL = 8;
    static final int IN_FLIGHT = 64;
    private final Pool pool;
    private final String runId;

    PgFloor(Vertx vertx, int port, String database, String runId) {
      this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(POOL))
          .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(port).setDatabase(database)
              .setUser("postgres").setCachePreparedStatements(true))
          .using(vertx).build();
      this.runId = runId;
    }

    /** Rows read per second, over {@code seconds}. */
    double rate(int seconds) throws Exception {
      AtomicLong rows = new AtomicLong();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      CountDownLatch finished = new CountDownLatch(IN_FLIGHT);
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      for (int i = 0; i < IN_FLIGHT; i++) {
        next(end, rows, failures, finished);
      }
      if (!finished.await(seconds + 30L, TimeUnit.SECONDS) || !failures.isEmpty()) {
        throw new IllegalStateException("the PostgreSQL floor did not finish: " + failures);
      }
      return rows.get() / ((System.nanoTime() - start) / 1e9);
    }

    private void next(long end, AtomicLong rows, List<Throwable> failures, CountDownLatch finished) {
      pool.preparedQuery("SELECT * FROM runs WHERE id = $1").execute(Tuple.of(runId)).onComplete(result -> {
        if (result.failed() || result.result().size() != 1) {
          failures.add(result.failed() ? result.cause() : new IllegalStateException("no row for " + runId));
          finished.countDown();
        } else if (System.nanoTime() < end) {
          rows.incrementAndGet();
          next(end, rows, failures, finished);
        } else {
          rows.incrementAndGet();
          finished.countDown();
        }
      });
    }
  }

  private static String runUrl(BenchServer server, String runId) {
    return "http://127.0.0.1:" + server.port + "/api/runs/" + runId;
  }

  /** Starts {@code true} on {@code server} (on {@code node} when not null) and returns its id once it is completed. */
  private static String finishedRun(BenchServer server, String node) throws Exception {
    JsonObject run = startRun(server, "true", node);
    String id = run.getString("id");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!"completed".equals(new JsonObject(server.get("/api/runs/" + id).body()).getString("status"))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("run " + id + " not completed after a minute");
      }
      LockSupport.parkNanos(20_000_000L);
    }
    return id;
  }

  // ---- 3. tails across nodes

  private static String tails(PostgresServer postgres, int viewers, int rate, int seconds) throws Exception {
    if (!ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+AlwaysPreTouch")) {
      System.out.println("note: this JVM (the viewers) grows its heap as it goes; run it with "
          + String.join(" ", TailBenchmark.LATENCY_HEAP) + " or the latencies include its page faults");
    }
    List<String> jvm = new ArrayList<>(TailBenchmark.LATENCY_HEAP);
    jvm.addAll(HAZELCAST_OPENS);
    Vertx vertx = Vertx.vertx();
    List<Context> loops = new CopyOnWriteArrayList<>();
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        loops.add(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(4)).await(30, TimeUnit.SECONDS);
    NetClient net = vertx.createNetClient();
    List<BenchServer> nodes = startCluster(postgres.newDatabaseUrl(), 2, jvm);
    try {
      BenchServer a = nodes.get(0);
      BenchServer b = nodes.get(1);
      String nodeA = nodeId(a);
      int warmUp = Integer.getInteger("bench.warmUpSeconds", QUICK ? 1 : 5);
      fanOut(a, nodeA, b, net, loops, viewers, rate, warmUp);
      TailBenchmark.Result crossed = fanOut(a, nodeA, b, net, loops, viewers, rate, seconds);
      System.out.printf("tail: %d SSE viewers on node B of a run on node A, %,d lines/s for %d s: %s%n", viewers, rate,
          seconds, crossed);
      TailBenchmark.Result local = fanOut(a, nodeA, a, net, loops, viewers, rate, seconds);
      System.out.printf("tail: the same viewers on node A itself: %s%n", local);
      boolean met = crossed.received.get() == crossed.expected && crossed.outOfOrder.get() == 0
          && crossed.percentile(99) < 150;
      return String.format("| %d SSE viewers on node B, a run on node A, %,d lines/s, %d s | delivered %.3f%% (%,d out of"
              + " order), p50 %d ms, p99 %d ms, max %d ms | viewers on node A: delivered %.3f%%, p50 %d ms, p99 %d ms |"
              + " 100 %%, p99 < 150 ms | %s |", viewers, rate, seconds, crossed.deliveredPercent(),
          crossed.outOfOrder.get(), crossed.percentile(50), crossed.percentile(99), crossed.max(),
          local.deliveredPercent(), local.percentile(50), local.percentile(99), met ? "yes" : "no");
    } finally {
      closeAll(nodes);
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /**
   * A run on node A ({@code owner}, named {@code ownerId}) that waits until every viewer is attached,
   * then writes {@code "<seq> <micros>"} lines at {@code rate} lines/s for {@code seconds};
   * {@code viewers} SSE streams of it from {@code on}, each checking every seq in order.
   */
  private static TailBenchmark.Result fanOut(BenchServer owner, String ownerId, BenchServer on, NetClient net,
      List<Context> loops, int viewers, int rate, int seconds) throws Exception {
    long lines = (long) rate * seconds;
    TailBenchmark.Result result = new TailBenchmark.Result();
    result.expected = lines * viewers;
    Path go = Files.createTempDirectory("scriptd-cbench-go").resolve("go");
    JsonObject run = startRun(owner, pacedChild(lines, rate, go), ownerId);
    if (run.getString("node") != null && !run.getString("node").equals(ownerId)) {
      throw new IllegalStateException("the run was placed on " + run.getString("node") + ", not on node A " + ownerId);
    }
    String uri = "/api/runs/" + run.getString("id") + "/logs";
    CountDownLatch done = new CountDownLatch(viewers);
    List<Future<?>> connected = new ArrayList<>();
    for (int i = 0; i < viewers; i++) {
      Promise<Object> opened = Promise.promise();
      Supplier<Future<?>> open = () -> TailBenchmark.rawSse(net, on.port, uri, result, done);
      // a connection stays on the loop that opened it: spread them over the client loops
      loops.get(i % loops.size()).runOnContext(v -> open.get().onComplete(opened));
      connected.add(opened.future());
    }
    Future.all(connected).await(60, TimeUnit.SECONDS);
    try {
      on.awaitTailSubscribers(viewers);
    } catch (IllegalStateException e) {
      System.out.println("  ! the viewers' node does not count " + viewers + " tail subscribers after a minute;"
          + " the lines start anyway");
    }
    Files.createFile(go);
    long grace = QUICK ? 15 : 60;
    if (!done.await(seconds + grace, TimeUnit.SECONDS)) {
      System.out.printf("  ! %d of %d streams still open %d s after the last line; closed%n", done.getCount(), viewers,
          grace);
      owner.kill(run.getString("id"));
      for (Future<?> stream : connected) {
        ((NetSocket) stream.result()).close();
      }
    }
    return result;
  }

  /** Waits for {@code go}, then writes "seq micros" lines at {@code rate} lines/s, on a deadline so the rate holds. */
  private static String pacedChild(long lines, int rate, Path go) {
    return "while [ ! -e " + go + " ]; do sleep 0.01; done; perl -MTime::HiRes=time,sleep -e '$|=1; my $t0 = time();"
        + " for my $i (1.." + lines + ") { my $due = $t0 + $i / " + rate + "; my $now = time();"
        + " sleep($due - $now) if $due > $now; printf(\"%d %.0f\\n\", $i, time() * 1e6); }'";
  }

  // ---- 4. start-up time and memory

  private static String startup(PostgresServer postgres, int runs, int trials) throws Exception {
    StringBuilder table = new StringBuilder(String.format("| node | start to /health 200 (median of %d) | RSS after"
        + " start | RSS after %,d runs | heap after GC, after the runs |%n|---|---|---|---|---|%n", trials, runs));
    table.append(startupRow("single node, SQLite", trials, runs, () -> List.of(BenchServer.start(HAZELCAST_OPENS))));
    table.append(startupRow("single node, PostgreSQL", trials, runs,
        () -> List.of(BenchServer.start(HAZELCAST_OPENS, "--database-url=" + postgres.newDatabaseUrl()))));
    table.append(startupRow("clustered, joining a live node (PostgreSQL)", trials, runs,
        () -> startCluster(postgres.newDatabaseUrl(), 2, HAZELCAST_OPENS)));
    return table.toString().trim();
  }

  interface Nodes {
    List<BenchServer> start() throws Exception;
  }

  /**
   * {@code trials} fresh starts; the figures are of the last node started (the joining node of a
   * cluster); the runs go to it on the last start only.
   */
  private static String startupRow(String name, int trials, int runs, Nodes nodes) throws Exception {
    List<Double> startMillis = new ArrayList<>();
    List<Double> rss = new ArrayList<>();
    List<Double> firstNodeMillis = new ArrayList<>();
    String after = "";
    for (int trial = 1; trial <= trials; trial++) {
      List<BenchServer> started = nodes.start();
      try {
        BenchServer node = started.get(started.size() - 1);
        startMillis.add((double) node.startupMillis);
        if (started.size() > 1) {
          firstNodeMillis.add((double) started.get(0).startupMillis);
        }
        rss.add((double) node.rssBytes());
        if (trial == trials) {
          String nodeId = started.size() > 1 ? nodeId(node) : null;
          startRuns(node, nodeId, runs);
          after = String.format("%.0f MB | %.0f MB", node.rssBytes() / 1e6, node.heapUsedAfterGc() / 1e6);
        }
      } finally {
        closeAll(started);
      }
    }
    System.out.printf("startup %s: %s ms%s%n", name, startMillis,
        firstNodeMillis.isEmpty() ? "" : " (the first node: " + firstNodeMillis + " ms)");
    return String.format("| %s | %.0f ms%s | %.0f MB | %s |%n", name, ControlPlaneBenchmark.median(startMillis),
        firstNodeMillis.isEmpty() ? "" : String.format(" (first node %.0f ms)", ControlPlaneBenchmark.median(firstNodeMillis)),
        ControlPlaneBenchmark.median(rss) / 1e6, after);
  }

  /** {@code count} runs of {@code true} from {@value #START_CLIENTS} clients; returns once every one is completed. */
  private static void startRuns(BenchServer server, String node, int count) throws Exception {
    Instant from = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    AtomicLong left = new AtomicLong(count);
    List<Thread> clients = new ArrayList<>();
    List<Exception> failures = new CopyOnWriteArrayList<>();
    for (int i = 0; i < START_CLIENTS; i++) {
      Thread client = new Thread(() -> {
        try {
          while (left.getAndDecrement() > 0) {
            startRun(server, "true", node);
          }
        } catch (Exception e) {
          failures.add(e);
        }
      }, "cbench-client-" + i);
      client.start();
      clients.add(client);
    }
    for (Thread client : clients) {
      client.join();
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (true) {
      JsonObject stats = new JsonObject(server.get("/api/runs/stats?from=" + from).body());
      long ended = stats.getLong("completed") + stats.getLong("failed") + stats.getLong("killed")
          + stats.getLong("timed_out");
      if (ended >= count) {
        if (stats.getLong("completed") != count) {
          throw new IllegalStateException(count + " runs started, stats: " + stats.encode());
        }
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("runs not ended five minutes after their start: " + stats.encode());
      }
      LockSupport.parkNanos(50_000_000L);
    }
  }

  // ---- nodes

  /**
   * {@code count} clustered nodes on one database, each {@code Main} in its own JVM, started one
   * after the other (each lists all); returns once every node lists all of them.
   */
  private static List<BenchServer> startCluster(String databaseUrl, int count, List<String> jvm) throws Exception {
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      clusterPorts.add(freePort());
    }
    String members = String.join(",", clusterPorts.stream().map(port -> "127.0.0.1:" + port).toList());
    List<BenchServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        // the viewers share the admin token: lift its stream limit (64 by default) above their number
        nodes.add(BenchServer.start(jvm, "--database-url=" + databaseUrl, "--cluster.enabled=true",
            "--cluster.members=" + members, "--cluster.port=" + clusterPorts.get(i),
            "--http.max_streams_per_token=100000"));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (BenchServer node : nodes) {
        while (new JsonObject(node.get("/api/cluster").body()).getJsonArray("nodes").size() < count) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the nodes did not see each other within a minute");
          }
          LockSupport.parkNanos(50_000_000L);
        }
      }
      return nodes;
    } catch (Exception e) {
      closeAll(nodes);
      throw e;
    }
  }

  private static String nodeId(BenchServer server) throws Exception {
    return new JsonObject(server.get("/health").body()).getJsonObject("checks").getJsonObject("cluster")
        .getString("node_id");
  }

  private static JsonObject startRun(BenchServer server, String command, String node) throws Exception {
    JsonObject body = new JsonObject().put("command", command);
    if (node != null) {
      body.put("node", node);
    }
    HttpResponse<String> response = server.http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port + "/api/runs"))
        .header("Authorization", "Bearer " + BenchServer.TOKEN).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new IllegalStateException("start failed: " + response.statusCode() + " " + response.body());
    }
    return new JsonObject(response.body());
  }

  private static void closeAll(List<BenchServer> servers) {
    // the newest first: a cluster's oldest member stays until the others have left
    for (int i = servers.size() - 1; i >= 0; i--) {
      try {
        servers.get(i).close();
      } catch (Exception e) {
        System.out.println("  ! a node did not stop: " + e);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
