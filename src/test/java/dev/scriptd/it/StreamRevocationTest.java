package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Revoking a token ends the streams it opened (SSE, WebSocket, /api/events), and only those")
class StreamRevocationTest {
  /** Revocation is published to every HTTP instance at once; this bounds a loaded machine's delivery. */
  private static final Duration CLOSE_DEADLINE = Duration.ofSeconds(2);
  private static final String TICKING = "for i in $(seq 1 3000); do echo line$i; sleep 0.05; done";

  @TempDir
  Path dataDir;
  TestServer server;
  Api admin;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, TestServer.config(dataDir, TestServer.freePort()).put("rate_limit", 0));
    admin = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private JsonObject createToken(String name, String role) {
    HttpResponse<String> created = admin.post("/api/tokens", new JsonObject().put("name", name).put("role", role));
    assertEquals(201, created.statusCode(), created.body());
    return new JsonObject(created.body());
  }

  private void revoke(JsonObject token) {
    assertEquals(204, admin.send("DELETE", "/api/tokens/" + token.getString("id"), null).statusCode());
  }

  private SseClient sse(String path, String... headers) throws Exception {
    SseClient client = new SseClient(admin.client, admin.base + path, headers);
    assertEquals(200, client.awaitResponse().statusCode(), path);
    return client;
  }

  /** Fails unless the stream keeps delivering events: it is still open. */
  private static void assertStillStreaming(SseClient client) throws InterruptedException {
    client.events.clear();
    SseClient.Event next = client.next(Duration.ofSeconds(10));
    assertNotEquals(SseClient.CLOSED, next, "the other token's stream was closed");
  }

  @Test
  @DisplayName("SSE tails opened with a header, ?token= or the cookie end when the token is revoked; another token's tail goes on")
  void sseTailsEnd() throws Exception {
    String runId = admin.startRun(TICKING).getString("id");
    HttpResponse<String> script = admin.post("/api/scripts", new JsonObject().put("name", "ticking")
        .put("command", TICKING));
    assertEquals(201, script.statusCode(), script.body());
    String scriptId = new JsonObject(script.body()).getString("id");
    assertEquals(201, admin.post("/api/scripts/" + scriptId + "/run", new JsonObject()).statusCode());
    JsonObject doomed = createToken("doomed", "viewer");
    JsonObject other = createToken("other", "viewer");
    String secret = doomed.getString("token");
    List<SseClient> doomedStreams = List.of(
        sse("/api/runs/" + runId + "/logs", "Authorization", "Bearer " + secret),
        sse("/api/logs/" + runId + "?token=" + secret),
        sse("/api/scripts/" + scriptId + "/logs", "Cookie", "scriptd_token=" + secret));
    try (SseClient kept = sse("/api/runs/" + runId + "/logs", "Authorization", "Bearer " + other.getString("token"))) {
      for (SseClient stream : doomedStreams) {
        assertNotEquals(SseClient.CLOSED, stream.next(Duration.ofSeconds(10)), "streaming before the revocation");
      }
      revoke(doomed);
      for (SseClient stream : doomedStreams) {
        stream.untilClosed(CLOSE_DEADLINE);
      }
      assertStillStreaming(kept);
    } finally {
      doomedStreams.forEach(SseClient::close);
    }
  }

  @Test
  @DisplayName("/api/events streams of a revoked token end; another token's stream still gets run events")
  void eventStreamsEnd() throws Exception {
    JsonObject doomed = createToken("doomed", "viewer");
    JsonObject other = createToken("other", "viewer");
    try (SseClient gone = sse("/api/events", "Authorization", "Bearer " + doomed.getString("token"));
        SseClient kept = sse("/api/events", "Authorization", "Bearer " + other.getString("token"))) {
      revoke(doomed);
      gone.untilClosed(CLOSE_DEADLINE);
      admin.startRun("true");
      SseClient.Event event = kept.next(Duration.ofSeconds(10));
      assertEquals("run", event.event(), event.toString());
    }
  }

  /** A WebSocket tail: its text messages, and the close code once closed. */
  private static final class Tail implements WebSocket.Listener {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(partial.toString());
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

    @Override
    public void onError(WebSocket socket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }

  private WebSocket webSocket(String runId, String secret, Tail tail) throws Exception {
    return admin.client.newWebSocketBuilder()
        .header("Authorization", "Bearer " + secret)
        .buildAsync(URI.create("ws://127.0.0.1:" + server.port + "/api/runs/" + runId + "/logs"), tail)
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a WebSocket tail of a revoked token is closed with 1008; another token's tail goes on")
  void webSocketTailsEnd() throws Exception {
    String runId = admin.startRun(TICKING).getString("id");
    JsonObject doomed = createToken("doomed", "viewer");
    JsonObject other = createToken("other", "viewer");
    Tail gone = new Tail();
    Tail kept = new Tail();
    WebSocket goneSocket = webSocket(runId, doomed.getString("token"), gone);
    WebSocket keptSocket = webSocket(runId, other.getString("token"), kept);
    try {
      assertTrue(gone.messages.poll(10, TimeUnit.SECONDS) != null, "streaming before the revocation");
      revoke(doomed);
      assertEquals(1008, gone.closed.get(CLOSE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
      kept.messages.clear();
      assertTrue(kept.messages.poll(10, TimeUnit.SECONDS) != null, "the other token's tail stopped");
      assertTrue(!kept.closed.isDone(), "the other token's tail was closed");
    } finally {
      goneSocket.abort();
      keptSocket.abort();
    }
  }
}
