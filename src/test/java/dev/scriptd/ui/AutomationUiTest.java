package dev.scriptd.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/** The run view's chain and retry links, a pending retry shown and killed, and the editor's then/retry/notify. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("UI: retries, chains and notifications on the run view and in the editor")
class AutomationUiTest {
  @TempDir
  static Path temp;
  private UiServer server;
  private Browser browser;

  @BeforeAll
  void start() throws Exception {
    server = UiServer.start(temp.resolve("data"));
    browser = new Browser(server.base, temp.resolve("chromium-profile"));
    browser.logIn(UiServer.ADMIN_TOKEN);
  }

  @AfterAll
  void stop() throws Exception {
    Browser.closeBoth(browser, server);
  }

  @AfterEach
  void consoleHasNoErrors() {
    browser.assertNoConsoleErrors();
  }

  @Test
  @DisplayName("a pending retry shows \"retry 2/3 at <time>\", links to its first run, and its Kill ends it; the first run lists it")
  void pendingRetryIsShownAndKillable() throws Exception {
    server.post("/api/scripts", new JsonObject().put("name", "flaky-ui").put("command", "exit 1")
        .put("retry", new JsonObject().put("max_attempts", 3).put("delay_ms", 600_000)));
    String first = server.post("/api/scripts/flaky-ui/run", new JsonObject()).getString("id");
    server.awaitFinished(first, Duration.ofSeconds(20));
    String retry = awaitRetry(first);

    browser.open("/runs/" + retry);
    browser.until("the retry label", d -> d.findElements(By.id("run-attempt")).stream()
        .anyMatch(e -> e.getText().matches("retry 2/3 at \\d\\d:\\d\\d:\\d\\d.*")), Duration.ofSeconds(10));
    assertEquals("#/runs/" + first, browser.await(By.id("run-retry-of")).getAttribute("href")
        .replaceFirst("^.*(#/runs/)", "$1"));
    browser.await(By.id("run-kill")).click();
    JsonObject killed = server.awaitFinished(retry, Duration.ofSeconds(20));
    assertEquals("killed", killed.getString("status"));

    browser.open("/runs/" + first);
    browser.until("the retry series", d -> d.findElements(By.cssSelector("#run-retries a")).stream()
        .anyMatch(a -> a.getText().equals(retry.substring(0, 8))), Duration.ofSeconds(10));
  }

  @Test
  @DisplayName("the editor shows then, retry and notify as JSON (the secret masked) and saves an edit of them")
  void editorTakesAutomationAsJson() throws Exception {
    server.post("/api/scripts", new JsonObject().put("name", "next-ui").put("command", "true"));
    JsonObject script = server.post("/api/scripts", new JsonObject().put("name", "first-ui").put("command", "true")
        .put("notify", new JsonArray().add(new JsonObject().put("url", "http://127.0.0.1:9/x").put("secret", "k3y"))));
    browser.open("/scripts/" + script.getString("id"));
    browser.until("the notify JSON", d -> d.findElement(By.id("f-notify")).getAttribute("value").contains("\"***\""),
        Duration.ofSeconds(10));
    assertTrue(!browser.driver.getPageSource().contains("k3y"), "the secret never reaches the page");
    browser.js("document.getElementById('f-then').value = arguments[0];"
        + "document.getElementById('f-retry').value = arguments[1];",
        "[{\"script\": \"next-ui\"}]", "{\"max_attempts\": 2}");
    browser.await(By.id("script-save")).click();
    browser.until("saved", d -> d.getPageSource().contains("Saved (version 2)"), Duration.ofSeconds(10));
    JsonObject saved = server.getJson("/api/scripts/first-ui");
    assertEquals("next-ui", saved.getJsonArray("then").getJsonObject(0).getString("script"));
    assertEquals(2, saved.getJsonObject("retry").getInteger("max_attempts"));
    assertEquals("***", saved.getJsonArray("notify").getJsonObject(0).getString("secret"));
  }

  private String awaitRetry(String first) throws Exception {
    Instant end = Instant.now().plusSeconds(20);
    while (true) {
      JsonArray items = server.getJson("/api/runs?retry_of=" + first).getJsonArray("items");
      if (!items.isEmpty()) {
        return items.getJsonObject(0).getString("id");
      }
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("no retry of " + first);
      }
      LockSupport.parkNanos(20_000_000L);
    }
  }
}
