package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.Addresses;
import dev.scriptd.domain.LogChunk;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Live tails over SSE and WebSocket")
class LiveTailTest {
  /** The database the servers of a test use: null for SQLite in the data dir; PostgreSQL variants override it. */
  String databaseUrl() {
    return null;
  }

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SLOW_200 = "for i in $(seq 1 200); do echo line$i; sleep 0.005; done";

  @TempDir
  Path dataDir;
  TestServer server;
  Api api;
  Vertx vertx;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    JsonObject config = TestServer.config(dataDir, TestServer.freePort(), databaseUrl())
        .put("tail", new JsonObject().put("stall_timeout_ms", 1000).put("keep_alive_ms", 500));
    server = TestServer.start(vertx, config);
    api = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private SseClient sse(String runId, String query, String... headers) {
    String[] withToken = java.util.Arrays.copyOf(headers, headers.length + 2);
    withToken[headers.length] = "Authorization";
    withToken[headers.length + 1] = "Bearer " + api.token;
    return new SseClient(api.client, api.base + "/api/runs/" + runId + "/logs" + query, withToken);
  }

  private static void assertLines(List<SseClient.Event> events, long from, long to) {
    List<SseClient.Event> logs = events.stream().filter(e -> "log".equals(e.event())).toList();
    assertEquals(to - from + 1, logs.size(), "log events");
    for (int i = 0; i < logs.size(); i++) {
      long seq = from + i;
      assertEquals(String.valueOf(seq), logs.get(i).id());
      JsonObject line = new JsonObject(logs.get(i).data());
      assertEquals(seq, line.getLong("seq"));
      assertEquals("line" + seq, line.getString("line"));
    }
  }

  @Test
  @DisplayName("SSE from 0 on a running process: every line once with id = seq, then done, then close")
  void sseFromStart() throws Exception {
    String id = api.startRun(SLOW_200).getString("id");
    try (SseClient client = sse(id, "")) {
      HttpResponse<Stream<String>> response = client.awaitResponse();
      assertEquals(200, response.statusCode());
      assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
      assertEquals("no-cache", response.headers().firstValue("Cache-Control").orElse(""));
      assertEquals("no", response.headers().firstValue("X-Accel-Buffering").orElse(""));
      List<SseClient.Event> events = client.untilClosed(WAIT);
      assertLines(events, 1, 200);
      SseClient.Event last = events.get(events.size() - 1);
      assertEquals("done", last.event());
      assertEquals("completed", new JsonObject(last.data()).getString("status"));
      assertTrue(events.stream().anyMatch(e -> "status".equals(e.event())), "final status event");
    }
  }

  @Test
  @DisplayName("an ended stream says Connection: close, so a client never sends its next request on the closing socket")
  void endedStreamsSayConnectionClose() {
    String id = api.startRun("echo done").getString("id");
    api.awaitEnd(id);
    for (int i = 0; i < 30; i++) {
      // the stream of a finished run ends at once; the server then closes the connection
      HttpResponse<String> stream = api.send("GET", "/api/runs/" + id + "/logs", null, "Accept", "text/event-stream");
      assertEquals(200, stream.statusCode());
      assertTrue(stream.body().contains("event: done"), stream.body());
      assertEquals("close", stream.headers().firstValue("Connection").orElse("").toLowerCase(java.util.Locale.ROOT));
      // the next request on the same client must get its answer
      assertEquals(200, api.get("/api/runs/" + id).statusCode());
    }
  }

  @Test
  @DisplayName("resume with Last-Event-ID: 20 (or ?since=20) gets 21.. only")
  void resume() throws Exception {
    String id = api.startRun(SLOW_200).getString("id");
    try (SseClient live = sse(id, "", "Last-Event-ID", "20")) {
      assertLines(live.untilClosed(WAIT), 21, 200);
    }
    api.awaitEnd(id);
    try (SseClient ended = sse(id, "?since=20")) {
      List<SseClient.Event> events = ended.untilClosed(WAIT);
      assertLines(events, 21, 200);
      assertEquals("done", events.get(events.size() - 1).event());
    }
  }

  @Test
  @DisplayName("a subscriber joining mid-run misses nothing across the hand-over")
  void joinMidRun() throws Exception {
    String id = api.startRun("for i in $(seq 1 3000); do echo line$i; if [ $((i % 100)) = 0 ]; then sleep 0.05; fi; done")
        .getString("id");
    api.awaitRun(id, run -> run.getLong("log_lines") >= 700, WAIT);
    List<SseClient> clients = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      clients.add(sse(id, ""));
      LockSupport.parkNanos(30_000_000L); // spread the joins over the run, not a synchronisation
    }
    for (SseClient client : clients) {
      try (client) {
        assertLines(client.untilClosed(WAIT), 1, 3000);
      }
    }
  }

  @Test
  @DisplayName("WebSocket gets the same lines, status and done, then a 1000 close")
  void webSocket() throws Exception {
    String id = api.startRun(SLOW_200).getString("id");
    List<JsonObject> messages = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          messages.add(new JsonObject(partial.toString()));
          partial.setLength(0);
        }
        socket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
      }
    };
    api.client.newWebSocketBuilder()
        .header("Authorization", "Bearer " + api.token)
        .buildAsync(URI.create("ws://127.0.0.1:" + server.port + "/api/runs/" + id + "/logs?since=0"), listener)
        .get(10, TimeUnit.SECONDS);
    assertEquals(1000, closed.get(30, TimeUnit.SECONDS));
    List<JsonObject> logs = messages.stream().filter(m -> m.getString("type").equals("log")).toList();
    assertEquals(200, logs.size());
    for (int i = 0; i < 200; i++) {
      assertEquals(i + 1, logs.get(i).getLong("seq"));
      assertEquals("line" + (i + 1), logs.get(i).getString("line"));
    }
    JsonObject last = messages.get(messages.size() - 1);
    assertEquals("done", last.getString("type"));
    assertEquals("completed", last.getJsonObject("run").getString("status"));
  }

  /** Sends a WebSocket upgrade on a raw socket and returns the status line and headers. */
  private static String upgrade(Socket socket, String path, String key, String version, String token)
      throws Exception {
    socket.setSoTimeout(10_000);
    OutputStream out = socket.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: " + version + "\r\n"
        + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /** Reads one server frame: {opcode, payload}. Server frames are never masked. */
  private static Object[] readFrame(InputStream in) throws Exception {
    int first = in.read();
    int second = in.read();
    if (first < 0 || second < 0) {
      return null;
    }
    long length = second & 0x7F;
    if (length == 126) {
      length = (in.read() << 8) | in.read();
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | in.read();
      }
    }
    byte[] payload = in.readNBytes((int) length);
    return new Object[] {first & 0x0F, payload};
  }

  private static void sendMaskedFrame(OutputStream out, int firstByte, byte[] payload) throws Exception {
    byte[] mask = {7, 1, 3, 9};
    out.write(firstByte);
    out.write(0x80 | payload.length);
    out.write(mask);
    for (int i = 0; i < payload.length; i++) {
      out.write(payload[i] ^ mask[i & 3]);
    }
    out.flush();
  }

  @Test
  @DisplayName("WebSocket handshake and control frames: bad upgrades are 4xx, a ping gets its pong, a client close is answered")
  void webSocketProtocol() throws Exception {
    String id = api.startRun("echo one; echo two; sleep 300").getString("id");
    String path = "/api/runs/" + id + "/logs?since=0";
    try (Socket socket = new Socket("127.0.0.1", server.port)) {
      String head = upgrade(socket, path, "not-a-key", "13", api.token);
      assertTrue(head.startsWith("HTTP/1.1 400"), head);
      assertTrue(head.toLowerCase().contains("application/problem+json"), head);
    }
    try (Socket socket = new Socket("127.0.0.1", server.port)) {
      String head = upgrade(socket, path, "dGhlIHNhbXBsZSBub25jZQ==", "8", api.token);
      assertTrue(head.startsWith("HTTP/1.1 426"), head);
      assertTrue(head.contains("Sec-WebSocket-Version: 13") || head.contains("sec-websocket-version: 13"), head);
    }
    try (Socket socket = new Socket("127.0.0.1", server.port)) {
      // the sample nonce of RFC 6455 section 1.3 and its accept value
      String head = upgrade(socket, path, "dGhlIHNhbXBsZSBub25jZQ==", "13", api.token);
      assertTrue(head.startsWith("HTTP/1.1 101"), head);
      assertTrue(head.toLowerCase().contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="), head);
      InputStream in = socket.getInputStream();
      List<String> texts = new ArrayList<>();
      while (texts.size() < 2) {
        Object[] frame = readFrame(in);
        assertEquals(1, frame[0], "a text frame");
        texts.add(new String((byte[]) frame[1], StandardCharsets.UTF_8));
      }
      assertEquals("one", new JsonObject(texts.get(0)).getString("line"));
      assertEquals(2, new JsonObject(texts.get(1)).getLong("seq"));
      OutputStream out = socket.getOutputStream();
      sendMaskedFrame(out, 0x89, "are-you-there".getBytes(StandardCharsets.UTF_8));
      Object[] pong = readFrame(in);
      assertEquals(0xA, pong[0]);
      assertEquals("are-you-there", new String((byte[]) pong[1], StandardCharsets.UTF_8));
      sendMaskedFrame(out, 0x88, new byte[] {0x03, (byte) 0xE8});
      Object[] close = readFrame(in);
      assertEquals(0x8, close[0]);
      byte[] code = (byte[]) close[1];
      assertEquals(1000, ((code[0] & 0xFF) << 8) | (code[1] & 0xFF));
      assertEquals(-1, in.read(), "the server ends the TCP connection after the close handshake");
    }
    // the subscription went with the connection
    Instant end = Instant.now().plus(WAIT);
    while (probeLogConsumers(id) != ReplyFailure.NO_HANDLERS) {
      assertTrue(Instant.now().isBefore(end), "consumer not released after the WebSocket closed");
      LockSupport.parkNanos(50_000_000L);
    }
    api.post("/api/runs/" + id + "/kill", null);
  }

  @Test
  @DisplayName("a stalled client gets a gap and is closed, while a healthy one gets every line")
  void stalledClientDoesNotHurtOthers() throws Exception {
    // 20,000 lines of 1,000 bytes: far more than socket buffers and the write queue hold
    String id = api.startRun("for i in $(seq 1 20000); do printf 'line%s %0990d\\n' $i 0; done").getString("id");
    try (Socket stalled = new Socket();
         SseClient healthy = sse(id, "")) {
      // a small receive window so that kernel buffers cannot absorb the whole log
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new java.net.InetSocketAddress("127.0.0.1", server.port));
      OutputStream out = stalled.getOutputStream();
      out.write(("GET /api/runs/" + id + "/logs HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
          + "Authorization: Bearer " + api.token + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      List<SseClient.Event> events = healthy.untilClosed(Duration.ofSeconds(60));
      List<SseClient.Event> logs = events.stream().filter(e -> "log".equals(e.event())).toList();
      assertEquals(20_000, logs.size());
      for (int i = 0; i < logs.size(); i++) {
        assertEquals(String.valueOf(i + 1), logs.get(i).id());
      }
      // the server gives up on the stalled client after stall_timeout_ms: its feed goes away
      Instant end = Instant.now().plus(WAIT);
      while (probeLogConsumers(id) != ReplyFailure.NO_HANDLERS) {
        assertTrue(Instant.now().isBefore(end), "stalled subscriber was never dropped");
        LockSupport.parkNanos(100_000_000L);
      }
      // now drain the stalled socket: it must end with a gap event and the server's close
      stalled.setSoTimeout(30_000);
      String tail = readToEnd(stalled.getInputStream());
      assertTrue(tail.contains("event: gap"), "stalled client was told of the gap; it got: " + tail.substring(Math.max(0, tail.length() - 400)));
      JsonObject gap = new JsonObject(tail.substring(tail.indexOf("event: gap\ndata: ") + 17).lines().findFirst().orElseThrow());
      assertTrue(gap.getLong("last_sent_seq") < 20_000, gap.encode());
    }
  }

  private static String readToEnd(InputStream in) throws Exception {
    byte[] buffer = new byte[1 << 16];
    StringBuilder last = new StringBuilder();
    int read;
    while ((read = in.read(buffer)) > 0) {
      last.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
      if (last.length() > 1 << 20) {
        last.delete(0, last.length() - (1 << 19));
      }
    }
    return last.toString();
  }

  @Test
  @DisplayName("keep-alive comments flow while a run is idle, and a client that leaves releases its consumer")
  void keepAliveAndRelease() throws Exception {
    String id = api.startRun("echo first; sleep 300").getString("id");
    SseClient client = sse(id, "");
    assertEquals("log", client.next(WAIT).event());
    Instant end = Instant.now().plus(WAIT);
    while (true) {
      synchronized (client.comments) {
        if (client.comments.stream().anyMatch(c -> c.contains("keep-alive"))) {
          break;
        }
      }
      assertTrue(Instant.now().isBefore(end), "no keep-alive while idle");
      LockSupport.parkNanos(50_000_000L);
    }
    assertEquals(ReplyFailure.TIMEOUT, probeLogConsumers(id), "a feed consumer exists while the client listens");
    client.close();
    end = Instant.now().plus(WAIT);
    while (probeLogConsumers(id) != ReplyFailure.NO_HANDLERS) {
      assertTrue(Instant.now().isBefore(end), "consumer not released after the client left");
      LockSupport.parkNanos(50_000_000L);
    }
    api.post("/api/runs/" + id + "/kill", null);
  }

  /** NO_HANDLERS when nobody listens to the run's line stream; TIMEOUT when a feed does (it never replies). */
  private ReplyFailure probeLogConsumers(String runId) throws Exception {
    try {
      vertx.eventBus().request(Addresses.runLog(runId), new LogChunk(runId, List.of(), 0),
          new DeliveryOptions().setSendTimeout(300)).await(5, TimeUnit.SECONDS);
      throw new AssertionError("nobody should reply on a log stream");
    } catch (ReplyException e) {
      return e.failureType();
    }
  }

  @Test
  @DisplayName("/api/events streams run status changes")
  void runEvents() throws Exception {
    try (SseClient events = new SseClient(api.client, api.base + "/api/events",
        "Authorization", "Bearer " + api.token)) {
      events.awaitResponse();
      String id = api.startRun("echo hi").getString("id");
      List<String> statuses = new ArrayList<>();
      while (!statuses.contains("completed")) {
        SseClient.Event event = events.next(WAIT);
        assertEquals("run", event.event());
        JsonObject run = new JsonObject(event.data());
        if (run.getString("id").equals(id)) {
          statuses.add(run.getString("status"));
        }
      }
      assertTrue(statuses.contains("running"), statuses.toString());
    }
  }
}
