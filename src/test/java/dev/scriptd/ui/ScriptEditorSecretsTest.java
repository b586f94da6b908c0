package dev.scriptd.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.FluentWait;

/**
 * The script editor and secret env values, end to end: scripts made through the API, edited in
 * Chromium, then checked through the API and by running them (the process sees the value, the log
 * shows the mask).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScriptEditorSecretsTest {
  private static final Set<String> FINAL = Set.of("completed", "failed", "killed", "timed_out", "lost");

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
  void savingAScriptInTheEditorKeepsItsSecretValueAndFlag() throws Exception {
    JsonObject script = server.post("/api/scripts", new JsonObject()
        .put("name", "editor-keeps-secret")
        .put("command", "[ \"$DB_PASS\" = s3cret ] && echo match; echo \"pass=$DB_PASS greeting=$GREETING\"")
        .put("env", new JsonObject()
            .put("DB_PASS", new JsonObject().put("value", "s3cret").put("secret", true))
            .put("GREETING", "hello")));
    String id = script.getString("id");

    browser.open("/scripts/" + id);
    WebElement secretRow = envRow("DB_PASS");
    WebElement secretValue = secretRow.findElement(By.cssSelector(".env-value"));
    assertEquals("***", secretValue.getAttribute("value"), "a stored secret shows as the mask");
    assertTrue(secretRow.findElement(By.cssSelector(".env-secret")).isSelected(), "its secret toggle is on");
    WebElement plainRow = envRow("GREETING");
    assertEquals("hello", plainRow.findElement(By.cssSelector(".env-value")).getAttribute("value"));
    assertFalse(plainRow.findElement(By.cssSelector(".env-secret")).isSelected());
    assertFalse(browser.driver.getPageSource().contains("[object Object]"));
    assertEquals(Boolean.TRUE, browser.js("return [...document.querySelectorAll('#env input')]"
        + ".every(i => i.labels.length > 0 && i.labels[0].textContent.trim() !== '')"), "every env input has a label");
    browser.js("document.getElementById('env').scrollIntoView({block: 'center'})");
    browser.screenshot("script-editor-secret");

    // change the plain variable and the command, then a plain Save
    WebElement greeting = plainRow.findElement(By.cssSelector(".env-value"));
    greeting.clear();
    greeting.sendKeys("hi");
    browser.driver.findElement(By.id("f-source")).sendKeys(Keys.END, "; echo edited");
    browser.driver.findElement(By.id("script-save")).click();
    browser.until("the script is saved", d -> d.findElement(By.cssSelector(".msg")).getText().contains("Saved (version 2)"),
        Duration.ofSeconds(10));

    JsonObject saved = server.getJson("/api/scripts/" + id);
    assertEquals(new JsonObject().put("secret", true).put("value", "***"), saved.getJsonObject("env").getValue("DB_PASS"),
        "the secret is still secret");
    assertEquals("hi", saved.getJsonObject("env").getValue("GREETING"));
    assertEquals(List.of("match", "pass=*** greeting=hi", "edited"), runLines(id),
        "the process saw the stored value; the log shows it masked");
    assertEquals("***", envRow("DB_PASS").findElement(By.cssSelector(".env-value")).getAttribute("value"),
        "after the save the editor shows the mask again");
  }

  @Test
  void theEditorAddsANewSecretAndTurnsAStoredOneIntoAPlainValue() throws Exception {
    JsonObject script = server.post("/api/scripts", new JsonObject()
        .put("name", "editor-toggles-secrets")
        .put("command", "[ \"$NEW_TOKEN\" = n3w-t0ken ] && echo new-match; echo \"new=$NEW_TOKEN\"; echo \"old=$OLD_SECRET\"")
        .put("env", new JsonObject().put("OLD_SECRET", new JsonObject().put("value", "old-value-1").put("secret", true))));
    String id = script.getString("id");

    browser.open("/scripts/" + id);
    WebElement oldRow = envRow("OLD_SECRET");

    // a new secret: added by keyboard, typed into a password input
    browser.driver.findElement(By.id("env-add")).sendKeys(Keys.ENTER);
    WebElement name = browser.driver.switchTo().activeElement();
    assertTrue(name.getAttribute("class").contains("env-name"), "the new row's name input has the focus");
    name.sendKeys("NEW_TOKEN");
    WebElement newRow = envRow("NEW_TOKEN");
    newRow.findElement(By.cssSelector(".env-secret")).sendKeys(Keys.SPACE);
    WebElement newValue = newRow.findElement(By.cssSelector(".env-value"));
    assertEquals("password", newValue.getAttribute("type"), "a secret is typed into a password input");
    newValue.sendKeys("n3w-t0ken");

    // the stored secret turned off: its value was never in the browser, so it asks for one
    oldRow.findElement(By.cssSelector(".env-secret")).sendKeys(Keys.SPACE);
    WebElement oldValue = oldRow.findElement(By.cssSelector(".env-value"));
    assertEquals("", oldValue.getAttribute("value"));
    assertEquals("text", oldValue.getAttribute("type"));
    browser.driver.findElement(By.id("script-save")).click();
    browser.until("saving without the value is refused in the page",
        d -> d.findElement(By.cssSelector(".msg")).getText().contains("OLD_SECRET"), Duration.ofSeconds(5));
    assertEquals(1L, server.getJson("/api/scripts/" + id).getLong("version"), "nothing was sent");
    oldValue.sendKeys("now-plain");
    browser.js("document.getElementById('env').scrollIntoView({block: 'center'})");
    browser.screenshot("script-editor-secret-added");
    browser.driver.findElement(By.id("script-save")).click();
    browser.until("the script is saved", d -> d.findElement(By.cssSelector(".msg")).getText().contains("Saved (version 2)"),
        Duration.ofSeconds(10));

    JsonObject env = server.getJson("/api/scripts/" + id).getJsonObject("env");
    assertEquals(new JsonObject().put("secret", true).put("value", "***"), env.getValue("NEW_TOKEN"));
    assertEquals("now-plain", env.getValue("OLD_SECRET"));
    assertEquals(List.of("new-match", "new=***", "old=now-plain"), runLines(id));

    // on a phone the editor fits the width
    browser.resize(390, 844);
    try {
      browser.open("/scripts/" + id);
      envRow("NEW_TOKEN");
      assertEquals(Boolean.TRUE, browser.js("return document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
          "no horizontal page scroll at 390 px");
      browser.js("document.getElementById('env').scrollIntoView()");
      browser.screenshot("script-editor-secret-phone");
    } finally {
      browser.resize(1400, 900);
    }
  }

  @Test
  void aViewerSeesSecretsAsTheMaskInAReadOnlyEditor() throws Exception {
    String id = server.post("/api/scripts", new JsonObject()
        .put("name", "editor-viewer")
        .put("command", "true")
        .put("env", new JsonObject().put("API_KEY", new JsonObject().put("value", "v1ewer-must-not-see").put("secret", true))))
        .getString("id");
    String viewer = server.post("/api/tokens", new JsonObject().put("name", "editor-viewer").put("role", "viewer"))
        .getString("token");
    logIn(viewer);
    try {
      browser.open("/scripts/" + id);
      WebElement row = envRow("API_KEY");
      WebElement value = row.findElement(By.cssSelector(".env-value"));
      assertEquals("***", value.getAttribute("value"));
      assertFalse(value.isEnabled(), "a viewer cannot edit the value");
      assertFalse(row.findElement(By.cssSelector(".env-secret")).isEnabled());
      assertTrue(browser.driver.findElements(By.id("env-add")).isEmpty(), "no Add for a viewer");
      assertTrue(browser.driver.findElements(By.id("script-save")).isEmpty(), "no Save for a viewer");
      assertFalse(browser.driver.getPageSource().contains("v1ewer-must-not-see"));
    } finally {
      logIn(UiServer.ADMIN_TOKEN);
    }
  }

  private void logIn(String token) {
    browser.open("/");
    browser.await(By.id("logout")).click();
    browser.await(By.id("login-token")).sendKeys(token);
    browser.driver.findElement(By.cssSelector("form.login-card button[type='submit']")).click();
    browser.await(By.id("who-name"));
  }

  /** The env row whose name input holds {@code name}, once the editor shows it. */
  private WebElement envRow(String name) {
    browser.until("the editor shows " + name, d -> findEnvRow(name) != null, Duration.ofSeconds(10));
    return findEnvRow(name);
  }

  private WebElement findEnvRow(String name) {
    return browser.driver.findElements(By.cssSelector("#env-rows .env-row")).stream()
        .filter(row -> name.equals(row.findElement(By.cssSelector(".env-name")).getAttribute("value")))
        .findFirst().orElse(null);
  }

  /** Runs the script through the API and returns its log lines once it completed. */
  private List<String> runLines(String scriptId) throws Exception {
    String runId = server.post("/api/scripts/" + scriptId + "/run", new JsonObject()).getString("id");
    JsonObject run = new FluentWait<>(server).withTimeout(Duration.ofSeconds(20)).pollingEvery(Duration.ofMillis(50))
        .withMessage("the run ends")
        .until(s -> {
          try {
            JsonObject r = s.getJson("/api/runs/" + runId);
            return FINAL.contains(r.getString("status")) ? r : null;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    assertEquals("completed", run.getString("status"), run.encode());
    JsonObject page = new FluentWait<>(server).withTimeout(Duration.ofSeconds(10)).pollingEvery(Duration.ofMillis(50))
        .withMessage("the run's log is complete")
        .until(s -> {
          try {
            JsonObject logs = s.getJson("/api/runs/" + runId + "/logs?since=0");
            return logs.getBoolean("complete") ? logs : null;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    JsonArray lines = page.getJsonArray("lines");
    return lines.stream().map(line -> ((JsonObject) line).getString("line")).toList();
  }
}
