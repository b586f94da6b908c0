package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.Namespace;
import dev.scriptd.config.TrafficConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Connection guard: header timeout and the connection cap, on a bare Vert.x server")
class ConnectionGuardTest {
  private HttpServer server;
  private final AtomicInteger open = new AtomicInteger();

  /** A server with routes /health and /work behind a guard capped at {@code max} connections, auth off. */
  private int start(Vertx vertx, int max, long headerTimeoutMs) throws Exception {
    return start(vertx, max, headerTimeoutMs, 60_000);
  }

  private int start(Vertx vertx, int max, long headerTimeoutMs, long idleTimeoutMs) throws Exception {
    TrafficConfig.Connections limits = TrafficConfig.fromJson(new JsonObject().put("http", new JsonObject()
        .put("header_timeout_ms", headerTimeoutMs).put("idle_timeout_ms", idleTimeoutMs)
        .put("max_connections", max))).connections();
    ConnectionGuard guard = new ConnectionGuard(vertx, open, limits.maxConnections(1024), limits,
        new TokenCheck(vertx, Namespace.defaultNamespace()), false);
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> ctx.end("up"));
    router.get("/work").handler(ctx -> ctx.end("done"));
    router.route().failureHandler(new Problems(1024)::handle);
    guard.install(router);
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
            .setHttp2ClearTextEnabled(false))
        .connectionHandler(guard::connected).requestHandler(router)
        .listen().await(10, TimeUnit.SECONDS);
    return server.actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Sends one request and returns the whole answer (the server closes or the read times out). */
  private static String exchange(Socket socket, String path) throws Exception {
    String request = "GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.setSoTimeout(5000);
    byte[] buffer = new byte[4096];
    int n = socket.getInputStream().read(buffer);
    return new String(buffer, 0, Math.max(0, n), StandardCharsets.US_ASCII);
  }

  private static boolean closedByServer(Socket socket, int timeoutMs) throws Exception {
    socket.setSoTimeout(timeoutMs);
    InputStream in = socket.getInputStream();
    try {
      while (in.read() >= 0) {
        // the rest of an answer
      }
      return true;
    } catch (SocketException reset) {
      return true;
    }
  }

  @Test
  @DisplayName("past the cap a new connection gets /health but a 503 problem for anything else, then is closed")
  void capLeavesHealth(Vertx vertx) throws Exception {
    int port = start(vertx, 1, 60_000);
    try (Socket first = new Socket("127.0.0.1", port); Socket second = new Socket("127.0.0.1", port);
        Socket third = new Socket("127.0.0.1", port)) {
      assertTrue(exchange(first, "/work").startsWith("HTTP/1.1 200"));
      assertTrue(exchange(second, "/health").startsWith("HTTP/1.1 200"));
      String refused = exchange(third, "/work");
      assertTrue(refused.startsWith("HTTP/1.1 503"), refused);
      assertTrue(refused.contains("application/problem+json"), refused);
      assertTrue(closedByServer(third, 5000));
    }
  }

  @Test
  @DisplayName("a connection without a complete request head is closed after the header timeout; the count goes back down")
  void headerTimeout(Vertx vertx) throws Exception {
    int port = start(vertx, 100, 300);
    try (Socket idle = new Socket("127.0.0.1", port)) {
      idle.getOutputStream().write("GET /wo".getBytes(StandardCharsets.US_ASCII));
      long started = System.nanoTime();
      assertTrue(closedByServer(idle, 5000));
      assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(4), "closed late");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (open.get() != 0) {
      assertTrue(System.nanoTime() < deadline, "open connections still counted: " + open.get());
      LockSupport.parkNanos(10_000_000L);
    }
    assertEquals(0, open.get());
  }

  @Test
  @DisplayName("a keep-alive connection used again and again outlives both timeouts, then closes an idle timeout after its last answer")
  void busyConnectionStaysOpen(Vertx vertx) throws Exception {
    int port = start(vertx, 100, 300, 800);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2000);
      int answered = 0;
      while (System.nanoTime() < until) {
        assertTrue(exchange(socket, "/work").startsWith("HTTP/1.1 200"), "answer " + answered);
        answered++;
        // the gap between requests is the scenario (shorter than the idle timeout), not a wait for the server
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
      }
      assertTrue(exchange(socket, "/work").startsWith("HTTP/1.1 200"));
      long lastAnswer = System.nanoTime();
      assertTrue(closedByServer(socket, 5000));
      long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastAnswer);
      assertTrue(idleMs >= 700 && idleMs < 4000, "closed after " + idleMs + " ms idle");
    }
  }
}
