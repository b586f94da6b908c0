package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.auth.Caller;
import dev.scriptd.auth.Role;
import dev.scriptd.auth.SessionCheck;
import dev.scriptd.auth.SsoSession;
import dev.scriptd.bus.Namespace;
import dev.scriptd.config.SecurityConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The path a single sign-on session takes: a {@code scriptd_session} cookie resolved by a
 * {@link SessionCheck} becomes the request's {@link Caller}, with its role checked like a token's.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("AuthHandler: a session cookie gives a caller through the same checks as a token")
class AuthHandlerTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private HttpServer server;
  private String base;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    Namespace ns = Namespace.defaultNamespace();
    TokenCheck tokens = new TokenCheck(vertx, ns);
    SessionCheck sessions = id -> Future.succeededFuture(id.equals("ada-session")
        ? new SsoSession("hash-of-ada-session", "sub-ada", "ada", Role.VIEWER, Instant.now(),
            Instant.now().plusSeconds(3600)) : null);
    AuthHandler auth = new AuthHandler(new AccessRules(SecurityConfig.fromJson(new JsonObject()).auth()), tokens,
        sessions, new RateLimiter(0, 0, 100), true);
    Router router = Router.router(vertx);
    router.route().handler(auth);
    new SessionRoutes(auth, true).mount(router);
    router.get("/api/tokens").handler(ctx -> ctx.response().end("[]"));
    router.route().failureHandler(new Problems(1024)::handle);
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + server.actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("a known session is the caller: /api/me names the user, its role and the source oidc")
  void knownSession() throws Exception {
    HttpResponse<String> me = get("/api/me", "scriptd_session=ada-session");
    assertEquals(200, me.statusCode(), me.body());
    JsonObject body = new JsonObject(me.body());
    assertEquals("ada", body.getString("name"));
    assertEquals("viewer", body.getString("role"));
    assertEquals("oidc", body.getString("source"));
  }

  @Test
  @DisplayName("an unknown session is 401 saying the session ended; a viewer session on an admin route is 403 naming the user")
  void unknownSessionAndLowRole() throws Exception {
    HttpResponse<String> unknown = get("/api/me", "scriptd_session=nobody");
    assertEquals(401, unknown.statusCode(), unknown.body());
    assertTrue(new JsonObject(unknown.body()).getString("detail").contains("session"), unknown.body());
    HttpResponse<String> low = get("/api/tokens", "scriptd_session=ada-session");
    assertEquals(403, low.statusCode(), low.body());
    assertTrue(new JsonObject(low.body()).getString("detail").contains("user 'ada' is viewer"), low.body());
    assertEquals(401, get("/api/me", null).statusCode());
  }
}
