package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Connections and streams: header and idle timeouts, streams per token and address, the connection cap")
class ConnectionLimitsTest {
  @TempDir
  Path dataDir;
  TestServer server;
  Api admin;
  final List<Socket> sockets = new ArrayList<>();

  void start(Vertx vertx, JsonObject extra) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort()).put("rate_limit", 0);
    config.mergeIn(extra, true);
    server = TestServer.start(vertx, config);
    admin = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    for (Socket socket : sockets) {
      socket.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port);
    sockets.add(socket);
    return socket;
  }

  /** Fails unless the server closes the socket before {@code deadlineNanos} (System.nanoTime). */
  private static void assertClosedBy(Socket socket, long deadlineNanos) throws IOException {
    InputStream in = socket.getInputStream();
    while (true) {
      long leftMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
      if (leftMs <= 0) {
        fail("the server did not close the connection in time");
      }
      socket.setSoTimeout((int) leftMs);
      try {
        if (in.read(new byte[4096]) < 0) {
          return;
        }
      } catch (SocketTimeoutException e) {
        fail("the server did not close the connection in time");
      } catch (SocketException reset) {
        return;
      }
    }
  }

  private static HttpClient http11() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private String createToken(String name, String role) {
    HttpResponse<String> created = admin.post("/api/tokens", new JsonObject().put("name", name).put("role", role));
    assertEquals(201, created.statusCode(), created.body());
    return new JsonObject(created.body()).getString("token");
  }

  private static void assertProblem(int status, HttpResponse<String> response) {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
        response.headers().toString());
  }

  /** A stream request answered 429 problem+json with Retry-After (read without waiting for a stream's end). */
  private static void assertRefused(SseClient client) throws Exception {
    HttpResponse<?> response = client.awaitResponse();
    assertEquals(429, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
        response.headers().toString());
    assertTrue(response.headers().firstValue("Retry-After").isPresent());
  }

  @Test
  @DisplayName("200 connections that never finish their request line are closed after http.header_timeout_ms; /health answers meanwhile")
  void incompleteHeadersTimeOut(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("http", new JsonObject().put("header_timeout_ms", 1000)));
    long openedAt = System.nanoTime();
    for (int i = 0; i < 200; i++) {
      connect().getOutputStream().write("GET /hea".getBytes(StandardCharsets.US_ASCII));
    }
    assertEquals(200, admin.as(null).get("/health").statusCode());
    long deadline = openedAt + Duration.ofMillis(1000 + 5000).toNanos();
    for (Socket socket : sockets) {
      assertClosedBy(socket, deadline);
    }
  }

  @Test
  @DisplayName("a keep-alive connection idle longer than http.idle_timeout_ms after its response is closed")
  void idleKeepAliveTimesOut(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("http", new JsonObject().put("idle_timeout_ms", 1000)));
    Socket socket = connect();
    socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    long sentAt = System.nanoTime();
    socket.setSoTimeout(10_000);
    byte[] head = new byte[12];
    assertEquals(12, socket.getInputStream().readNBytes(head, 0, 12));
    assertEquals("HTTP/1.1 200", new String(head, StandardCharsets.US_ASCII));
    assertClosedBy(socket, sentAt + Duration.ofMillis(1000 + 5000).toNanos());
  }

  @Test
  @DisplayName("the (cap+1)-th /api/events stream of one token gets 429 while another token still opens one; a closed stream frees its place")
  void streamsPerToken(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("http", new JsonObject().put("max_streams_per_token", 3)));
    String greedy = createToken("greedy", "viewer");
    String other = createToken("other", "viewer");
    List<SseClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        SseClient client = new SseClient(admin.client, admin.base + "/api/events", "Authorization", "Bearer " + greedy);
        open.add(client);
        assertEquals(200, client.awaitResponse().statusCode());
      }
      SseClient refused = new SseClient(admin.client, admin.base + "/api/events", "Authorization", "Bearer " + greedy);
      open.add(refused);
      assertRefused(refused);
      SseClient another = new SseClient(admin.client, admin.base + "/api/events", "Authorization", "Bearer " + other);
      open.add(another);
      assertEquals(200, another.awaitResponse().statusCode());
      open.get(0).close();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (true) {
        SseClient again = new SseClient(admin.client, admin.base + "/api/events", "Authorization", "Bearer " + greedy);
        open.add(again);
        if (again.awaitResponse().statusCode() == 200) {
          break;
        }
        assertTrue(System.nanoTime() < deadline, "the closed stream's place was not given back");
        LockSupport.parkNanos(50_000_000L);
      }
    } finally {
      open.forEach(SseClient::close);
    }
  }

  @Test
  @DisplayName("without auth, streams are capped per client address (http.max_streams_per_address)")
  void streamsPerAddress(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("auth", new JsonObject().put("enabled", false))
        .put("http", new JsonObject().put("max_streams_per_address", 2)));
    List<SseClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        SseClient client = new SseClient(admin.client, admin.base + "/api/events");
        open.add(client);
        assertEquals(200, client.awaitResponse().statusCode());
      }
      SseClient refused = new SseClient(admin.client, admin.base + "/api/events");
      open.add(refused);
      assertRefused(refused);
    } finally {
      open.forEach(SseClient::close);
    }
  }

  @Test
  @DisplayName("past http.max_connections idle connections, /health and admin requests still get in; others get 503")
  void connectionReserve(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("http", new JsonObject().put("max_connections", 20)
        .put("header_timeout_ms", 60_000)));
    String viewer = createToken("viewer", "viewer");
    for (int i = 0; i < 20; i++) {
      connect();
    }
    Api late = new Api(admin.base, null).as(null);
    Api lateViewer = new Api(admin.base, viewer);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    HttpResponse<String> refused = lateViewer.get("/api/runs");
    while (refused.statusCode() != 503) {
      assertTrue(System.nanoTime() < deadline, "a viewer's request past the cap was served: " + refused.statusCode());
      LockSupport.parkNanos(50_000_000L);
      refused = new Api(admin.base, viewer).get("/api/runs");
    }
    assertProblem(503, refused);
    HttpResponse<String> health = late.get("/health");
    assertEquals(200, health.statusCode(), health.body());
    HttpResponse<String> tokens = new Api(admin.base, TestServer.ADMIN_TOKEN).get("/api/tokens");
    assertEquals(200, tokens.statusCode(), tokens.body());
    assertEquals(200, http11().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(admin.base + "/health"))
        .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
  }
}
