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
import io.vertx.core.parsetools.RecordParser;
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
    BenchServer server = BenchServer.start("--tail.stall_timeout_ms=2000");
    try {
      HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setDefaultPort(server.port)
          .setDefaultHost("127.0.0.1"), new PoolOptions().setHttp1MaxSize(12_000));
      WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(2000));

      Result mixed = fanOut(server, http, ws, 100, 100, 5, false);
      System.out.printf("H2 100 SSE + 100 WS, %,d lines/s: delivered %.3f%%, p50 %d ms, p99 %d ms, max %d ms%n",
          RATE, mixed.deliveredPercent(), mixed.percentile(50), mixed.percentile(99), mixed.max());
      Result thousand = fanOut(server, http, ws, 1000, 0, 3, false);
      System.out.printf("H2 1,000 SSE, %,d lines/s: delivered %.3f%%, p50 %d ms, p99 %d ms, max %d ms%n",
          RATE, thousand.deliveredPercent(), thousand.percentile(50), thousand.percentile(99), thousand.max());

      Result baseline = fanOut(server, http, ws, 99, 0, 5, false);
      Result stalled = fanOut(server, http, ws, 99, 0, 5, true);
      System.out.printf("H6 99 healthy SSE: delivered %.3f%% without a stalled client, %.3f%% with one (ratio %.4f);"
              + " server RSS growth %,d KB without, %,d KB with; p99 %d ms vs %d ms%n",
          baseline.deliveredPercent(), stalled.deliveredPercent(),
          stalled.deliveredPercent() / baseline.deliveredPercent(), baseline.rssGrowth / 1024, stalled.rssGrowth / 1024,
          baseline.percentile(99), stalled.percentile(99));

      idleConnections(server, http, 10_000);
    } finally {
      server.close();
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Subscribers' tallies: lines received, and a 1 ms latency histogram up to 10 s. */
  static final class Result {
    final AtomicLong received = new AtomicLong();
    final AtomicLongArray histogram = new AtomicLongArray(10_001);
    long expected;
    long rssGrowth;

    void line(long writtenMicros) {
      received.incrementAndGet();
      long latencyMs = (ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()) - writtenMicros) / 1000;
      histogram.incrementAndGet((int) Math.max(0, Math.min(10_000, latencyMs)));
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
      connected.add(sse(http, uri, result, done));
    }
    for (int i = 0; i < sockets; i++) {
      connected.add(webSocket(ws, server.port, uri, result, done));
    }
    Future.all(connected).await(60, TimeUnit.SECONDS);
    Socket stalled = withStalledClient ? stalledClient(server.port, uri) : null;
    long rssBefore = server.rssBytes();
    long rssMax = rssBefore;
    while (!done.await(200, TimeUnit.MILLISECONDS)) {
      rssMax = Math.max(rssMax, server.rssBytes());
      if (done.getCount() > 0 && result.received.get() >= result.expected) {
        break;
      }
    }
    done.await(seconds + 60L, TimeUnit.SECONDS);
    result.rssGrowth = rssMax - rssBefore;
    if (stalled != null) {
      stalled.close();
    }
    return result;
  }

  private static Future<?> sse(HttpClientAgent http, String uri, Result result, CountDownLatch done) {
    return http.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(uri)
            .putHeader("Accept", "text/event-stream").putHeader("Authorization", "Bearer " + BenchServer.TOKEN))
        .compose(request -> request.send())
        .map(response -> {
          RecordParser parser = RecordParser.newDelimited("\n", response);
          parser.handler(line -> onSseLine(line, result));
          parser.endHandler(v -> done.countDown());
          parser.exceptionHandler(e -> done.countDown());
          return response;
        });
  }

  private static void onSseLine(Buffer line, Result result) {
    if (line.length() > 6 && line.getByte(0) == 'd' && line.getByte(6) == '{') {
      String text = line.toString(StandardCharsets.UTF_8);
      int at = text.indexOf("\"line\":\"");
      if (at >= 0 && text.contains("\"stream\"")) {
        onLogText(text, at + 8, result);
      }
    }
  }

  private static void onLogText(String json, int start, Result result) {
    int space = json.indexOf(' ', start);
    int end = json.indexOf('"', space);
    if (space > 0 && end > space) {
      result.line(Long.parseLong(json.substring(space + 1, end)));
    }
  }

  private static Future<?> webSocket(WebSocketClient ws, int port, String uri, Result result, CountDownLatch done) {
    return ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri)
            .addHeader("Authorization", "Bearer " + BenchServer.TOKEN))
        .map(socket -> {
          socket.textMessageHandler(text -> {
            int at = text.indexOf("\"line\":\"");
            if (at >= 0 && text.contains("\"type\":\"log\"")) {
              onLogText(text, at + 8, result);
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
    for (int opened = 0; opened < count; opened += 500) {
      List<Future<?>> batch = new ArrayList<>();
      for (int i = 0; i < 500 && opened + i < count; i++) {
        batch.add(sse(http, uri, ignored, never));
      }
      Future.all(batch).await(60, TimeUnit.SECONDS);
    }
    TimeUnit.SECONDS.sleep(3); // let the server settle before reading its memory (a measurement pause, not synchronisation)
    long after = server.rssBytes();
    System.out.printf("H5 %,d idle SSE connections: server RSS %,d MB -> %,d MB, %.1f KB per connection%n",
        count, before >> 20, after >> 20, (after - before) / 1024.0 / count);
    server.kill(runId);
  }
}
