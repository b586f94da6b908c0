package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.auth.Role;
import dev.scriptd.auth.SsoSession;
import dev.scriptd.config.TrafficConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Stream gate: the owner of a stream opened with a single sign-on session is told when the session expires")
class StreamGateTest {
  private HttpServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("a stream opened with a session reports the session's hash once, at its expiry and not before")
  void aSessionsStreamEndsAtItsExpiry(Vertx vertx) throws Exception {
    BlockingQueue<String> expired = new LinkedBlockingQueue<>();
    BlockingQueue<Long> expiredAt = new LinkedBlockingQueue<>();
    StreamGate gate = new StreamGate(new StreamQuota(),
        new TrafficConfig.Connections(10_000, 60_000, 4, 4, 0), vertx, hash -> {
          expiredAt.add(System.currentTimeMillis());
          expired.add(hash);
        });
    Instant expiresAt = Instant.now().plusMillis(300);
    SsoSession session = new SsoSession("hash-of-the-session", "sub-ada", "ada", Role.VIEWER, Instant.now(), expiresAt);
    Router router = Router.router(vertx);
    router.get("/stream").handler(ctx -> {
      ctx.put(AuthHandler.SESSION, session);
      gate.admit(ctx);
      ctx.response().setStatusCode(204).end();
    });
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    HttpResponse<Void> opened = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.actualPort() + "/stream")).build(), HttpResponse.BodyHandlers.discarding());
    assertEquals(204, opened.statusCode());

    assertEquals("hash-of-the-session", expired.poll(10, TimeUnit.SECONDS), "no expiry reported");
    long at = expiredAt.take();
    assertTrue(at >= expiresAt.toEpochMilli() - 5, "reported " + (expiresAt.toEpochMilli() - at) + " ms early");
    assertNull(expired.poll(500, TimeUnit.MILLISECONDS), "reported twice");
  }
}
