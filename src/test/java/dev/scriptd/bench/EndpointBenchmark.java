package dev.scriptd.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * H7: requests/s of a trivial JS endpoint against a trivial Java route ({@code /health}) in the
 * same run, and of a shell endpoint ({@code echo ok}, {@code ?wait=true}). The server runs in its
 * own JVM; the load is a Vert.x HttpClient loop with a fixed number of requests in flight.
 *
 * <pre>
 * mvn -B package -DskipTests
 * java -cp target/scriptd.jar:target/test-classes dev.scriptd.bench.EndpointBenchmark [seconds] [concurrency]
 * </pre>
 */
public final class EndpointBenchmark {
  private EndpointBenchmark() {
  }

  record Result(String name, long ok, long failed, double seconds) {
    double perSecond() {
      return ok / seconds;
    }
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    BenchServer server = BenchServer.start();
    Vertx vertx = Vertx.vertx();
    try {
      create(server, new JsonObject().put("name", "bench-js").put("kind", "js")
          .put("program", "function handle(request) { return {status: 200, body: {ok: true}}; }")
          .put("concurrency", "allow")
          .put("endpoint", new JsonObject().put("method", "GET").put("path", "bench/js").put("auth", "public")));
      create(server, new JsonObject().put("name", "bench-sh").put("command", "echo ok")
          .put("concurrency", "allow")
          .put("endpoint", new JsonObject().put("method", "GET").put("path", "bench/sh").put("auth", "public")));
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultPort(server.port)
          .setDefaultHost("127.0.0.1").setKeepAlive(true), new PoolOptions().setHttp1MaxSize(concurrency));
      List<Result> results = new ArrayList<>();
      for (String[] target : new String[][] {{"java route GET /health", "/health"},
          {"js endpoint GET /hooks/bench/js", "/hooks/bench/js"},
          {"shell endpoint GET /hooks/bench/sh?wait=true", "/hooks/bench/sh?wait=true"}}) {
        load(vertx, client, target[1], concurrency, 1).await(60, TimeUnit.SECONDS); // warm-up
        results.add(load(vertx, client, target[1], concurrency, seconds)
            .map(r -> new Result(target[0], r.ok(), r.failed(), r.seconds()))
            .await(seconds + 120L, TimeUnit.SECONDS));
      }
      System.out.printf("concurrency %d, %d s per target%n", concurrency, seconds);
      for (Result result : results) {
        System.out.printf("%-45s %9.0f req/s  (%d ok, %d failed)%n", result.name(), result.perSecond(),
            result.ok(), result.failed());
      }
      System.out.printf("js endpoint / java route: %.2f; shell endpoint / java route: %.3f%n",
          results.get(1).perSecond() / results.get(0).perSecond(),
          results.get(2).perSecond() / results.get(0).perSecond());
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      server.close();
    }
  }

  private static void create(BenchServer server, JsonObject script) throws Exception {
    HttpResponse<String> response = server.http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port + "/api/scripts"))
        .header("Authorization", "Bearer " + BenchServer.TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(script.encode())).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new IllegalStateException("create failed: " + response.body());
    }
  }

  /** Keeps {@code concurrency} requests in flight for {@code seconds}; counts 2xx answers. */
  private static Future<Result> load(Vertx vertx, HttpClient client, String uri, int concurrency, int seconds) {
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      Promise<Void> done = Promise.promise();
      loops.add(done.future());
      vertx.runOnContext(v -> next(client, uri, end, ok, failed, done));
    }
    return Future.join(loops).map(v -> new Result(uri, ok.get(), failed.get(),
        (System.nanoTime() - start) / 1e9));
  }

  private static void next(HttpClient client, String uri, long end, AtomicLong ok, AtomicLong failed,
      Promise<Void> done) {
    if (System.nanoTime() >= end) {
      done.complete();
      return;
    }
    client.request(HttpMethod.GET, uri)
        .compose(request -> request.send().compose(response -> response.body().map(body -> response.statusCode())))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result() / 100 == 2) {
            ok.incrementAndGet();
          } else {
            failed.incrementAndGet();
          }
          next(client, uri, end, ok, failed, done);
        });
  }
}
