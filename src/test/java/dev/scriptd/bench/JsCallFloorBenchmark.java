package dev.scriptd.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.Source;
import org.sqlite.SQLiteConfig;

/**
 * The floor of a recorded js endpoint call, with none of scriptd's code: what the least a call
 * must do costs beside the Vert.x hello world, in one JVM, alternating {@code wrk -t1 -c64} trials,
 * medians and ratios to the hello world. Each step adds to the one before:
 * <ol>
 *   <li>hello: a constant answer on the event loop (the control-plane figure's baseline);</li>
 *   <li>program: {@code ({status: 200, body: 'ok'})} evaluated on a worker thread in a pooled
 *       GraalJS context of a shared engine (JavaScript may not run on an event loop);</li>
 *   <li>+ one row: then the run's row inserted, ended, through a group commit (one SQLite
 *       transaction for every row waiting, WAL, synchronous NORMAL as scriptd opens it), answered
 *       after the commit;</li>
 *   <li>+ two rows: the row inserted running before the program and updated at its end, each
 *       waited for, as a run is recorded today.</li>
 * </ol>
 * Usage: {@code JsCallFloorBenchmark [seconds=4] [trials=3]}; needs {@code wrk}.
 */
public final class JsCallFloorBenchmark {
  private static final Pattern REQUESTS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final String[] STEPS = {"hello", "program", "program + one row", "program + two rows"};

  /** A row write waiting for the group commit. */
  private record Write(boolean insert, Object[] values, Promise<Void> committed) {
  }

  private final Vertx vertx = Vertx.vertx();
  private final Engine engine = Engine.newBuilder("js").option("engine.WarnInterpreterOnly", "false").build();
  private final Source program = Source.create("js", "({status: 200, body: 'ok'})");
  private final ThreadLocal<Context> contexts = ThreadLocal.withInitial(
      () -> Context.newBuilder("js").engine(engine).build());
  private final LinkedBlockingQueue<Write> writes = new LinkedBlockingQueue<>(100_000);

  private JsCallFloorBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int trials = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    JsCallFloorBenchmark bench = new JsCallFloorBenchmark();
    try {
      bench.run(seconds, trials);
    } finally {
      bench.vertx.close();
    }
    System.exit(0);
  }

  private void run(int seconds, int trials) throws Exception {
    Path dir = Files.createTempDirectory("scriptd-js-floor");
    startWriter(dir.resolve("runs.db"));
    List<Consumer<HttpServerRequest>> handlers = List.of(
        request -> request.response().putHeader("content-type", "text/plain").end("Hello World!"),
        request -> evaluate().onSuccess(body -> answer(request, body)),
        request -> evaluate()
            .compose(body -> write(true, UUID.randomUUID().toString(), "completed").map(body))
            .onSuccess(body -> answer(request, body)),
        request -> {
          String id = UUID.randomUUID().toString();
          write(true, id, "running")
              .compose(v -> evaluate())
              .compose(body -> write(false, id, "completed").map(body))
              .onSuccess(body -> answer(request, body));
        });
    List<String> urls = new ArrayList<>();
    for (Consumer<HttpServerRequest> handler : handlers) {
      int port = vertx.createHttpServer().requestHandler(handler::accept).listen(0, "127.0.0.1")
          .await().actualPort();
      urls.add("http://127.0.0.1:" + port + "/");
    }
    for (String url : urls) {
      wrk(url, 2); // warm-up, not reported
    }
    List<List<Double>> rates = new ArrayList<>();
    urls.forEach(url -> rates.add(new ArrayList<>()));
    for (int trial = 0; trial < trials; trial++) {
      for (int step = 0; step < urls.size(); step++) {
        rates.get(step).add(wrk(urls.get(step), seconds));
      }
    }
    double hello = median(rates.get(0));
    System.out.printf("%-22s %12s %8s   trials%n", "step", "req/s", "ratio");
    for (int step = 0; step < urls.size(); step++) {
      double median = median(rates.get(step));
      System.out.printf("%-22s %12.0f %8.3f   %s%n", STEPS[step], median, median / hello, rates.get(step));
    }
  }

  private Future<String> evaluate() {
    return vertx.executeBlocking(() -> contexts.get().eval(program).getMember("body").asString(), false);
  }

  private static void answer(HttpServerRequest request, String body) {
    request.response().putHeader("content-type", "text/plain").end(body);
  }

  private Future<Void> write(boolean insert, String id, String status) {
    Promise<Void> committed = Promise.promise();
    Object[] values = insert
        ? new Object[] {id, status, Instant.now().toString(), "{\"program\":\"({status: 200, body: 'ok'})\"}"}
        : new Object[] {status, Instant.now().toString(), id};
    if (!writes.offer(new Write(insert, values, committed))) {
      committed.fail("the write queue is full");
    }
    return committed.future();
  }

  /** One thread commits every write waiting, in one transaction, and then answers them. */
  private void startWriter(Path file) throws Exception {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE runs (id TEXT PRIMARY KEY, status TEXT NOT NULL, created_at TEXT NOT NULL,"
          + " ended_at TEXT, definition TEXT)");
    }
    connection.setAutoCommit(false);
    PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO runs (id, status, created_at, definition) VALUES (?, ?, ?, ?)");
    PreparedStatement update = connection.prepareStatement("UPDATE runs SET status = ?, ended_at = ? WHERE id = ?");
    Thread writer = new Thread(() -> {
      List<Write> group = new ArrayList<>();
      try {
        while (true) {
          group.clear();
          group.add(writes.take());
          writes.drainTo(group, 4096);
          for (Write write : group) {
            PreparedStatement statement = write.insert() ? insert : update;
            for (int i = 0; i < write.values().length; i++) {
              statement.setObject(i + 1, write.values()[i]);
            }
            statement.executeUpdate();
          }
          connection.commit();
          group.forEach(write -> write.committed().complete());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        group.forEach(write -> write.committed().tryFail(e));
        throw new IllegalStateException(e);
      }
    }, "floor-group-commit");
    writer.setDaemon(true);
    writer.start();
  }

  private static double wrk(String url, int seconds) throws Exception {
    Process process = new ProcessBuilder("wrk", "-t1", "-c64", "-d" + seconds + "s", url)
        .redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException("wrk failed: " + out);
    }
    if (out.contains("Non-2xx")) {
      throw new IllegalStateException("some answers were not 2xx: " + out);
    }
    Matcher requests = REQUESTS.matcher(out);
    if (!requests.find()) {
      throw new IllegalStateException("no request rate in wrk's output: " + out);
    }
    return Double.parseDouble(requests.group(1));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
