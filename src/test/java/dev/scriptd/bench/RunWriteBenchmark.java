package dev.scriptd.bench;

import dev.scriptd.bus.Addresses;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.persistence.PersistenceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Run rows through storage alone: {@code clients} callers each save pending, running and completed
 * for one run after another through {@code scriptd.db.cmd.save-run} (each save waits for its answer,
 * as the run owner does), with only the persistence verticle deployed on a fresh file. Prints
 * runs/s per round and the median, and checks every run is stored {@code completed}.
 * Usage: java -cp target/scriptd.jar:target/test-classes dev.scriptd.bench.RunWriteBenchmark
 * [runs=3000] [rounds=3] [clients=8] [persistence settings as JSON, e.g. {"run_flush_interval_ms":2}]
 */
public final class RunWriteBenchmark {
  private RunWriteBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    JsonObject persistence = args.length > 3 ? new JsonObject(args[3]) : new JsonObject();
    List<Double> rates = new ArrayList<>();
    for (int round = -1; round < rounds; round++) {
      double rate = round(runs, clients, persistence);
      if (round < 0) {
        System.out.printf("warm-up: %,.0f runs/s%n", rate);
      } else {
        rates.add(rate);
        System.out.printf("round %d: %,.0f runs/s (%,d runs, 3 saves each, %d clients)%n", round + 1, rate, runs,
            clients);
      }
    }
    Collections.sort(rates);
    System.out.printf("median: %,.0f runs/s, %,.0f saves/s; settings %s%n", rates.get(rates.size() / 2),
        3 * rates.get(rates.size() / 2), persistence.encode());
  }

  private static double round(int runs, int clients, JsonObject persistence) throws Exception {
    Path dir = Files.createTempDirectory("scriptd-run-write-bench");
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = new JsonObject().put("data_dir", dir.toString()).put("persistence", persistence);
      vertx.deployVerticle(new PersistenceVerticle(), new DeploymentOptions().setConfig(config))
          .await(60, TimeUnit.SECONDS);
      AtomicInteger next = new AtomicInteger();
      Promise<Void> all = Promise.promise();
      long started = System.nanoTime();
      vertx.runOnContext(v -> {
        List<Future<Void>> loops = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
          loops.add(client(vertx, next, runs));
        }
        Future.all(loops).<Void>mapEmpty().onComplete(all);
      });
      all.future().await(600, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - started) / 1e9;
      vertx.close().await(60, TimeUnit.SECONDS);
      long completed = count(dir.resolve("scriptd.db"));
      if (completed != runs) {
        throw new IllegalStateException(completed + " of " + runs + " runs stored completed");
      }
      return runs / seconds;
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
      try (var files = Files.walk(dir)) {
        files.sorted(Collections.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  /** One caller: pending, running, completed of a run, each after the previous is answered. */
  private static Future<Void> client(Vertx vertx, AtomicInteger next, int runs) {
    if (next.getAndIncrement() >= runs) {
      return Future.succeededFuture();
    }
    Instant now = Instant.now();
    Run pending = Run.pending(UUID.randomUUID().toString(), null, Run.KIND_SHELL, "true", "api", 3600,
        Map.of(), "/tmp", null, now);
    Run running = pending.started(4242, 1L, now);
    Run completed = running.ended(RunStatus.COMPLETED, 0, null, null, Instant.now());
    return save(vertx, pending)
        .compose(v -> save(vertx, running))
        .compose(v -> save(vertx, completed))
        .compose(v -> client(vertx, next, runs));
  }

  private static Future<Void> save(Vertx vertx, Run run) {
    return vertx.eventBus().request(Addresses.DB_SAVE_RUN, run).mapEmpty();
  }

  private static long count(Path db) throws Exception {
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement statement = conn.createStatement();
        ResultSet rs = statement.executeQuery("SELECT count(*) FROM runs WHERE status = 'completed'")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
