package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("The UI's origin over real HTTP: endpoint responses, cookie-authenticated changes, HEAD, UI headers, the ?token= link")
class OriginSecurityTest {
  @TempDir
  Path dataDir;
  TestServer server;
  Api admin;
  String self;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, TestServer.config(dataDir, TestServer.freePort()).put("rate_limit", 0));
    admin = server.api;
    self = "http://127.0.0.1:" + server.port;
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private void createHook(String name, String method, String path, String program) {
    HttpResponse<String> created = admin.post("/api/scripts", new JsonObject().put("name", name).put("kind", "js")
        .put("program", program)
        .put("endpoint", new JsonObject().put("method", method).put("path", path).put("auth", "public")));
    assertEquals(201, created.statusCode(), created.body());
  }

  private static void assertProblem(int status, HttpResponse<String> response, String what) {
    assertEquals(status, response.statusCode(), what + ": " + response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), what);
    assertEquals(status, new JsonObject(response.body()).getInteger("status"), what);
  }

  private static void assertSandboxed(HttpResponse<String> response, String what) {
    assertEquals(List.of("sandbox"), response.headers().allValues("Content-Security-Policy"), what);
    assertEquals(List.of("nosniff"), response.headers().allValues("X-Content-Type-Options"), what);
  }

  /** The session cookie pair, as a browser would hold it after logging in. */
  private String sessionCookie() {
    HttpResponse<String> login = admin.as(null).post("/api/login", new JsonObject().put("token", TestServer.ADMIN_TOKEN));
    assertEquals(200, login.statusCode(), login.body());
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    return cookie.substring(0, cookie.indexOf(';'));
  }

  @Test
  @DisplayName("a JS endpoint's HTML is sandboxed and nosniff; its Set-Cookie, hop-by-hop and security headers are dropped")
  void endpointResponsesCannotActAsTheUi() {
    createHook("html-hook", "GET", "page", """
        ({status: 200, headers: {'Content-Type': 'text/html', 'Set-Cookie': 'scriptd_token=evil; Path=/',
          'Content-Security-Policy': "default-src *", 'Content-Security-Policy-Report-Only': 'x',
          'X-Content-Type-Options': 'sniff', 'X-Frame-Options': 'ALLOWALL', 'Strict-Transport-Security': 'max-age=0',
          'Connection': 'close', 'Keep-Alive': 'timeout=1', 'Transfer-Encoding': 'gzip', 'Upgrade': 'h2c',
          'Proxy-Authenticate': 'Basic', 'Content-Length': '3', 'X-Kept': 'yes'},
         body: '<script>document.title = "ran"</script>'})""");
    HttpResponse<String> page = admin.as(null).get("/hooks/page");
    assertEquals(200, page.statusCode(), page.body());
    assertSandboxed(page, "the hook's page");
    assertEquals("text/html", page.headers().firstValue("Content-Type").orElseThrow());
    assertEquals("yes", page.headers().firstValue("X-Kept").orElse(null), "ordinary headers pass");
    assertEquals("<script>document.title = \"ran\"</script>", page.body(), "the whole body, not 3 bytes");
    for (String dropped : List.of("Set-Cookie", "X-Frame-Options", "Strict-Transport-Security", "Connection",
        "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Authenticate", "Content-Security-Policy-Report-Only")) {
      assertTrue(page.headers().allValues(dropped).isEmpty(), dropped + " must be dropped: " + page.headers().map());
    }

    // errors of endpoints and shell endpoints carry the same headers
    createHook("throws", "GET", "throws", "throw new Error('boom')");
    HttpResponse<String> failed = admin.as(null).get("/hooks/throws");
    assertProblem(502, failed, "a failing program");
    assertSandboxed(failed, "a failing program");
    HttpResponse<String> missing = admin.as(null).get("/hooks/nothing-here");
    assertProblem(404, missing, "no endpoint");
    assertSandboxed(missing, "no endpoint");
    HttpResponse<String> shell = admin.post("/api/scripts", new JsonObject().put("name", "shell-hook")
        .put("command", "echo '<b>hi</b>'")
        .put("endpoint", new JsonObject().put("method", "GET").put("path", "shell").put("auth", "public")));
    assertEquals(201, shell.statusCode(), shell.body());
    HttpResponse<String> shellAnswer = admin.as(null).get("/hooks/shell?wait=true");
    assertEquals(200, shellAnswer.statusCode(), shellAnswer.body());
    assertSandboxed(shellAnswer, "a shell endpoint's stdout");
  }

  @Test
  @DisplayName("a JS endpoint header with CR/LF in its value or name is a 502 naming it, at once, not a hung client")
  void crlfInAnEndpointHeaderIs502() throws Exception {
    createHook("split-value", "GET", "split", "({headers: {'X-Split': 'a\\r\\nSet-Cookie: scriptd_token=x'}, body: 'hi'})");
    createHook("split-name", "GET", "split-name", "({headers: {'X-Bad\\r\\nName': 'v'}, body: 'hi'})");
    for (String[] hook : new String[][] {{"/hooks/split", "X-Split"}, {"/hooks/split-name", "X-Bad"}}) {
      String answer = raw("GET " + hook[0] + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port
          + "\r\nConnection: close\r\n\r\n");
      assertTrue(answer.startsWith("HTTP/1.1 502"), answer);
      String lower = answer.toLowerCase(Locale.ROOT);
      assertTrue(lower.contains("content-type: application/problem+json"), answer);
      assertFalse(lower.contains("set-cookie"), answer);
      String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
      JsonObject problem = new JsonObject(body);
      assertTrue(problem.getString("type").endsWith("endpoint-failed"), body);
      assertTrue(problem.getString("detail").contains(hook[1]), body);
    }
  }

  /** Sends raw bytes and reads until the server closes; fails after 10 s instead of hanging. */
  private String raw(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          read.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException hung) {
        throw new AssertionError("no complete answer within 10 s; got: " + read.toString(StandardCharsets.ISO_8859_1));
      }
      return read.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** Sends raw bytes and returns the status line and headers of the answer; fails after 10 s. */
  private String rawHead(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      try {
        while (!read.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
          int b = in.read();
          if (b < 0) {
            break;
          }
          read.write(b);
        }
      } catch (SocketTimeoutException hung) {
        throw new AssertionError("no answer within 10 s; got: " + read.toString(StandardCharsets.ISO_8859_1));
      }
      return read.toString(StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  @DisplayName("with the cookie, a change from another origin (or from nowhere) is 403; from the own origin it works; bearer is unaffected")
  void cookieAuthenticatedChangesMustComeFromTheOwnOrigin() {
    String cookie = sessionCookie();
    Api browser = admin.as(null);
    String run = new JsonObject().put("command", "echo hi").encode();
    String foreign = "http://127.0.0.1:" + (server.port == 65535 ? 1 : server.port + 1);

    HttpResponse<String> cross = browser.send("POST", "/api/runs", run, "Cookie", cookie, "Origin", foreign);
    assertProblem(403, cross, "cookie + another port's Origin");
    assertTrue(new JsonObject(cross.body()).getString("detail").contains(foreign), cross.body());
    assertProblem(403, browser.send("POST", "/api/runs", run, "Cookie", cookie, "Sec-Fetch-Site", "same-site"),
        "cookie + Sec-Fetch-Site same-site");
    assertProblem(403, browser.send("POST", "/api/runs", run, "Cookie", cookie), "cookie with neither header");
    assertProblem(403, browser.send("POST", "/api/runs", run, "Cookie", cookie, "Origin", "null"), "opaque origin");
    assertProblem(403, browser.send("POST", "/api/logout", null, "Cookie", cookie, "Origin", foreign),
        "logging out from another page");
    assertEquals(0, new JsonObject(admin.get("/api/runs").body()).getJsonArray("items").size(), "no run was created");

    HttpResponse<String> same = browser.send("POST", "/api/runs", run, "Cookie", cookie, "Origin", self);
    assertEquals(201, same.statusCode(), same.body());
    admin.awaitEnd(new JsonObject(same.body()).getString("id"));
    HttpResponse<String> fetchSite = browser.send("POST", "/api/runs", run, "Cookie", cookie,
        "Sec-Fetch-Site", "same-origin");
    assertEquals(201, fetchSite.statusCode(), fetchSite.body());
    admin.awaitEnd(new JsonObject(fetchSite.body()).getString("id"));
    assertEquals(200, browser.send("GET", "/api/runs", null, "Cookie", cookie, "Origin", foreign).statusCode(),
        "reads are not changes");

    HttpResponse<String> bearer = admin.send("POST", "/api/runs", run, "Origin", foreign, "Cookie", cookie);
    assertEquals(201, bearer.statusCode(), "a bearer token is unaffected: " + bearer.body());
    String id = new JsonObject(bearer.body()).getString("id");
    admin.awaitEnd(id);
    HttpResponse<String> query = browser.send("POST", "/api/runs?token=" + TestServer.ADMIN_TOKEN, run,
        "Origin", foreign);
    assertEquals(201, query.statusCode(), "?token= is unaffected: " + query.body());
    admin.awaitEnd(new JsonObject(query.body()).getString("id"));
  }

  @Test
  @DisplayName("a WebSocket upgrade with the cookie from another origin is 403; from the own origin it opens")
  void cookieAuthenticatedWebSocketsMustComeFromTheOwnOrigin() throws Exception {
    String cookie = sessionCookie();
    String id = admin.startRun("echo hi").getString("id");
    admin.awaitEnd(id);
    String upgrade = "GET /api/runs/" + id + "/logs?since=0 HTTP/1.1\r\nHost: 127.0.0.1:" + server.port
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\nCookie: " + cookie + "\r\n";
    String cross = rawHead(upgrade + "Origin: http://127.0.0.1:1\r\n\r\n");
    assertTrue(cross.startsWith("HTTP/1.1 403"), cross);
        String none = rawHead(upgrade + "\r\n");
    assertTrue(none.startsWith("HTTP/1.1 403"), "a cookie upgrade without Origin: " + none);
    String same = rawHead(upgrade + "Origin: " + self + "\r\n\r\n");
    assertTrue(same.startsWith("HTTP/1.1 101"), same);
    String bearer = rawHead(upgrade.replace("Cookie: " + cookie, "Authorization: Bearer " + TestServer.ADMIN_TOKEN)
        + "Origin: http://127.0.0.1:1\r\n\r\n");
    assertTrue(bearer.startsWith("HTTP/1.1 101"), "bearer upgrades are unaffected: " + bearer);
  }

  @Test
  @DisplayName("on /hooks/* a cookie from another origin does not count: public endpoints answer, auth: token ones ask for a token")
  void endpointsIgnoreACookieFromAnotherOrigin() {
    String cookie = sessionCookie();
    createHook("open-hook", "POST", "open", "({body: 'open'})");
    HttpResponse<String> guarded = admin.post("/api/scripts", new JsonObject().put("name", "guarded-hook").put("kind", "js")
        .put("program", "({body: 'guarded'})")
        .put("endpoint", new JsonObject().put("method", "POST").put("path", "guarded").put("auth", "token")));
    assertEquals(201, guarded.statusCode(), guarded.body());
    Api browser = admin.as(null);
    String foreign = "http://127.0.0.1:1";
    HttpResponse<String> open = browser.send("POST", "/hooks/open", "{}", "Cookie", cookie, "Origin", foreign);
    assertEquals(200, open.statusCode(), "a public endpoint answers whatever cookie comes along: " + open.body());
    assertProblem(401, browser.send("POST", "/hooks/guarded", "{}", "Cookie", cookie, "Origin", foreign),
        "an auth: token endpoint called with another origin's cookie");
    HttpResponse<String> same = browser.send("POST", "/hooks/guarded", "{}", "Cookie", cookie, "Origin", self);
    assertEquals(200, same.statusCode(), "the cookie from the own origin counts: " + same.body());
    HttpResponse<String> bearer = admin.send("POST", "/hooks/guarded", "{}", "Origin", foreign);
    assertEquals(200, bearer.statusCode(), bearer.body());
  }

  @Test
  @DisplayName("an API body must have a JSON content type (415), while body-less POSTs need none")
  void apiBodiesMustBeJson() throws Exception {
    HttpResponse<String> plain = admin.client.send(HttpRequest.newBuilder(URI.create(admin.base + "/api/runs"))
        .header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("{\"command\": \"echo hi\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertProblem(415, plain, "a JSON text sent as text/plain");
    HttpResponse<String> untyped = admin.client.send(HttpRequest.newBuilder(URI.create(admin.base + "/api/runs"))
        .header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString("{\"command\": \"echo hi\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertProblem(415, untyped, "a body without Content-Type");
    assertEquals(0, new JsonObject(admin.get("/api/runs").body()).getJsonArray("items").size(), "no run was created");

    HttpResponse<String> typed = admin.client.send(HttpRequest.newBuilder(URI.create(admin.base + "/api/runs"))
        .header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN).header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString("{\"command\": \"sleep 30\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, typed.statusCode(), typed.body());
    String id = new JsonObject(typed.body()).getString("id");
    HttpResponse<String> kill = admin.send("POST", "/api/runs/" + id + "/kill", null);
    assertEquals(202, kill.statusCode(), "a POST without body needs no Content-Type: " + kill.body());
    admin.awaitEnd(id);
  }

  @Test
  @DisplayName("HEAD is GET without a body on the API, /health, /metrics and the UI, with the GET's status and headers")
  void headIsGetWithoutBody() throws Exception {
    for (String path : List.of("/api/runs?limit=1", "/api/runs/00000000-0000-0000-0000-000000000000", "/health",
        "/metrics", "/", "/js/app.js", "/api/openapi-nope")) {
      HttpResponse<String> get = admin.get(path);
      HttpResponse<String> head = admin.send("HEAD", path, null);
      assertEquals(get.statusCode(), head.statusCode(), "HEAD " + path);
      assertEquals(get.headers().firstValue("Content-Type"), head.headers().firstValue("Content-Type"), "HEAD " + path);
      assertEquals("", head.body(), "HEAD " + path + " has no body");
    }
    assertEquals(200, admin.send("HEAD", "/api/runs", null).statusCode());
    assertProblem(401, admin.as(null).send("GET", "/api/runs", null), "GET without a token");
    assertEquals(401, admin.as(null).send("HEAD", "/api/runs", null).statusCode(), "HEAD needs the GET's role");
  }

  @Test
  @DisplayName("the UI sends a strict CSP, no framing, nosniff and no-referrer; the API sends nosniff")
  void uiAndApiSecurityHeaders() {
    for (String path : List.of("/", "/js/app.js", "/css/app.css")) {
      HttpResponse<String> ui = admin.as(null).get(path);
      assertEquals(200, ui.statusCode(), path);
      String policy = ui.headers().firstValue("Content-Security-Policy").orElse("");
      assertTrue(policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self';"), path + ": " + policy);
      assertFalse(policy.contains("'unsafe-inline'") && policy.matches(".*script-src[^;]*unsafe-inline.*"), policy);
      assertEquals("DENY", ui.headers().firstValue("X-Frame-Options").orElse(null), path);
      assertEquals("nosniff", ui.headers().firstValue("X-Content-Type-Options").orElse(null), path);
      assertEquals("no-referrer", ui.headers().firstValue("Referrer-Policy").orElse(null), path);
    }
    for (String path : List.of("/api/runs", "/health", "/api/nope")) {
      assertEquals("nosniff", admin.get(path).headers().firstValue("X-Content-Type-Options").orElse(null), path);
    }
  }

  @Test
  @DisplayName("a ?token= link another page led to asks first (no cookie, no token in Location); one the person opened logs in")
  void tokenLinkFromElsewhereAsksFirst() {
    HttpResponse<String> created = admin.post("/api/tokens", new JsonObject().put("name", "link-viewer").put("role", "viewer"));
    String viewer = new JsonObject(created.body()).getString("token");
    Api browser = admin.as(null);
    for (String[] headers : new String[][] {{"Sec-Fetch-Site", "same-site"}, {"Sec-Fetch-Site", "cross-site"}, {}}) {
      HttpResponse<String> page = browser.send("GET", "/?token=" + viewer, null, headers);
      assertEquals(200, page.statusCode(), page.body());
      assertTrue(page.headers().allValues("Set-Cookie").isEmpty(), "no session is set: " + page.headers().map());
      assertNull(page.headers().firstValue("Location").orElse(null));
      assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
      assertEquals("no-store", page.headers().firstValue("Cache-Control").orElse(null));
      assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(null));
      assertTrue(page.body().contains("id=\"link-confirm\"") && page.body().contains("link-viewer (viewer)"), page.body());
    }
    HttpResponse<String> opened = browser.send("GET", "/?token=" + viewer, null, "Sec-Fetch-Site", "none");
    assertEquals(302, opened.statusCode());
    assertEquals("/", opened.headers().firstValue("Location").orElseThrow(), "the token never goes into Location");
    assertTrue(opened.headers().firstValue("Set-Cookie").orElseThrow().startsWith("scriptd_token=" + viewer + ";"));
    assertProblem(401, browser.send("GET", "/?token=sd_bad-link-token-000000000000", null, "Sec-Fetch-Site",
        "cross-site"), "a bad token still says so");
  }
}
