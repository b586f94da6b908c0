package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Single sign-on against a real OpenID provider: roles, refusals, sessions, logout, same-origin changes")
class SsoLoginTest {
  @TempDir
  static Path logs;
  static int port;
  static OidcProvider provider;

  @TempDir
  Path dataDir;
  TestServer server;
  String self;

  @BeforeAll
  static void startProvider() throws Exception {
    port = TestServer.freePort();
    provider = OidcProvider.start("http://127.0.0.1:" + port + "/auth/callback", logs);
  }

  @AfterAll
  static void stopProvider() throws Exception {
    provider.close();
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, config(dataDir, port, provider));
    self = "http://127.0.0.1:" + port;
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  /** The database of the server on {@code dir}: null for SQLite in it; PostgreSQL variants override it. */
  String databaseUrl(Path dir) {
    return null;
  }

  JsonObject config(Path dataDir, int port, OidcProvider provider) {
    return TestServer.config(dataDir, port, databaseUrl(dataDir)).put("rate_limit", 0)
        .put("auth", new JsonObject().put("oidc", provider.scriptdConfig()).put("session_ttl", "1h"));
  }

  private static Map<String, String> query(String url) {
    Map<String, String> params = new HashMap<>();
    String raw = URI.create(url).getRawQuery();
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return params;
  }

  private static String setCookie(HttpResponse<String> response, String name) {
    return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst()
        .orElse(null);
  }

  /** Signs {@code login} in through the provider's pages; answers the callback's response. */
  private HttpResponse<String> signIn(SsoClient browser, String login) {
    String authorize = browser.startLogin(self, null);
    return browser.get(browser.signInAtProvider(authorize, login));
  }

  private JsonObject me(SsoClient browser) {
    HttpResponse<String> me = browser.get(self + "/api/me");
    assertEquals(200, me.statusCode(), me.body());
    return new JsonObject(me.body());
  }

  @Test
  @DisplayName("signing in through the provider's pages lands logged in with the role each account's groups give")
  void signingInGivesTheRoleOfTheGroups() {
    for (String[] account : new String[][] {{"alice", "admin"}, {"oscar", "operator"}, {"vera", "viewer"}}) {
      SsoClient browser = new SsoClient();
      HttpResponse<String> callback = signIn(browser, account[0]);
      assertEquals(302, callback.statusCode(), account[0] + ": " + callback.body());
      assertEquals("/", callback.headers().firstValue("Location").orElseThrow());
      String cookie = setCookie(callback, "scriptd_session");
      assertNotNull(cookie, "the callback sets the session cookie");
      String attributes = cookie.toLowerCase(Locale.ROOT);
      assertTrue(attributes.contains("httponly") && attributes.contains("samesite=lax")
          && attributes.contains("path=/"), cookie);
      assertFalse(attributes.contains("secure"), "plain HTTP without a trusted proxy: not Secure: " + cookie);
      assertTrue(browser.cookie("scriptd_session").startsWith("ss_"));

      JsonObject me = me(browser);
      assertEquals(account[0], me.getString("name"), me.encode());
      assertEquals(account[1], me.getString("role"), me.encode());
      assertEquals("oidc", me.getString("source"), me.encode());
      assertEquals(account[0], me.getString("id"), "the id is the provider's subject");
    }
    // tokens keep working beside it
    assertEquals(200, server.api.get("/api/runs").statusCode());
  }

  @Test
  @DisplayName("the login redirect asks for a code with PKCE S256, state and nonce, and keeps them in an HttpOnly /auth cookie")
  void theLoginRedirectCarriesPkceStateAndNonce() {
    SsoClient browser = new SsoClient();
    HttpResponse<String> login = browser.get(self + "/auth/login?return_to=/runs");
    assertEquals(302, login.statusCode(), login.body());
    String location = login.headers().firstValue("Location").orElseThrow();
    assertTrue(location.startsWith(provider.issuer + "/auth?"), location);
    Map<String, String> params = query(location);
    assertEquals("code", params.get("response_type"));
    assertEquals(OidcProvider.CLIENT_ID, params.get("client_id"));
    assertEquals(self + "/auth/callback", params.get("redirect_uri"));
    assertEquals("S256", params.get("code_challenge_method"));
    assertEquals(43, params.get("code_challenge").length());
    assertEquals(43, params.get("state").length());
    assertEquals(43, params.get("nonce").length());
    assertEquals(List.of("openid", "profile", "email", "groups"), List.of(params.get("scope").split(" ")));
    String cookie = setCookie(login, "scriptd_sso").toLowerCase(Locale.ROOT);
    assertTrue(cookie.contains("httponly") && cookie.contains("path=/auth") && cookie.contains("samesite=lax")
        && cookie.contains("max-age=600"), cookie);
    // the values live in the cookie, not in the URL's clear text alone: the verifier never leaves the server's cookie
    assertFalse(location.contains(browser.cookie("scriptd_sso")));

    HttpResponse<String> callback = browser.get(browser.signInAtProvider(location, "vera"));
    assertEquals(302, callback.statusCode(), callback.body());
    assertEquals("/runs", callback.headers().firstValue("Location").orElseThrow(), "return_to is honoured");

    HttpResponse<String> away = new SsoClient().get(self + "/auth/login?return_to=//evil.example/x");
    SsoClient other = new SsoClient();
    HttpResponse<String> far = other.get(self + "/auth/login?return_to=" + "https://evil.example/");
    assertEquals(302, away.statusCode());
    assertEquals(302, far.statusCode());
    HttpResponse<String> landed = other.get(other.signInAtProvider(far.headers().firstValue("Location").orElseThrow(),
        "vera"));
    assertEquals("/", landed.headers().firstValue("Location").orElseThrow(), "another site is never a return_to");
  }

  @Test
  @DisplayName("an account whose groups map to no role gets 403 and no session")
  void noMappedRoleIsForbidden() {
    SsoClient browser = new SsoClient();
    HttpResponse<String> callback = signIn(browser, "nora");
    assertEquals(403, callback.statusCode(), callback.body());
    assertTrue(callback.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    JsonObject problem = new JsonObject(callback.body());
    assertEquals(403, problem.getInteger("status"));
    assertTrue(problem.getString("detail").contains("nora"), problem.encode());
    assertNull(setCookie(callback, "scriptd_session"));
    assertEquals(401, browser.get(self + "/api/me").statusCode());
  }

  @Test
  @DisplayName("a callback whose state was tampered with is refused, and so are one naming another issuer and one without the login cookie")
  void aTamperedStateIsRefused() {
    SsoClient browser = new SsoClient();
    String back = browser.signInAtProvider(browser.startLogin(self, null), "alice");
    String state = query(back).get("state");
    String tampered = back.replace("state=" + state, "state=" + (state.charAt(0) == 'A' ? 'B' : 'A')
        + state.substring(1));
    HttpResponse<String> refused = browser.get(tampered);
    assertEquals(403, refused.statusCode(), refused.body());
    assertTrue(new JsonObject(refused.body()).getString("detail").contains("state"), refused.body());
    assertNull(setCookie(refused, "scriptd_session"));
    // the untampered callback cannot be replayed after that: the login cookie served its one callback
    HttpResponse<String> replay = browser.get(back);
    assertEquals(403, replay.statusCode(), replay.body());
    assertEquals(401, browser.get(self + "/api/me").statusCode());

    // a callback that names another issuer (RFC 9207 mix-up) is refused
    SsoClient mixedUp = new SsoClient();
    String fromProvider = mixedUp.signInAtProvider(mixedUp.startLogin(self, null), "alice");
    assertTrue(fromProvider.contains("iss="), "the provider names itself: " + fromProvider);
    HttpResponse<String> mixUp = mixedUp.get(fromProvider.replaceAll("iss=[^&]*", "iss=https%3A%2F%2Fevil.example"));
    assertEquals(403, mixUp.statusCode(), mixUp.body());
    assertTrue(new JsonObject(mixUp.body()).getString("detail").contains("another issuer"), mixUp.body());
    assertNull(setCookie(mixUp, "scriptd_session"));

    // a callback in a browser that never started this sign-in (login CSRF) is refused too
    SsoClient starter = new SsoClient();
    String victimUrl = starter.signInAtProvider(starter.startLogin(self, null), "alice");
    SsoClient victim = new SsoClient();
    HttpResponse<String> planted = victim.get(victimUrl);
    assertEquals(403, planted.statusCode(), planted.body());
    assertNull(setCookie(planted, "scriptd_session"));
  }

  @Test
  @DisplayName("logout ends the session on the server: a copy of the cookie no longer works")
  void logoutEndsTheSession() {
    SsoClient browser = new SsoClient();
    assertEquals(302, signIn(browser, "oscar").statusCode());
    String session = browser.cookie("scriptd_session");
    HttpRequest withCopy = HttpRequest.newBuilder(URI.create(self + "/api/me"))
        .header("Cookie", "scriptd_session=" + session).timeout(Duration.ofSeconds(10)).build();
    assertEquals(200, new SsoClient().send(withCopy).statusCode());

    HttpResponse<String> logout = browser.post(self + "/api/logout", self, null);
    assertEquals(204, logout.statusCode(), logout.body());
    assertTrue(setCookie(logout, "scriptd_session").toLowerCase(Locale.ROOT).contains("max-age=0"));
    HttpResponse<String> after = new SsoClient().send(withCopy);
    assertEquals(401, after.statusCode(), "the session is gone server-side: " + after.body());

    // the form logout (POST /auth/logout) too, back to the UI
    SsoClient second = new SsoClient();
    assertEquals(302, signIn(second, "oscar").statusCode());
    String other = second.cookie("scriptd_session");
    HttpResponse<String> formLogout = second.post(self + "/auth/logout", self, null);
    assertEquals(303, formLogout.statusCode(), formLogout.body());
    assertEquals("/", formLogout.headers().firstValue("Location").orElseThrow());
    assertEquals(401, new SsoClient().send(HttpRequest.newBuilder(URI.create(self + "/api/me"))
        .header("Cookie", "scriptd_session=" + other).build()).statusCode());
  }

  /** Opens an SSE stream of {@code path} with this session cookie; fails unless it is answered 200. */
  private SseClient sseWithSession(String path, String session) throws Exception {
    SseClient client = new SseClient(server.api.client, self + path, "Cookie", "scriptd_session=" + session);
    assertEquals(200, client.awaitResponse().statusCode(), path);
    return client;
  }

  @Test
  @DisplayName("logging out ends the streams opened with the session (a tail and /api/events); another session's tail goes on until it logs out too")
  void logoutEndsTheStreamsOfTheSession() throws Exception {
    String runId = server.api.startRun("for i in $(seq 1 3000); do echo line$i; sleep 0.05; done").getString("id");
    SsoClient browser = new SsoClient();
    assertEquals(302, signIn(browser, "oscar").statusCode());
    SsoClient other = new SsoClient();
    assertEquals(302, signIn(other, "vera").statusCode());
    // published to every HTTP instance at once, like a token's revocation; this bounds a loaded machine
    Duration closeDeadline = Duration.ofSeconds(2);
    try (SseClient tail = sseWithSession("/api/runs/" + runId + "/logs", browser.cookie("scriptd_session"));
        SseClient events = sseWithSession("/api/events", browser.cookie("scriptd_session"));
        SseClient otherTail = sseWithSession("/api/runs/" + runId + "/logs", other.cookie("scriptd_session"))) {
      assertNotEquals(SseClient.CLOSED, tail.next(Duration.ofSeconds(10)), "streaming before the logout");
      assertEquals(204, browser.post(self + "/api/logout", self, null).statusCode());
      tail.untilClosed(closeDeadline);
      events.untilClosed(closeDeadline);
      otherTail.events.clear();
      assertNotEquals(SseClient.CLOSED, otherTail.next(Duration.ofSeconds(10)), "the other session's tail was closed");

      assertEquals(303, other.post(self + "/auth/logout", self, null).statusCode());
      otherTail.untilClosed(closeDeadline);
    }
  }

  @Test
  @DisplayName("a change made with the session cookie from another origin is refused; from scriptd's own origin it works")
  void crossOriginChangesWithTheSessionAreRefused() {
    SsoClient browser = new SsoClient();
    assertEquals(302, signIn(browser, "oscar").statusCode());
    String run = new JsonObject().put("command", "true").encode();
    HttpResponse<String> foreign = browser.post(self + "/api/runs", "http://evil.example", run);
    assertEquals(403, foreign.statusCode(), foreign.body());
    assertEquals("urn:scriptd:problem:cross-origin", new JsonObject(foreign.body()).getString("type"), foreign.body());
    HttpResponse<String> own = browser.post(self + "/api/runs", self, run);
    assertEquals(201, own.statusCode(), own.body());
    // a viewer's session is held to its role
    SsoClient viewer = new SsoClient();
    assertEquals(302, signIn(viewer, "vera").statusCode());
    assertEquals(403, viewer.post(self + "/api/runs", self, run).statusCode());
  }

  @Test
  @DisplayName("a session outlives a restart of the server (sessions are stored, hashed)")
  void aSessionSurvivesARestart(Vertx vertx) throws Exception {
    SsoClient browser = new SsoClient();
    assertEquals(302, signIn(browser, "alice").statusCode());
    server.close();
    server = TestServer.start(vertx, config(dataDir, port, provider));
    assertEquals("admin", me(browser).getString("role"));
  }

  /** Signs alice in at a provider that rewrites {@code claims} in its ID tokens; answers the callback. */
  private HttpResponse<String> signInWithRewrittenIdToken(Vertx vertx, Path otherData, JsonObject claims)
      throws Exception {
    int otherPort = TestServer.freePort();
    String otherSelf = "http://127.0.0.1:" + otherPort;
    try (OidcProvider lying = OidcProvider.start(otherSelf + "/auth/callback", logs, claims)) {
      TestServer other = TestServer.start(vertx, config(otherData, otherPort, lying)
          .put("bus_namespace", "scriptd.other"));
      try {
        SsoClient browser = new SsoClient();
        HttpResponse<String> callback = browser.get(browser.signInAtProvider(browser.startLogin(otherSelf, null),
            "alice"));
        assertNull(setCookie(callback, "scriptd_session"));
        assertEquals(401, browser.get(otherSelf + "/api/me").statusCode());
        return callback;
      } finally {
        other.close();
      }
    }
  }

  @Test
  @DisplayName("an ID token issued for another audience is refused, even signed with the provider's own key")
  void anIdTokenForAnotherAudienceIsRefused(Vertx vertx, @TempDir Path otherData) throws Exception {
    HttpResponse<String> callback = signInWithRewrittenIdToken(vertx, otherData,
        new JsonObject().put("aud", "some-other-client"));
    assertEquals(401, callback.statusCode(), callback.body());
    assertTrue(new JsonObject(callback.body()).getString("detail").contains("audience"), callback.body());
  }

  @Test
  @DisplayName("an ID token whose nonce is not this sign-in's (a replayed token) is refused")
  void anIdTokenWithAnotherNonceIsRefused(Vertx vertx, @TempDir Path otherData) throws Exception {
    HttpResponse<String> callback = signInWithRewrittenIdToken(vertx, otherData,
        new JsonObject().put("nonce", "nonce-of-another-sign-in"));
    assertEquals(401, callback.statusCode(), callback.body());
    assertTrue(new JsonObject(callback.body()).getString("detail").contains("nonce"), callback.body());
  }

  @Test
  @DisplayName("with the provider unreachable the server still starts: sign-in answers 503, tokens work")
  void anUnreachableProviderDoesNotStopTheServer(Vertx vertx, @TempDir Path otherData) throws Exception {
    int otherPort = TestServer.freePort();
    JsonObject oidc = provider.scriptdConfig().put("issuer", "http://127.0.0.1:" + TestServer.freePort());
    TestServer other = TestServer.start(vertx, TestServer.config(otherData, otherPort)
        .put("bus_namespace", "scriptd.other").put("auth", new JsonObject().put("oidc", oidc)));
    try {
      HttpResponse<String> login = new SsoClient().get("http://127.0.0.1:" + otherPort + "/auth/login");
      assertEquals(503, login.statusCode(), login.body());
      assertTrue(login.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
      assertEquals(200, other.api.get("/api/runs").statusCode());
    } finally {
      other.close();
    }
  }

  @Test
  @DisplayName("GET /auth/info tells the login page whether single sign-on is on")
  void authInfoSaysWhetherSsoIsOn(Vertx vertx, @TempDir Path otherData) throws Exception {
    HttpResponse<String> on = new SsoClient().get(self + "/auth/info");
    assertEquals(200, on.statusCode());
    assertEquals(true, new JsonObject(on.body()).getBoolean("sso"));
    TestServer plain = TestServer.start(vertx, TestServer.config(otherData, TestServer.freePort())
        .put("bus_namespace", "scriptd.other"));
    try {
      HttpResponse<String> off = new SsoClient().get("http://127.0.0.1:" + plain.port + "/auth/info");
      assertEquals(false, new JsonObject(off.body()).getBoolean("sso"));
      assertEquals(404, new SsoClient().get("http://127.0.0.1:" + plain.port + "/auth/login").statusCode());
    } finally {
      plain.close();
    }
  }

  /** The audit rows of single sign-on (details.source oidc), once {@code count} of them are written. */
  private List<JsonObject> ssoAuditRows(int count) throws Exception {
    long deadline = System.nanoTime() + 15_000_000_000L;
    List<JsonObject> rows = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      rows.clear();
      for (JsonObject row : storedAuditRows()) {
        if (new JsonObject(row.getString("details")).getString("source", "").equals("oidc")) {
          rows.add(row);
        }
      }
      if (rows.size() >= count) {
        return rows;
      }
      LockSupport.parkNanos(50_000_000L);
    }
    throw new AssertionError("fewer than " + count + " single sign-on audit records: " + rows);
  }

  /** Every row of the audit table, oldest first, as the database holds it (column name to value). */
  List<JsonObject> storedAuditRows() throws Exception {
    List<JsonObject> rows = new ArrayList<>();
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("scriptd.db"));
         ResultSet rs = db.createStatement().executeQuery("SELECT * FROM audit ORDER BY seq")) {
      while (rs.next()) {
        JsonObject row = new JsonObject();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  @Test
  @DisplayName("sign-ins, refused sign-ins and sign-outs are in the audit log, with no code, state or session value")
  void signInsAndSignOutsAreAudited() throws Exception {
    SsoClient alice = new SsoClient();
    String back = alice.signInAtProvider(alice.startLogin(self, null), "alice");
    assertEquals(302, alice.get(back).statusCode());
    String session = alice.cookie("scriptd_session");
    assertEquals(403, signIn(new SsoClient(), "nora").statusCode());
    SsoClient tamperer = new SsoClient();
    String other = tamperer.signInAtProvider(tamperer.startLogin(self, null), "oscar");
    assertEquals(403, tamperer.get(other.replace("state=", "state=x")).statusCode());
    assertEquals(303, alice.post(self + "/auth/logout", self, null).statusCode());

    List<JsonObject> rows = ssoAuditRows(4);
    JsonObject login = rows.get(0);
    assertEquals(List.of("oidc", "alice", "alice", "login", "ok", 302), List.of(login.getString("actor_type"),
        login.getString("actor_id"), login.getString("actor_name"), login.getString("action"),
        login.getString("result"), login.getInteger("status")), login.encode());
    assertEquals("admin", new JsonObject(login.getString("details")).getString("role"));
    JsonObject noRole = rows.get(1);
    assertEquals(List.of("anonymous", "nora", "login", "denied", 403), List.of(noRole.getString("actor_type"),
        noRole.getString("actor_id"), noRole.getString("action"), noRole.getString("result"),
        noRole.getInteger("status")), noRole.encode());
    assertEquals("sso-no-role", new JsonObject(noRole.getString("details")).getString("problem"));
    JsonObject badState = rows.get(2);
    assertEquals(List.of("anonymous", "login", "denied", 403), List.of(badState.getString("actor_type"),
        badState.getString("action"), badState.getString("result"), badState.getInteger("status")), badState.encode());
    assertEquals("sso-state", new JsonObject(badState.getString("details")).getString("problem"));
    JsonObject logout = rows.get(3);
    assertEquals(List.of("oidc", "alice", "logout", "ok"), List.of(logout.getString("actor_type"),
        logout.getString("actor_id"), logout.getString("action"), logout.getString("result")), logout.encode());

    String all = rows.toString();
    String code = query(back).get("code");
    assertFalse(all.contains(session) || all.contains(session.substring(3)), "no session id in the log");
    assertFalse(all.contains(code), "no authorization code in the log");
    assertFalse(all.contains(query(back).get("state")), "no state in the log");
    assertFalse(all.contains(OidcProvider.CLIENT_SECRET));
  }

  @Test
  @DisplayName("behind a proxy that serves scriptd under a path, the redirect URI and the login cookie's path carry it")
  void aPublicUrlWithAPath(Vertx vertx, @TempDir Path otherData) throws Exception {
    int otherPort = TestServer.freePort();
    TestServer proxied = TestServer.start(vertx, config(otherData, otherPort, provider)
        .put("bus_namespace", "scriptd.other").put("public_url", "https://ops.example.com/tools/scriptd"));
    try {
      HttpResponse<String> login = new SsoClient().get("http://127.0.0.1:" + otherPort + "/auth/login");
      assertEquals(302, login.statusCode(), login.body());
      assertEquals("https://ops.example.com/tools/scriptd/auth/callback",
          query(login.headers().firstValue("Location").orElseThrow()).get("redirect_uri"));
      assertTrue(setCookie(login, "scriptd_sso").contains("Path=/tools/scriptd/auth"), setCookie(login, "scriptd_sso"));
    } finally {
      proxied.close();
    }
  }
}
