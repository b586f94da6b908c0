package dev.scriptd.bench;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * Live-tail benchmark (issue 3), against a server in its own JVM:
 * H2 delivery and child-to-client latency for 100 SSE + 100 WebSocket subscribers and for 1,000
 * SSE subscribers on one run writing 10,000 lines/s; H6 delivery to 99 healthy subscribers with
 * one stalled client against the same without it, and the server's memory meanwhile; H5 memory
 * per idle SSE connection at 10,000 connections.
 * Usage: java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp target/scriptd.jar:target/test-classes
 *   dev.scriptd.bench.TailBenchmark [sse ws seconds | idle count | baseline count coalesce_ms]
 */
public final class TailBenchmark {
  private static final int RATE = 10_000;
  private static final List<String> TIGHT_HEAP = List.of("-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20");
  /**
   * Heap flags of the servers for the latency cases: on this VM a JVM growing its heap into memory
   * it has not touched yet stalled delivery for up to 0.7 s while the host backed the new pages.
   */
  static final List<String> LATENCY_HEAP = List.of("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch");

  private TailBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    if (!ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+AlwaysPreTouch")) {
      System.out.println("note: this JVM (the clients) grows its heap as it goes; run it with "
          + String.join(" ", LATENCY_HEAP) + " or the latencies include its page faults");
    }
    Vertx vertx = Vertx.vertx();
    HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1"),
        new PoolOptions().setHttp1MaxSize(12_000));
    NetClient ws = vertx.createNetClient();
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        CLIENT_LOOPS.add(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(4)).await(30, TimeUnit.SECONDS);
    warmHttp = http;
    warmWs = ws;
    try {
      if (args.length == 2 && args[0].equals("idle")) {
        onFreshServer(List.of(), 20, 20, server -> {
          idleConnections(server, http, Integer.parseInt(args[1]));
          return null;
        });
        return;
      }
      if (args.length == 3 && args[0].equals("baseline")) {
        System.out.printf("baseline %s SSE: %s%n", args[1],
            transportBaseline(ws, Integer.parseInt(args[1]), 3, Long.parseLong(args[2])));
        return;
      }
      if (args.length == 3) {
        int sse = Integer.parseInt(args[0]);
        int sockets = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        Result custom = onFreshServer(LATENCY_HEAP, sse, sockets,
            server -> fanOut(server, http, ws, sse, sockets, seconds, false));
        System.out.printf("%d SSE + %d WS, %,d lines/s: %s%n", sse, sockets, RATE, custom);
        return;
      }
      Result mixed = onFreshServer(LATENCY_HEAP, 100, 100, server -> fanOut(server, http, ws, 100, 100, 5, false));
      System.out.printf("H2 100 SSE + 100 WS, %,d lines/s: %s%n", RATE, mixed);
      Result mixedBlast = transportBaseline(ws, 200, 3, 10);
      System.out.printf("   baseline, the same number of events written as 200 SSE streams by a server that does nothing"
          + " else (10 ms chunks): %s; scriptd's p99 is %.1fx the baseline's%n", mixedBlast,
          (double) mixed.percentile(99) / mixedBlast.percentile(99));
      Result thousand = onFreshServer(LATENCY_HEAP, 1000, 0, server -> fanOut(server, http, ws, 1000, 0, 3, false));
      System.out.printf("H2 1,000 SSE, %,d lines/s: %s%n", RATE, thousand);
      Result blast = transportBaseline(ws, 1000, 3, 25);
      System.out.printf("   baseline, the same events written by a server that does nothing else (25 ms chunks): %s;"
          + " scriptd's p99 is %.1fx the baseline's%n", blast, (double) thousand.percentile(99) / blast.percentile(99));

      Result baseline = onFreshServer(LATENCY_HEAP, 99, 0, server -> fanOut(server, http, ws, 99, 0, 5, true, false));
      Result stalled = onFreshServer(LATENCY_HEAP, 99, 0, server -> fanOut(server, http, ws, 99, 0, 5, true, true));
      System.out.printf("H6 99 healthy SSE: delivered %.3f%% without a stalled client, %.3f%% with one (ratio %.4f);"
              + " server heap after GC %+,d KB without, %+,d KB with; p99 %d ms vs %d ms%n",
          baseline.deliveredPercent(), stalled.deliveredPercent(),
          stalled.deliveredPercent() / baseline.deliveredPercent(), baseline.heapGrowth / 1024,
          stalled.heapGrowth / 1024, baseline.percentile(99), stalled.percentile(99));

      onFreshServer(List.of(), 20, 20, server -> {
        idleConnections(server, http, 10_000);
        return null;
      });
      // the same with a heap that gives back what it does not use (RSS then follows what is held)
      try (BenchServer server = BenchServer.start(TIGHT_HEAP, "--tail.stall_timeout_ms=2000")) {
        System.out.print("  with " + String.join(" ", TIGHT_HEAP) + ": ");
        idleConnections(server, http, 10_000);
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  interface Scenario<T> {
    T run(BenchServer server) throws Exception;
  }

  /** Length of each warm-up fan-out; with 2 s the C2 compiler still took a core during the measured run. */
  private static final int WARM_UP_SECONDS = Integer.getInteger("bench.warmUpSeconds", 5);

  /**
   * Runs {@code scenario} on a new server warmed by an unreported fan-out of the same shape
   * ({@code sse} and {@code sockets} subscribers): a server runs warm, and the JIT compiles what a
   * fan-out of that size runs (batch sizes and coalescing depend on the subscriber count).
   */
  private static <T> T onFreshServer(List<String> jvmOptions, int sse, int sockets, Scenario<T> scenario)
      throws Exception {
    // the default stall timeout (10 s): a subscriber the loaded machine serves late is still served
    BenchServer server = BenchServer.start(jvmOptions);
    try {
      fanOut(server, warmHttp, warmWs, sse, sockets, WARM_UP_SECONDS, false);
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

    final AtomicLong outOfOrder = new AtomicLong();

    /** One sampled line's child-to-client latency. */
    void latency(long writtenMicros, long nowMicros) {
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

    @Override
    public String toString() {
      return String.format("delivered %.3f%% (%,d of %,d, %,d out of order), latency of every %dth line: p50 %d ms,"
              + " p99 %d ms, max %d ms", deliveredPercent(), received.get(), expected, outOfOrder.get(), SAMPLE_EVERY,
          percentile(50), percentile(99), max());
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

  /**
   * A child that waits for {@code go} to exist, then writes "seq micros" lines at RATE lines/s,
   * on a deadline so the rate holds.
   */
  private static String pacedChild(long lines, Path go) {
    return "while [ ! -e " + go + " ]; do sleep 0.01; done; perl -MTime::HiRes=time,sleep -e '$|=1; my $t0 = time();"
        + " for my $i (1.." + lines + ") { my $due = $t0 + $i / " + RATE + "; my $now = time();"
        + " sleep($due - $now) if $due > $now; printf(\"%d %.0f\\n\", $i, time() * 1e6); }'";
  }

  private static Result fanOut(BenchServer server, HttpClientAgent http, NetClient ws, int sse, int sockets,
      int seconds, boolean measureHeap) throws Exception {
    return fanOut(server, http, ws, sse, sockets, seconds, measureHeap, false);
  }

  private static Result fanOut(BenchServer server, HttpClientAgent http, NetClient ws, int sse, int sockets,
      int seconds, boolean measureHeap, boolean withStalledClient) throws Exception {
    long lines = (long) RATE * seconds;
    Result result = new Result();
    result.expected = lines * (sse + sockets);
    Path go = Files.createTempDirectory("scriptd-bench-go").resolve("go");
    String runId = server.startRun(pacedChild(lines, go)).getString("id");
    String uri = "/api/runs/" + runId + "/logs";
    CountDownLatch done = new CountDownLatch(sse + sockets);
    List<Future<?>> connected = new ArrayList<>();
    for (int i = 0; i < sse; i++) {
      connected.add(onClientLoop(i, () -> rawSse(ws, server.port, uri, result, done)));
    }
    for (int i = 0; i < sockets; i++) {
      connected.add(onClientLoop(sse + i, () -> webSocket(ws, server.port, uri, result, done)));
    }
    Future.all(connected).await(60, TimeUnit.SECONDS);
    Socket stalled = withStalledClient ? stalledClient(server.port, uri) : null;
    // every subscriber attached (and the heap measured) before the first line: latency is live delivery
    server.awaitTailSubscribers(sse + sockets + (stalled == null ? 0 : 1));
    long heapBefore = measureHeap ? server.heapUsedAfterGc() : 0;
    Files.createFile(go);
    done.await(seconds + 120L, TimeUnit.SECONDS);
    result.heapGrowth = measureHeap ? server.heapUsedAfterGc() - heapBefore : 0;
    if (stalled != null) {
      stalled.close();
    }
    return result;
  }

  /**
   * The same fan-out from {@link BlastServer} (its own JVM, no scriptd): what loopback and the
   * client manage on this machine with the same bytes.
   */
  static Result transportBaseline(NetClient net, int sse, int seconds, long coalesceMs) throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    long lines = (long) RATE * seconds;
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(LATENCY_HEAP);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), BlastServer.class.getName(),
        Integer.toString(port), Integer.toString(sse), Long.toString(lines), Integer.toString(RATE),
        Long.toString(coalesceMs)));
    Process blaster = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(blaster.getInputStream()));
      for (String line = out.readLine(); !"ready".equals(line); line = out.readLine()) {
        if (line == null) {
          throw new IllegalStateException("the baseline server did not start");
        }
      }
      Result result = new Result();
      result.expected = lines * sse;
      CountDownLatch done = new CountDownLatch(sse);
      List<Future<?>> connected = new ArrayList<>();
      for (int i = 0; i < sse; i++) {
        connected.add(onClientLoop(i, () -> rawSse(net, port, "/", result, done)));
      }
      Future.all(connected).await(60, TimeUnit.SECONDS);
      done.await(seconds + 120L, TimeUnit.SECONDS);
      return result;
    } finally {
      blaster.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static HttpClientAgent warmHttp;
  private static NetClient warmWs;

  /** Event-loop contexts of the benchmark's Vert.x: connections are spread over all of them. */
  private static final List<Context> CLIENT_LOOPS = new CopyOnWriteArrayList<>();

  /**
   * Opens the connection from one of the client event loops: a connection stays on the loop that
   * opened it, and from the main thread every connection would land on the same one, making the
   * client (not the server) the bottleneck.
   */
  private static Future<?> onClientLoop(int index, Supplier<Future<?>> open) {
    Promise<Object> opened = Promise.promise();
    CLIENT_LOOPS.get(index % CLIENT_LOOPS.size()).runOnContext(v -> open.get().onComplete(opened));
    return opened.future();
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
   * An SSE subscriber on a plain socket. The response is chunked, but every chunk holds whole
   * events (the server writes a batch of events per chunk), so reading the bytes as lines and
   * ignoring the chunk-size lines and headers loses nothing; it spares the client an HTTP decoder.
   */
  static Future<?> rawSse(NetClient net, int port, String uri, Result result, CountDownLatch done) {
    return net.connect(port, "127.0.0.1").map(socket -> {
      SseLines lines = new SseLines(result);
      socket.handler(lines::feed);
      socket.closeHandler(v -> done.countDown());
      socket.write("GET " + uri + " HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n"
          + "Authorization: Bearer " + BenchServer.TOKEN + "\r\n\r\n");
      return socket;
    });
  }

  /**
   * Reads an SSE stream as cheaply as it can, since it shares the two cores with the server: one
   * pass over the bytes per buffer, no String per event. Every {@code id:} is checked against the
   * previous one (a line counts as delivered only if it is the next seq: no gap, no duplicate);
   * the child's write time is read from every {@link #SAMPLE_EVERY}th line for the latency figure.
   */
  static final class SseLines {
    private final Result result;
    private final Subscriber subscriber;
    private final ReadBuffer read = new ReadBuffer();
    private boolean sampleNext;

    SseLines(Result result) {
      this.result = result;
      this.subscriber = new Subscriber(result);
    }

    void feed(Buffer buffer) {
      long now = nowMicros();
      int length = read.append(buffer);
      byte[] bytes = read.bytes;
      int start = 0;
      for (int i = nextNewline(bytes, 0, length); i >= 0; i = nextNewline(bytes, start, length)) {
        line(bytes, start, i, now);
        start = i + 1;
      }
      read.keep(start, length);
    }

    private void line(byte[] bytes, int from, int to, long now) {
      if (to - from > 4 && bytes[from] == 'i' && bytes[from + 1] == 'd' && bytes[from + 2] == ':') {
        long seq = parseLong(bytes, from + 4, to);
        sampleNext = subscriber.seq(seq);
      } else if (sampleNext && to - from > 6 && bytes[from] == 'd' && bytes[from + 5] == ' ') {
        sampleNext = false;
        sampleLatency(bytes, from, to, result, now);
      }
    }
  }

  /** Reads the child's write time from {@code "line":"<i> <micros>"} in {@code [from, to)}. */
  private static void sampleLatency(byte[] bytes, int from, int to, Result result, long now) {
    int at = indexOf(bytes, from, to, LINE_FIELD);
    if (at >= 0) {
      int space = at + LINE_FIELD.length;
      while (space < to && bytes[space] != ' ') {
        space++;
      }
      result.latency(parseLong(bytes, space + 1, to), now);
    }
  }

  private static final byte[] LINE_FIELD = "\"line\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEQ_FIELD = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
  static final int SAMPLE_EVERY = 10;

  /** One connection's read buffer: what arrived, after what was left unfinished by the last read. */
  static final class ReadBuffer {
    byte[] bytes = new byte[64 * 1024];
    private int carried;

    /** Appends {@code buffer}; returns how many bytes are now in {@link #bytes}. */
    int append(Buffer buffer) {
      int length = carried + buffer.length();
      if (bytes.length < length) {
        bytes = java.util.Arrays.copyOf(bytes, Math.max(length, bytes.length * 2));
      }
      buffer.getBytes(0, buffer.length(), bytes, carried);
      return length;
    }

    /** Keeps {@code [from, length)} (an unfinished line or frame) for the next read. */
    void keep(int from, int length) {
      carried = length - from;
      System.arraycopy(bytes, from, bytes, 0, carried);
    }
  }

  /** One subscriber's position: counts lines that arrive in order, once. */
  static final class Subscriber {
    private final Result result;
    private long lastSeq;

    Subscriber(Result result) {
      this.result = result;
    }

    /** Returns true when this line's latency is to be sampled. */
    boolean seq(long seq) {
      if (seq == lastSeq + 1) {
        result.received.incrementAndGet();
      } else {
        result.outOfOrder.incrementAndGet();
      }
      lastSeq = Math.max(lastSeq, seq);
      return seq % SAMPLE_EVERY == 0;
    }
  }

  private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
      long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
  private static final long LOW_BITS = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  /**
   * Index of the next '\n' at or after {@code from}, or -1: eight bytes per step (the classic
   * "has zero byte" test on bytes XOR '\n'), since the client must keep up with 1 GB/s or more.
   */
  static int nextNewline(byte[] bytes, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long word = (long) LONGS.get(bytes, i) ^ NEWLINES;
      long found = (word - LOW_BITS) & ~word & HIGH_BITS;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(byte[] bytes, int from, int to, byte[] wanted) {
    outer:
    for (int i = from; i <= to - wanted.length; i++) {
      for (int j = 0; j < wanted.length; j++) {
        if (bytes[i + j] != wanted[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The decimal number starting at {@code from} (up to the first non-digit). */
  private static long parseLong(byte[] bytes, int from, int to) {
    long value = 0;
    for (int i = from; i < to && bytes[i] >= '0' && bytes[i] <= '9'; i++) {
      value = value * 10 + (bytes[i] - '0');
    }
    return value;
  }

  private static long nowMicros() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
  }

  /**
   * A WebSocket subscriber on a plain socket: the upgrade by hand, then server frames (never
   * masked) read in place. A general client (one object and one String per frame) would spend more
   * CPU on a million frames a second than the server does, on the same two cores.
   */
  private static Future<?> webSocket(NetClient net, int port, String uri, Result result, CountDownLatch done) {
    return net.connect(port, "127.0.0.1").map(socket -> {
      socket.write("GET " + uri + " HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + "Authorization: Bearer " + BenchServer.TOKEN + "\r\n\r\n");
      WebSocketFrames frames = new WebSocketFrames(new Subscriber(result), result, socket);
      socket.handler(frames::feed);
      socket.closeHandler(v -> done.countDown());
      return socket;
    });
  }

  /** Reads the 101 response, then frames; answers the server's close and counts log lines. */
  static final class WebSocketFrames {
    private static final byte[] MASKED_CLOSE = {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xE8};
    private final Subscriber subscriber;
    private final Result result;
    private final NetSocket socket;
    private final ReadBuffer read = new ReadBuffer();
    /** {@code read}'s array during a {@link #feed}. */
    private byte[] bytes;
    private boolean upgraded;

    WebSocketFrames(Subscriber subscriber, Result result, NetSocket socket) {
      this.subscriber = subscriber;
      this.result = result;
      this.socket = socket;
    }

    void feed(Buffer buffer) {
      long now = nowMicros();
      int length = read.append(buffer);
      bytes = read.bytes;
      int at = 0;
      if (!upgraded) {
        int end = indexOf(bytes, 0, length, HEAD_END);
        if (end < 0) {
          read.keep(0, length);
          return;
        }
        if (bytes[9] != '1' || bytes[10] != '0' || bytes[11] != '1') {
          throw new IllegalStateException("upgrade refused: " + new String(bytes, 0, end, StandardCharsets.US_ASCII));
        }
        upgraded = true;
        at = end + HEAD_END.length;
      }
      while (length - at >= 2) {
        int opcode = bytes[at] & 0x0F;
        int code = bytes[at + 1] & 0x7F;
        int header = code < 126 ? 2 : code == 126 ? 4 : 10;
        if (length - at < header) {
          break;
        }
        long payload = code < 126 ? code : code == 126 ? ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF)
            : java.nio.ByteBuffer.wrap(bytes, at + 2, 8).getLong();
        if (length - at < header + payload) {
          break;
        }
        int from = at + header;
        int to = (int) (from + payload);
        if (opcode == 0x1 && payload > 12 && bytes[from + 9] == 'l') {
          onLogFrame(from, to, now);
        } else if (opcode == 0x8) {
          socket.write(Buffer.buffer(MASKED_CLOSE));
        }
        at = to;
      }
      read.keep(at, length);
    }

    /** {"type":"log","seq":N,...,"line":"i micros"} */
    private void onLogFrame(int from, int to, long now) {
      int seqAt = indexOf(bytes, from, Math.min(to, from + 40), SEQ_FIELD);
      if (seqAt >= 0 && subscriber.seq(parseLong(bytes, seqAt + SEQ_FIELD.length, to))) {
        sampleLatency(bytes, seqAt, to, result, now);
      }
    }
  }

  private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

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
        batch.add(onClientLoop(i, () -> sse(http, server.port, uri, ignored, never)));
      }
      Future.all(batch).await(60, TimeUnit.SECONDS);
    }
    long heapAfter = server.heapUsedAfterGc();
    long after = server.rssBytes();
    if (Boolean.getBoolean("bench.histogram")) {
      System.out.println(server.histogram(40));
    }
    System.out.printf("H5 %,d idle SSE connections: server RSS %,d MB -> %,d MB (%.1f KB per connection),"
            + " heap after GC %+.1f KB per connection%n",
        count, before >> 20, after >> 20, (after - before) / 1024.0 / count,
        (heapAfter - heapBefore) / 1024.0 / count);
    server.kill(runId);
  }
}
