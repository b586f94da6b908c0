package dev.scriptd.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpServer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The browser attacks of the security issue, in real Chromium logged in to the UI as admin: an
 * endpoint's page on the UI's origin, a page on another port of the same host (same site, so the
 * SameSite=Strict cookie goes along), framing, and a {@code ?token=} link from elsewhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossOriginUiTest {
  @TempDir
  static Path temp;
  private UiServer server;
  private Browser browser;
  private HttpServer foreign;
  private String foreignBase;
  private final Map<String, String> foreignPages = new ConcurrentHashMap<>();

  @BeforeAll
  void start() throws Exception {
    server = UiServer.start(temp.resolve("data"));
    browser = new Browser(server.base, temp.resolve("chromium-profile"));
    // another origin on the same host: what any other local service (or a page it serves) is
    foreign = server.vertx.createHttpServer().requestHandler(request -> {
      String page = foreignPages.get(request.path());
      if (page == null) {
        request.response().setStatusCode(404).end();
      } else {
        request.response().putHeader("Content-Type", "text/html; charset=utf-8").end(page);
      }
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    foreignBase = "http://127.0.0.1:" + foreign.actualPort();
    logInAsAdmin();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (foreign != null) {
        foreign.close().await(10, TimeUnit.SECONDS);
      }
      if (server != null) {
        server.close();
      }
    }
  }

  private void logInAsAdmin() {
    browser.driver.get(server.base + "/?token=" + UiServer.ADMIN_TOKEN);
    browser.await(By.id("new-command"));
    assertEquals("admin", roleInBrowser());
  }

  /** The role of the browser's session, asked by a page of the UI's origin. */
  private String roleInBrowser() {
    if (!browser.driver.getCurrentUrl().startsWith(server.base + "/")) {
      browser.driver.get(server.base + "/");
    }
    return String.valueOf(browser.js("return fetch('/api/me', {credentials: 'same-origin'})"
        + ".then(r => r.ok ? r.json().then(j => j.role) : 'status ' + r.status)"));
  }

  private String sessionCookie() {
    var cookie = browser.driver.manage().getCookieNamed("scriptd_token");
    return cookie == null ? null : cookie.getValue();
  }

  private String createToken(String name, String role) throws Exception {
    return server.post("/api/tokens", new JsonObject().put("name", name).put("role", role)).getString("token");
  }

  private void createPublicHook(String name, String path, String program) throws Exception {
    server.post("/api/scripts", new JsonObject().put("name", name).put("kind", "js").put("program", program)
        .put("endpoint", new JsonObject().put("method", "GET").put("path", path).put("auth", "public")));
  }

  private boolean tokenNamed(String name) throws Exception {
    JsonArray tokens = server.getJson("/api/tokens").getJsonArray("items");
    return tokens.stream().anyMatch(t -> name.equals(((JsonObject) t).getString("name")));
  }

  @Test
  @Order(1)
  void anEndpointsHtmlCannotActAsTheUiNorReplaceTheSession() throws Exception {
    String attack = """
        <!doctype html><title>hook page</title>
        <script>
          document.title = 'script ran';
          fetch('/api/tokens', {method: 'POST', credentials: 'include', headers: {'Content-Type': 'application/json'},
                body: JSON.stringify({name: 'pwn', role: 'admin'})})
            .then(r => { document.title = 'done ' + r.status; }, e => { document.title = 'done error'; });
        </script>""";
    createPublicHook("html-attack", "attack", "({headers: {'Content-Type': 'text/html; charset=utf-8'}, body: "
        + Json.encode(attack) + "})");
    browser.driver.get(server.base + "/hooks/attack"); // returns once the page has loaded
    assertEquals("hook page", browser.driver.getTitle(), "the sandbox keeps the endpoint's script from running");
    // had it run, its fetch would land within a moment: watch the token list for a while
    Instant deadline = Instant.now().plusSeconds(3);
    while (Instant.now().isBefore(deadline)) {
      assertFalse(tokenNamed("pwn"), "the endpoint's page created an admin token");
      LockSupport.parkNanos(100_000_000L); // the polling interval against the deadline
    }
    assertEquals("hook page", browser.driver.getTitle());

    String viewer = createToken("cookie-viewer", "viewer");
    createPublicHook("cookie-attack", "cookie", "({headers: {'Content-Type': 'text/html', 'Set-Cookie': "
        + "'scriptd_token=" + viewer + "; Path=/; HttpOnly; SameSite=Strict'}, body: '<title>cookie page</title>hi'})");
    browser.driver.get(server.base + "/hooks/cookie");
    assertEquals("cookie page", browser.driver.getTitle());
    assertEquals(UiServer.ADMIN_TOKEN, sessionCookie(), "the endpoint replaced the browser's session cookie");
    browser.driver.get(server.base + "/");
    browser.await(By.id("new-command"));
    assertEquals("admin", roleInBrowser(), "the admin session still works");
  }

  @Test
  @Order(2)
  void aPageOnAnotherPortCannotStartARunNorReadALogWithTheCookie() throws Exception {
    JsonObject run = server.post("/api/runs", new JsonObject().put("command", "echo secret-line"));
    String runId = run.getString("id");
    new org.openqa.selenium.support.ui.FluentWait<>(server).withTimeout(Duration.ofSeconds(20))
        .pollingEvery(Duration.ofMillis(50)).until(s -> {
          try {
            return "completed".equals(s.getJson("/api/runs/" + runId).getString("status"));
          } catch (Exception e) {
            return false;
          }
        });
    String target = server.base.replace("http://", "");
    foreignPages.put("/attack", """
        <!doctype html><title>attacker</title>
        <script>
          const out = {post: null, ws: null, messages: 0};
          const report = () => { document.title = JSON.stringify(out); };
          fetch('http://%1$s/api/runs', {method: 'POST', mode: 'no-cors', credentials: 'include',
                headers: {'Content-Type': 'text/plain'}, body: JSON.stringify({command: 'echo pwned-by-another-port'})})
            .then(() => { out.post = 'answered'; report(); }, () => { out.post = 'error'; report(); });
          const ws = new WebSocket('ws://%1$s/api/runs/%2$s/logs?since=0');
          ws.onmessage = () => { out.messages++; };
          ws.onclose = e => { out.ws = 'closed ' + e.code; report(); };
        </script>""".formatted(target, runId));
    browser.driver.get(foreignBase + "/attack");
    browser.until("the attacker's page reports both attempts", d -> {
      JsonObject out = new JsonObject(d.getTitle().startsWith("{") ? d.getTitle() : "{}");
      return out.getString("post") != null && out.getString("ws") != null;
    }, Duration.ofSeconds(15));
    JsonObject out = new JsonObject(browser.driver.getTitle());
    assertEquals(0, out.getInteger("messages"), "the WebSocket read the run's log: " + out);
    assertTrue(!out.getString("ws").equals("closed 1000"), "the WebSocket must fail: " + out);
    JsonArray runs = server.getJson("/api/runs?limit=100").getJsonArray("items");
    assertTrue(runs.stream().noneMatch(r -> String.valueOf(((JsonObject) r).getString("command")).contains("pwned")),
        "the other port's no-cors POST created a run: " + runs.encode());
    assertEquals(UiServer.ADMIN_TOKEN, sessionCookie(), "the cookie was in the browser all along");
  }

  @Test
  @Order(3)
  void aPageOnAnotherPortCannotFrameTheUi() throws Exception {
    browser.driver.manage().logs().get(LogType.BROWSER); // drop earlier entries
    foreignPages.put("/frame", """
        <!doctype html><title>framing</title>
        <iframe id="ui" name="ui" src="%s/" width="800" height="600"></iframe>
        <script>document.getElementById('ui').onload = () => { document.title = 'frame loaded'; };</script>
        """.formatted(server.base));
    browser.driver.get(foreignBase + "/frame");
    browser.until("the frame finished loading", d -> "frame loaded".equals(d.getTitle()), Duration.ofSeconds(15));
    browser.driver.switchTo().frame("ui");
    try {
      assertNull(browser.js("return document.getElementById('main')"), "the UI rendered inside another origin's frame");
      assertFalse(String.valueOf(browser.js("return location.href")).startsWith(server.base),
          "the frame holds Chromium's error page, not the UI");
    } finally {
      browser.driver.switchTo().defaultContent();
    }
    String log = browser.driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
        .collect(Collectors.joining("\n"));
    assertTrue(log.contains("frame-ancestors"), "Chromium names the refusing directive: " + log);
  }

  @Test
  @Order(4)
  void aTokenLinkFromAnotherPageAsksBeforeReplacingTheSession() throws Exception {
    String viewer = createToken("linked-viewer", "viewer");
    foreignPages.put("/link", """
        <!doctype html><title>a link</title>
        <a id="go" href="%s/?token=%s">open scriptd</a>""".formatted(server.base, viewer));
    browser.driver.get(foreignBase + "/link");
    browser.driver.findElement(By.id("go")).click();
    browser.await(By.id("link-confirm"));
    assertTrue(browser.driver.findElement(By.tagName("h1")).getText().contains("linked-viewer"));
    assertEquals(UiServer.ADMIN_TOKEN, sessionCookie(), "the link replaced the session without asking");
    assertEquals("admin", String.valueOf(browser.js("return fetch('api/me').then(r => r.json()).then(j => j.role)")),
        "the admin session is still in place on the confirm page");

    // the person agrees: a same-origin POST /api/login, then the UI, without the token in the address
    browser.driver.findElement(By.id("link-confirm")).click();
    browser.await(By.id("who-name"));
    browser.until("the UI shows the viewer", d -> d.findElement(By.id("who-name")).getText().contains("linked-viewer"),
        Duration.ofSeconds(10));
    assertEquals(server.base + "/", browser.driver.getCurrentUrl().replaceAll("#.*", ""));
    assertEquals(viewer, sessionCookie());
    assertEquals("viewer", roleInBrowser());
    logInAsAdmin();
  }
}
