package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Tokens, roles, sessions, rate limits and request limits over real HTTP")
class SecurityApiTest {
  /** The database the servers of a test use: null for SQLite in the data dir; PostgreSQL variants override it. */
  String databaseUrl() {
    return null;
  }

  @TempDir
  Path dataDir;
  TestServer server;
  Api admin;

  void start(Vertx vertx, JsonObject extra) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort(), databaseUrl()).put("rate_limit", 0);
    config.mergeIn(extra, true);
    server = TestServer.start(vertx, config);
    admin = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private String createToken(String name, String role) {
    HttpResponse<String> created = admin.post("/api/tokens", new JsonObject().put("name", name).put("role", role));
    assertEquals(201, created.statusCode(), created.body());
    JsonObject body = new JsonObject(created.body());
    assertEquals(name, body.getString("name"));
    assertEquals(role, body.getString("role"));
    assertTrue(body.getString("token").startsWith("sd_"), body.encode());
    assertTrue(body.getString("token").length() >= 43, "at least 256 bits in URL-safe base64");
    return body.getString("token");
  }

  private String tokenId(String name) {
    JsonArray items = new JsonObject(admin.get("/api/tokens").body()).getJsonArray("items");
    return items.stream().map(JsonObject.class::cast).filter(t -> t.getString("name").equals(name))
        .findFirst().orElseThrow().getString("id");
  }

  /** The role each API route needs, restated from the API's documented roles (src/docs/security.md) (not read from the server's rule table). */
  private static String expectedRole(HttpMethod method, String path) {
    if (path.equals("/api/login") || path.equals("/api/logout")) {
      return null;
    }
    if (method == HttpMethod.GET && (path.equals("/api/openapi.json") || path.startsWith("/api/docs"))) {
      return null; // the API's description, open like /health
    }
    if (path.startsWith("/api/tokens") || path.startsWith("/api/admin/") || path.startsWith("/api/audit")
        || (path.equals("/api/runs/cleanup") && method == HttpMethod.POST)) {
      return "admin";
    }
    if (path.equals("/api/cluster")) {
      return "viewer"; // GET /api/cluster (viewer), the nodes of the cluster
    }
    if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
      return "viewer";
    }
    if (path.matches("/api/runs/[^/]+/pin")) {
      return "operator"; // pin and unpin: "(operator)" in API.md, DELETE included
    }
    return method == HttpMethod.DELETE ? "admin" : "operator";
  }

  /** Every (method, path) of the router the server really builds, with :params filled in. */
  private List<String[]> apiRoutes() {
    Router router = server.handle.router(); // built exactly as the server's own
    Set<String> seen = new TreeSet<>();
    List<String[]> routes = new ArrayList<>();
    for (Route route : router.getRoutes()) {
      String path = route.getPath();
      if (path == null || !path.startsWith("/api/") || route.methods() == null || route.methods().isEmpty()) {
        continue;
      }
      String concrete = path.replaceAll(":[A-Za-z_]+", UUID.randomUUID().toString());
      for (HttpMethod method : route.methods()) {
        if (seen.add(method.name() + " " + path)) {
          routes.add(new String[] {method.name(), concrete, path});
        }
      }
    }
    assertTrue(routes.size() >= 12, "the route list looks incomplete: " + seen);
    return routes;
  }

  private static void assertProblem(int status, HttpResponse<String> response, String what) {
    assertEquals(status, response.statusCode(), what + ": " + response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), what);
    JsonObject problem = new JsonObject(response.body());
    assertEquals(status, problem.getInteger("status"));
    assertFalse(problem.getString("detail", "").isBlank(), what);
  }

  /**
   * The single sign-on routes under {@code /auth/}, which need no token: a person signs in through
   * them. Each answers without a token as it does when single sign-on is off (404 where it needs it).
   */
  private static final String[][] SSO_ROUTES = {
      {"GET", "/auth/info", "200"},
      {"GET", "/auth/login", "404"},
      {"GET", "/auth/callback", "404"},
      {"POST", "/auth/logout", "303"},
  };

  @Test
  @DisplayName("the single sign-on routes under /auth/ need no token")
  void theSingleSignOnRoutesAreOpen(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    Api anonymous = admin.as(null);
    for (String[] route : SSO_ROUTES) {
      HttpResponse<String> response = anonymous.send(route[0], route[1], null);
      assertEquals(Integer.parseInt(route[2]), response.statusCode(), route[0] + " " + route[1] + ": " + response.body());
    }
  }

  @Test
  @DisplayName("every API route: 401 without, with an invalid and with a revoked token; 403 below its role")
  void everyRouteIsGuarded(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    String viewer = createToken("v", "viewer");
    String operator = createToken("o", "operator");
    String revoked = createToken("gone", "admin");
    assertEquals(204, admin.send("DELETE", "/api/tokens/" + tokenId("gone"), null).statusCode());
    String body = "{}";

    for (String[] route : apiRoutes()) {
      String method = route[0];
      String path = route[1];
      String what = method + " " + route[2];
      String role = expectedRole(HttpMethod.valueOf(method), route[2]);
      HttpResponse<String> anonymous = admin.as(null).send(method, path, body);
      if (role == null) {
        assertNotEquals(401, anonymous.statusCode(), what + " is open");
        continue;
      }
      assertProblem(401, anonymous, what + " without a token");
      assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), what);
      assertProblem(401, admin.as("sd_not-a-real-token-000000000000000000000").send(method, path, body),
          what + " with an invalid token");
      assertProblem(401, admin.as(revoked).send(method, path, body), what + " with a revoked token");
      assertProblem(401, admin.as(null).send(method, path + "?token=sd_bogus-token-in-the-query-000000", body),
          what + " with an invalid ?token=");
      if (route[2].equals("/api/events")) {
        continue; // an endless stream when allowed; its rejections are checked above
      }
      if (role.equals("operator")) {
        assertProblem(403, admin.as(viewer).send(method, path, body), what + " as viewer");
        assertFalse(Set.of(401, 403).contains(admin.as(operator).send(method, path, body).statusCode()), what);
      } else if (role.equals("admin")) {
        assertProblem(403, admin.as(operator).send(method, path, body), what + " as operator");
        assertProblem(403, admin.as(viewer).send(method, path, body), what + " as viewer");
      } else {
        assertFalse(Set.of(401, 403).contains(admin.as(viewer).send(method, path, body).statusCode()), what);
      }
      assertFalse(Set.of(401, 403).contains(admin.send(method, path, body).statusCode()), what + " as admin");
    }
  }

  @Test
  @DisplayName("token secrets appear once: never in a later response, never in clear in the database")
  void secretsAreShownOnce(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    String secret = createToken("ci", "operator");
    String id = tokenId("ci");
    HttpResponse<String> list = admin.get("/api/tokens");
    assertEquals(200, list.statusCode());
    assertFalse(list.body().contains(secret), list.body());
    assertFalse(list.body().contains(TestServer.ADMIN_TOKEN), list.body());
    JsonObject listed = new JsonObject(list.body()).getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(t -> t.getString("id").equals(id)).findFirst().orElseThrow();
    assertEquals(Set.of("id", "name", "role", "created_at", "last_used_at"), listed.fieldNames());

    // the token works and its use is recorded
    Api ci = admin.as(secret);
    assertEquals(201, ci.post("/api/runs", new JsonObject().put("command", "true")).statusCode());
    JsonObject me = new JsonObject(ci.get("/api/me").body());
    assertEquals("ci", me.getString("name"));
    assertEquals("operator", me.getString("role"));
    assertEquals("token", me.getString("source"));
    assertFalse(ci.get("/api/me").body().contains(secret));

    server.close();
    server = null;
    assertStoredAsHash(id, secret);
  }

  /** Neither the file nor its WAL holds a secret; the table holds the SHA-256 only, and the last use. */
  void assertStoredAsHash(String id, String secret) throws Exception {
    for (Path file : List.of(dataDir.resolve("scriptd.db"), dataDir.resolve("scriptd.db-wal"))) {
      if (Files.exists(file)) {
        String raw = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertFalse(raw.contains(secret), file + " holds the token in clear");
        assertFalse(raw.contains(TestServer.ADMIN_TOKEN), file + " holds the admin token in clear");
      }
    }
    try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("scriptd.db"));
         java.sql.ResultSet rows = db.createStatement().executeQuery(
             "SELECT hash, last_used_at FROM tokens WHERE id = '" + id + "'")) {
      assertTrue(rows.next());
      assertEquals(64, rows.getString(1).length());
      assertNotEquals(0, rows.getLong(2), "last_used_at is recorded");
    }
  }

  @Test
  @DisplayName("the token list pages like every list: limit and next_cursor walk every token once, oldest first")
  void tokenListPages(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    for (String name : List.of("t1", "t2", "t3", "t4")) {
      createToken(name, "viewer");
    }
    List<String> names = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      HttpResponse<String> page = admin.get("/api/tokens?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
      assertEquals(200, page.statusCode(), page.body());
      JsonObject body = new JsonObject(page.body());
      assertTrue(body.getJsonArray("items").size() <= 2, page.body());
      body.getJsonArray("items").forEach(item -> names.add(((JsonObject) item).getString("name")));
      cursor = body.getString("next_cursor");
      pages++;
    } while (cursor != null && pages < 10);
    // each once; by created_at (two made in the same millisecond are ordered by id), the admin's first
    assertEquals(List.of("admin", "t1", "t2", "t3", "t4"), names.stream().sorted().toList());
    assertEquals("admin", names.get(0));
    assertEquals(3, pages);
    assertEquals(400, admin.get("/api/tokens?limit=1001").statusCode());
    assertEquals(400, admin.get("/api/tokens?cursor=not-a-cursor").statusCode());
  }

  @Test
  @DisplayName("revoking takes effect at once, on every HTTP instance; the last admin token cannot be revoked")
  void revokeIsImmediate(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    String secret = createToken("short-lived", "viewer");
    Api user = admin.as(secret);
    for (int i = 0; i < 8; i++) { // several connections: both HTTP instances cache the token
      assertEquals(200, admin.as(secret).get("/api/runs").statusCode());
    }
    assertEquals(204, admin.send("DELETE", "/api/tokens/" + tokenId("short-lived"), null).statusCode());
    for (int i = 0; i < 8; i++) {
      assertProblem(401, user.get("/api/runs"), "revoked token");
    }
    String adminId = tokenId("admin");
    assertProblem(409, admin.send("DELETE", "/api/tokens/" + adminId, null), "last admin");
    assertProblem(404, admin.send("DELETE", "/api/tokens/" + UUID.randomUUID(), null), "unknown token");
    HttpResponse<String> invalid = admin.post("/api/tokens", new JsonObject().put("name", "").put("role", "root"));
    assertProblem(400, invalid, "bad token body");
    JsonArray errors = new JsonObject(invalid.body()).getJsonArray("errors");
    assertEquals(2, errors.size(), invalid.body());
  }

  @Test
  @DisplayName("login sets an HttpOnly SameSite=Strict cookie, me reads it, logout clears it; the ?token= link opened by the person redirects")
  void loginLogoutAndLink(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    Api anonymous = admin.as(null);
    assertProblem(401, anonymous.get("/api/me"), "me without a session");
    assertProblem(401, anonymous.post("/api/login", new JsonObject().put("token", "sd_wrong-wrong-wrong-wrong")), "bad login");
    assertProblem(400, anonymous.post("/api/login", new JsonObject()), "login without token");

    HttpResponse<String> login = anonymous.post("/api/login", new JsonObject().put("token", TestServer.ADMIN_TOKEN));
    assertEquals(200, login.statusCode(), login.body());
    assertEquals("admin", new JsonObject(login.body()).getString("role"));
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cookie.startsWith("scriptd_token=" + TestServer.ADMIN_TOKEN + ";"), cookie);
    assertTrue(cookie.toLowerCase().contains("; httponly"), cookie);
    assertTrue(cookie.contains("SameSite=Strict"), cookie);
    assertTrue(cookie.contains("Path=/"), cookie);
    String pair = cookie.substring(0, cookie.indexOf(';'));
    String hint = login.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("scriptd_ui=")).findFirst()
        .orElseThrow(() -> new AssertionError("login sets the scriptd_ui hint for the UI"));
    assertTrue(hint.startsWith("scriptd_ui=1;") && !hint.toLowerCase().contains("httponly"), hint);

    HttpResponse<String> me = anonymous.send("GET", "/api/me", null, "Cookie", pair);
    assertEquals(200, me.statusCode(), me.body());
    assertEquals("admin", new JsonObject(me.body()).getString("name"));
    assertEquals(200, anonymous.send("GET", "/api/runs", null, "Cookie", pair).statusCode());

    // a change made with the cookie says where it comes from, as browsers do
    HttpResponse<String> logout = anonymous.send("POST", "/api/logout", null, "Cookie", pair, "Origin", admin.base);
    assertEquals(204, logout.statusCode());
    String cleared = logout.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cleared.startsWith("scriptd_token=;") && cleared.contains("Max-Age=0"), cleared);
    assertTrue(logout.headers().allValues("Set-Cookie").stream()
        .anyMatch(c -> c.startsWith("scriptd_ui=;") && c.contains("Max-Age=0")), "logout clears the hint");

    // opened by the person (typed or pasted: Sec-Fetch-Site none)
    HttpResponse<String> link = anonymous.send("GET", "/?token=" + TestServer.ADMIN_TOKEN, null, "Sec-Fetch-Site", "none");
    assertEquals(302, link.statusCode());
    assertEquals("/", link.headers().firstValue("Location").orElseThrow());
    assertTrue(link.headers().firstValue("Set-Cookie").orElseThrow().toLowerCase().contains("httponly"));
    assertTrue(link.headers().allValues("Set-Cookie").stream().anyMatch(c -> c.startsWith("scriptd_ui=1;")),
        "the link sets the hint");
    assertProblem(401, anonymous.get("/?token=sd_bad-link-token-000000000000"), "bad link");
    assertEquals(200, anonymous.get("/").statusCode(), "the UI itself is open");
    assertEquals(200, anonymous.get("/health").statusCode(), "health is open by default");
  }

  @Test
  @DisplayName("?token= works for SSE, as browsers' EventSource cannot send headers")
  void queryTokenForSse(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    String viewer = createToken("screen", "viewer");
    String id = admin.startRun("echo one; echo two").getString("id");
    admin.awaitEnd(id);
    try (SseClient sse = new SseClient(admin.client, admin.base + "/api/runs/" + id + "/logs?token=" + viewer)) {
      List<SseClient.Event> events = sse.untilClosed(Duration.ofSeconds(20));
      assertEquals(2, events.stream().filter(e -> "log".equals(e.event())).count());
      assertEquals("done", events.get(events.size() - 1).event());
    }
    try (SseClient sse = new SseClient(admin.client, admin.base + "/api/events")) {
      assertEquals(401, sse.awaitResponse().statusCode());
    }
    // WebSocket with ?token= of tokens no HTTP instance has seen yet (the lookup is asynchronous)
    for (int i = 0; i < 4; i++) {
      String fresh = createToken("ws" + i, "viewer");
      java.util.concurrent.CompletableFuture<Integer> closed = new java.util.concurrent.CompletableFuture<>();
      List<String> frames = new java.util.concurrent.CopyOnWriteArrayList<>();
      admin.client.newWebSocketBuilder().buildAsync(java.net.URI.create("ws://127.0.0.1:" + server.port
          + "/api/runs/" + id + "/logs?since=0&token=" + fresh), new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket socket, CharSequence data,
                boolean last) {
              frames.add(data.toString());
              socket.request(1);
              return null;
            }

            @Override
            public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket socket, int status,
                String reason) {
              closed.complete(status);
              return null;
            }
          }).get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(1000, closed.get(20, java.util.concurrent.TimeUnit.SECONDS));
      assertTrue(frames.stream().anyMatch(f -> f.contains("\"done\"")), frames.toString());
    }
  }

  @Test
  @DisplayName("over the rate limit: 429 with Retry-After; other tokens keep their own budget")
  void rateLimit(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("rate_limit", 2).put("rate_burst", 5));
    List<Integer> statuses = new ArrayList<>();
    HttpResponse<String> limited = null;
    for (int i = 0; i < 20 && limited == null; i++) {
      HttpResponse<String> response = admin.get("/api/runs");
      statuses.add(response.statusCode());
      if (response.statusCode() == 429) {
        limited = response;
      }
    }
    assertNotNull(limited, "no 429 in " + statuses);
    assertTrue(statuses.indexOf(429) >= 5, "the burst of 5 passes first: " + statuses);
    assertProblem(429, limited, "limited");
    long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1, "Retry-After " + retryAfter);
    // anonymous clients are limited per address, separately from the admin token
    HttpResponse<String> anonymous = admin.as(null).get("/health");
    assertEquals(200, anonymous.statusCode(), anonymous.body());
  }

  @Test
  @DisplayName("bodies over http.max_body_bytes are 413; bad fields are 400 listing each one")
  void bodyLimitAndValidation(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("http", new JsonObject().put("instances", 2).put("max_body_bytes", 4096)));
    String big = new JsonObject().put("command", "x".repeat(10_000)).encode();
    assertProblem(413, admin.send("POST", "/api/runs", big), "big body");
    HttpResponse<String> bad = admin.post("/api/runs", new JsonObject().put("command", 5).put("timeout", -1)
        .put("env", new JsonObject().put("1A", "x").put("OK", new JsonObject().put("secret", "yes"))).put("trigger", "x"));
    assertProblem(400, bad, "bad run");
    Set<String> fields = new TreeSet<>();
    new JsonObject(bad.body()).getJsonArray("errors").forEach(e -> fields.add(((JsonObject) e).getString("field")));
    assertEquals(Set.of("command", "timeout", "env.1A", "env.OK", "trigger"), fields);
    assertProblem(400, admin.send("POST", "/api/runs", "{\"command\": "), "malformed json");
    assertProblem(400, admin.send("POST", "/api/runs", "[1,2]"), "not an object");
    HttpResponse<String> form = admin.client.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(admin.base + "/api/runs"))
        .header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("command=" + "x".repeat(3000))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertProblem(415, form, "a form instead of JSON");
    assertProblem(400, admin.get("/api/runs?limit=abc&status=nope&from=yesterday"), "bad query");
    assertProblem(400, admin.get("/api/runs?script_id=" + "x".repeat(300)), "long script_id");
  }

  @Test
  @DisplayName("ad-hoc runs can be switched off or limited to an allowlist (403)")
  void adhocPolicy(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("adhoc", new JsonObject().put("allow", new JsonArray().add("echo [a-z]+"))));
    assertEquals(201, admin.post("/api/runs", new JsonObject().put("command", "echo hello")).statusCode());
    assertProblem(403, admin.post("/api/runs", new JsonObject().put("command", "rm -rf /tmp/x")), "not allowed");
    server.close();
    server = null;
    start(vertx, new JsonObject().put("adhoc", new JsonObject().put("enabled", false)));
    HttpResponse<String> refused = admin.post("/api/runs", new JsonObject().put("command", "echo hello"));
    assertProblem(403, refused, "ad-hoc disabled");
    assertTrue(new JsonObject(refused.body()).getString("detail").contains("adhoc.enabled"));
  }

  @Test
  @DisplayName("with auth.enabled = false everything is open and /api/me says so")
  void authOff(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("auth", new JsonObject().put("enabled", false)));
    Api anonymous = admin.as(null);
    assertEquals(200, anonymous.get("/api/runs").statusCode());
    assertEquals(200, anonymous.get("/api/tokens").statusCode());
    assertEquals(false, new JsonObject(anonymous.get("/api/me").body()).getBoolean("auth"));
    assertNull(Stream.of(anonymous.get("/api/runs").headers().firstValue("WWW-Authenticate").orElse(null))
        .filter(v -> v != null).findFirst().orElse(null));
  }

  @Test
  @DisplayName("/health and /metrics can be protected")
  void protectedHealth(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("auth", new JsonObject().put("protect_health", true)));
    assertProblem(401, admin.as(null).get("/health"), "protected health");
    assertEquals(200, admin.get("/health").statusCode());
  }

  @Test
  @DisplayName("/hooks endpoints with auth: token need a valid token; public ones do not")
  void hookAuth(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    for (String auth : List.of("token", "public")) {
      HttpResponse<String> created = admin.post("/api/scripts", new JsonObject().put("name", "hook-" + auth)
          .put("kind", "shell").put("command", "echo hi")
          .put("endpoint", new JsonObject().put("method", "GET").put("path", auth).put("auth", auth)));
      assertEquals(201, created.statusCode(), created.body());
    }
    String operator = createToken("caller", "operator"); // endpoint.role defaults to operator
    assertProblem(401, admin.as(null).get("/hooks/token?wait=true"), "no token");
    assertProblem(401, admin.as("sd_wrong-token-for-the-hook-000000").get("/hooks/token?wait=true"), "bad token");
    HttpResponse<String> ok = admin.as(operator).get("/hooks/token?wait=true");
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("hi", ok.body().strip());
    assertEquals(200, admin.as(null).get("/hooks/public?wait=true").statusCode());
  }
}
