package dev.scriptd.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Live-tail benchmark (issue 3), against a server in its own JVM:
 * H2 delivery and child-to-client latency for 100 SSE + 100 WebSocket subscribers and for 1,000
 * SSE subscribers on one run writing 10,000 lines/s; H6 delivery to 99 healthy subscribers with
 * one stalled client against the same without it, and the server's memory meanwhile; H5 memory
 * per idle SSE connection at 10,000 connections.
 * Usage: java -cp target/scriptd.jar:target/test-classes dev.scriptd.bench.TailBenchmark
 */
public final class TailBenchmark {
  private static final int RATE = 10_000;

  private TailBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1"),
        new PoolOptions().setHttp1MaxSize(12_000));
    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(2000));
    try {
      if (args.length == 3) {
        int sse = Integer.parseInt(args[0]);
        int sockets = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        Result custom = onFreshServer(server -> fanOut(server, http, ws, sse, sockets, seconds, false));
        System.out.printf("%d SSE + %d WS, %,d lines/s: delivered %.3f%%, p50 %d ms, p99 %d ms, max %d ms%n",
            sse, sockets, RATE, custom.deliveredPercent(), custom.percentile(50), custom.percentile(99), custom.max());
        return;
      }
      Result mixed = onFreshServer(server -> fanOut(server, http, ws, 100, 100, 5, false));
      System.out.printf("H2 100 SSE + 100 WS, %,d lines/s: delivered %.3f%%, p50 %d ms, p99 %d ms, max %d ms%n",
          RATE, mixed.deliveredPercent(), mixed.percentile(50), mixed.percentile(99), mixed.max());
      Result thousand = onFreshServer(server -> fanOut(server, http, ws, 1000, 0, 3, false));
      System.out.printf("H2 1,000 SSE, %,d lines/s: delivered %.3f%%, p50 %d ms, p99 %d ms, max %d ms%n",
          RATE, thousand.deliveredPercent(), thousand.percentile(50), thousand.percentile(99), thousand.max());

      Result baseline = onFreshServer(server -> fanOut(server, http, ws, 99, 0, 5, false));
      Result stalled = onFreshServer(server -> fanOut(server, http, ws, 99, 0, 5, true));
      System.out.printf("H6 99 healthy SSE: delivered %.3f%% without a stalled client, %.3f%% with one (ratio %.4f);"
              + " server heap after GC %+,d KB without, %+,d KB with; p99 %d ms vs %d ms%n",
          baseline.deliveredPercent(), stalled.deliveredPercent(),
          stalled.deliveredPercent() / baseline.deliveredPercent(), baseline.heapGrowth / 1024,
          stalled.heapGrowth / 1024, baseline.percentile(99), stalled.percentile(99));

      onFreshServer(server -> {
        idleConnections(server, http, 10_000);
        return null;
      });
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  interface Scenario<T> {
    T run(BenchServer server) throws Exception;
  }

  private static <T> T onFreshServer(Scenario<T> scenario) throws Exception {
    BenchServer server = BenchServer.start("--tail.stall_timeout_ms=2000");
    try {
      return scenario.run(server);
    } finally {
      server.close();
    }
  }

  /** Subscribers' tallies: lines received, and a 1 ms latency histogram up to 10 s. */
  static final class Result {
    final AtomicLong received = new AtomicLong();
    final AtomicLongArray histogram = new AtomicLongArray(60_001);
    long expected;
    long heapGrowth;

    void line(long writtenMicros, long nowMicros) {
      received.incrementAndGet();
      long latencyMs = (nowMicros - writtenMicros) / 1000;
      histogram.incrementAndGet((int) Math.max(0, Math.min(60_000, latencyMs)));
    }

    double deliveredPercent() {
      return 100.0 * received.get() / expected;
    }

    long percentile(double p) {
      long total = 0;
      for (int i = 0; i < histogram.length(); i++) {
        total += histogram.get(i);
      }
      long wanted = (long) Math.ceil(total * p / 100.0);
      long seen = 0;
      for (int i = 0; i < histogram.length(); i++) {
        seen += histogram.get(i);
        if (seen >= wanted && wanted > 0) {
          return i;
        }
      }
      return -1;
    }

    long max() {
      for (int i = histogram.length() - 1; i >= 0; i--) {
        if (histogram.get(i) > 0) {
          return i;
        }
      }
      return -1;
    }
  }

  /** A child that writes "seq micros" lines at RATE lines/s, on a deadline so the rate holds. */
  private static String pacedChild(long lines) {
    return "sleep 1; perl -MTime::HiRes=time,sleep -e '$|=1; my $t0 = time(); for my $i (1.." + lines + ") {"
        + " my $due = $t0 + $i / " + RATE + "; my $now = time(); sleep($due - $now) if $due > $now;"
        + " printf(\"%d %.0f\\n\", $i, time() * 1e6); }'";
  }

  private static Result fanOut(BenchServer server, HttpClientAgent http, WebSocketClient ws, int sse, int sockets,
      int seconds, boolean withStalledClient) throws Exception {
    long lines = (long) RATE * seconds;
    Result result = new Result();
    result.expected = lines * (sse + sockets);
    // the child sleeps 1 s before writing, so subscribers are connected before the first line
    String runId = server.startRun(pacedChild(lines)).getString("id");
    String uri = "/api/runs/" + runId + "/logs";
    CountDownLatch done = new CountDownLatch(sse + sockets);
    List<Future<?>> connected = new ArrayList<>();
    for (int i = 0; i < sse; i++) {
      connected.add(sse(http, server.port, uri, result, done));
    }
    for (int i = 0; i < sockets; i++) {
      connected.add(webSocket(ws, server.port, uri, result, done));
    }
    Future.all(connected).await(60, TimeUnit.SECONDS);
    Socket stalled = withStalledClient ? stalledClient(server.port, uri) : null;
    long heapBefore = server.heapUsedAfterGc();
    done.await(seconds + 120L, TimeUnit.SECONDS);
    result.heapGrowth = server.heapUsedAfterGc() - heapBefore;
    if (stalled != null) {
      stalled.close();
    }
    return result;
  }

  private static Future<?> sse(HttpClientAgent http, int port, String uri, Result result, CountDownLatch done) {
    return http.request(new RequestOptions().setMethod(HttpMethod.GET).setPort(port).setURI(uri)
            .putHeader("Accept", "text/event-stream").putHeader("Authorization", "Bearer " + BenchServer.TOKEN))
        .compose(request -> request.send())
        .map(response -> {
          SseLines lines = new SseLines(result);
          response.handler(lines::feed);
          response.endHandler(v -> done.countDown());
          response.exceptionHandler(e -> done.countDown());
          return response;
        });
  }

  /**
   * Splits the stream into lines with one copy per buffer and one clock read per buffer: the
   * client shares the machine with the server, so it must stay cheap.
   */
  static final class SseLines {
    private final Result result;
    private byte[] partial = new byte[0];

    SseLines(Result result) {
      this.result = result;
    }

    void feed(Buffer buffer) {
      long now = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
      byte[] bytes = buffer.getBytes();
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          if (partial.length > 0) {
            byte[] joined = java.util.Arrays.copyOf(partial, partial.length + i - start);
            System.arraycopy(bytes, start, joined, partial.length, i - start);
            partial = new byte[0];
            line(joined, 0, joined.length, now);
          } else {
            line(bytes, start, i, now);
          }
          start = i + 1;
        }
      }
      if (start < bytes.length) {
        byte[] rest = java.util.Arrays.copyOf(partial, partial.length + bytes.length - start);
        System.arraycopy(bytes, start, rest, partial.length, bytes.length - start);
        partial = rest;
      }
    }

    private void line(byte[] bytes, int from, int to, long now) {
      if (to - from > 6 && bytes[from] == 'd' && bytes[from + 6] == '{') {
        String text = new String(bytes, from, to - from, StandardCharsets.UTF_8);
        int at = text.indexOf("\"line\":\"");
        if (at >= 0) {
          onLogText(text, at + 8, result, now);
        }
      }
    }
  }

  private static void onLogText(String json, int start, Result result, long now) {
    int space = json.indexOf(' ', start);
    int end = json.indexOf('"', space);
    if (space > 0 && end > space) {
      result.line(Long.parseLong(json.substring(space + 1, end)), now);
    }
  }

  private static Future<?> webSocket(WebSocketClient ws, int port, String uri, Result result, CountDownLatch done) {
    return ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri)
            .addHeader("Authorization", "Bearer " + BenchServer.TOKEN))
        .map(socket -> {
          socket.textMessageHandler(text -> {
            int at = text.indexOf("\"line\":\"");
            if (at >= 0 && text.startsWith("{\"type\":\"log\"")) {
              onLogText(text, at + 8, result, ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()));
            }
          });
          socket.closeHandler(v -> done.countDown());
          return socket;
        });
  }

  /** Asks for the stream and never reads: a tiny receive window makes the server's queue fill. */
  private static Socket stalledClient(int port, String uri) throws Exception {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress("127.0.0.1", port));
    OutputStream out = socket.getOutputStream();
    out.write(("GET " + uri + " HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\nAuthorization: Bearer "
        + BenchServer.TOKEN + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  /** H5: RSS of the server before and after opening idle SSE streams on a silent run. */
  private static void idleConnections(BenchServer server, HttpClientAgent http, int count) throws Exception {
    String runId = server.startRun("sleep 600").getString("id");
    String uri = "/api/runs/" + runId + "/logs";
    Result ignored = new Result();
    CountDownLatch never = new CountDownLatch(count);
    long before = server.rssBytes();
    long heapBefore = server.heapUsedAfterGc();
    for (int opened = 0; opened < count; opened += 500) {
      List<Future<?>> batch = new ArrayList<>();
      for (int i = 0; i < 500 && opened + i < count; i++) {
        batch.add(sse(http, server.port, uri, ignored, never));
      }
      Future.all(batch).await(60, TimeUnit.SECONDS);
    }
    long heapAfter = server.heapUsedAfterGc();
    long after = server.rssBytes();
    System.out.printf("H5 %,d idle SSE connections: server RSS %,d MB -> %,d MB (%.1f KB per connection),"
            + " heap after GC %+.1f KB per connection%n",
        count, before >> 20, after >> 20, (after - before) / 1024.0 / count,
        (heapAfter - heapBefore) / 1024.0 / count);
    server.kill(runId);
  }
}
