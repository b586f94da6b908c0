package dev.scriptd.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * The script editor edits some fields of a script; a save in Chromium keeps the others as the API
 * stored them (a PUT replaces the whole definition, so a field the page left out would be cleared).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScriptEditorKeepsTest {
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
  void savingInTheEditorKeepsTheEndpointsRoleAndLimitsAndTheRetention() throws Exception {
    JsonObject endpoint = new JsonObject().put("method", "POST").put("path", "keeps").put("auth", "token")
        .put("role", "admin").put("rate_limit", 3).put("max_concurrent", 2);
    JsonObject retention = new JsonObject().put("days", 7).put("max_runs", 20);
    String id = server.post("/api/scripts", new JsonObject().put("name", "editor-keeps")
        .put("command", "echo one").put("endpoint", endpoint).put("retention", retention)).getString("id");

    browser.open("/scripts/" + id);
    browser.until("the editor shows the command",
        d -> d.findElement(By.id("f-source")).getAttribute("value").equals("echo one"), Duration.ofSeconds(10));
    browser.driver.findElement(By.id("f-source")).sendKeys(Keys.END, "; echo two");
    browser.driver.findElement(By.id("script-save")).click();
    browser.until("the script is saved", d -> d.findElement(By.cssSelector(".msg")).getText().contains("Saved (version 2)"),
        Duration.ofSeconds(10));

    JsonObject saved = server.getJson("/api/scripts/" + id);
    assertEquals("echo one; echo two", saved.getString("command"));
    assertEquals(endpoint, saved.getJsonObject("endpoint"), "an admin-only endpoint stays admin-only");
    assertEquals(retention.getInteger("days"), saved.getJsonObject("retention").getInteger("days"));
    assertEquals(retention.getInteger("max_runs"), saved.getJsonObject("retention").getInteger("max_runs"));
  }
}
