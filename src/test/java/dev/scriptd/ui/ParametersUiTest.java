package dev.scriptd.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.support.ui.Select;

/**
 * The run form of a script's parameters in Chromium: "Run…" opens it with the defaults filled, the
 * server's errors appear next to their fields, a filled form starts the run, the run view shows its
 * params (secret masked) and outputs, and the editor previews the form while the schema is typed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Parameters in the UI: the run form, its errors, the run view and the editor's preview")
class ParametersUiTest {
  private static final JsonObject SCHEMA = new JsonObject("""
      {"type": "object", "required": ["day"], "properties": {
        "day": {"type": "string", "format": "date", "title": "Day"},
        "count": {"type": "integer", "minimum": 1, "maximum": 5, "default": 3},
        "env": {"type": "string", "enum": ["dev", "prod"], "default": "dev"},
        "dry": {"type": "boolean"},
        "at": {"type": "string", "format": "date-time"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "password": {"type": "string", "x-secret": true}
      }}""");

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

  private void setValue(String id, String value) {
    browser.js("const e = document.getElementById(arguments[0]); e.value = arguments[1];"
        + " e.dispatchEvent(new Event('input', {bubbles: true}));", id, value);
  }

  @Test
  @DisplayName("Run… opens the form with defaults; a server error shows by its field; a filled form starts the run")
  void runForm() throws Exception {
    String id = server.post("/api/scripts", new JsonObject().put("name", "ui-params").put("parameters", SCHEMA)
        .put("command", "echo \"day=$SCRIPTD_PARAM_DAY count=$SCRIPTD_PARAM_COUNT env=$SCRIPTD_PARAM_ENV"
            + " dry=$SCRIPTD_PARAM_DRY tags=$SCRIPTD_PARAM_TAGS\"; echo \"greeting=hi $SCRIPTD_PARAM_DAY\" >> \"$SCRIPTD_OUTPUT\""))
        .getString("id");
    browser.open("/scripts/" + id);
    browser.until("the editor shows Run…", d -> "Run…".equals(d.findElement(By.id("script-run")).getText()),
        Duration.ofSeconds(10));
    browser.driver.findElement(By.id("script-run")).click();
    WebElement dialog = browser.await(By.id("run-dialog"));
    assertEquals("3", dialog.findElement(By.id("param-count")).getAttribute("value"), "the default is filled");
    assertEquals("dev", new Select(dialog.findElement(By.id("param-env"))).getFirstSelectedOption().getText());
    assertEquals("date", dialog.findElement(By.id("param-day")).getAttribute("type"));
    assertEquals("datetime-local", dialog.findElement(By.id("param-at")).getAttribute("type"));
    assertEquals("password", dialog.findElement(By.id("param-password")).getAttribute("type"));
    assertEquals("checkbox", dialog.findElement(By.id("param-dry")).getAttribute("type"));

    // no day, a count over its maximum: the server's errors appear next to those two fields
    setValue("param-count", "9");
    browser.driver.findElement(By.id("run-form-submit")).click();
    browser.until("the server's errors are shown by their fields",
        d -> d.findElements(By.cssSelector("#run-form .field-error")).size() == 2, Duration.ofSeconds(10));
    String countError = (String) browser.js(
        "return document.getElementById('param-count').nextElementSibling.textContent");
    assertTrue(countError.contains("must be <= 5"), countError);
    String dayError = (String) browser.js("return document.getElementById('param-day').nextElementSibling.textContent");
    assertTrue(dayError.contains("is required"), dayError);
    List<LogEntry> logged = browser.severeConsoleEntries();
    assertTrue(logged.stream().allMatch(entry -> entry.getMessage().contains("/run") && entry.getMessage().contains("400")),
        "only the refused run is logged: " + logged);
    assertEquals(0, server.getJson("/api/runs?script_id=" + id).getJsonArray("items").size(), "no run was created");
    browser.screenshot("run-form-errors");

    setValue("param-day", "2026-01-31");
    setValue("param-count", "4");
    new Select(browser.driver.findElement(By.id("param-env"))).selectByVisibleText("prod");
    browser.driver.findElement(By.id("param-dry")).click();
    browser.driver.findElement(By.cssSelector("#param-tags .param-list-add")).click();
    browser.driver.switchTo().activeElement().sendKeys("alpha");
    browser.driver.findElement(By.id("param-password")).sendKeys("ui-secret-value");
    browser.driver.findElement(By.id("run-form-submit")).click();
    browser.until("the run opens", d -> d.getCurrentUrl().contains("#/runs/"), Duration.ofSeconds(10));
    String runId = browser.driver.getCurrentUrl().replaceAll(".*#/runs/([0-9a-f-]+).*", "$1");
    JsonObject run = server.awaitFinished(runId, Duration.ofSeconds(20));
    assertEquals("completed", run.getString("status"), run.encode());
    assertEquals("ui", run.getString("trigger"));
    assertEquals(new JsonObject().put("day", "2026-01-31").put("count", 4).put("env", "prod").put("dry", true)
        .put("tags", new JsonArray().add("alpha")).put("password", "***"), run.getJsonObject("params"));
    browser.until("the run view shows params and outputs", d -> !d.findElements(By.id("run-outputs")).isEmpty()
        && d.findElement(By.id("run-params")).getText().contains("2026-01-31"), Duration.ofSeconds(10));
    String shown = browser.driver.findElement(By.id("run-params")).getText();
    assertTrue(shown.contains("***") && !shown.contains("ui-secret-value"), shown);
    assertTrue(browser.driver.findElement(By.id("run-outputs")).getText().contains("hi 2026-01-31"));
    assertFalse(browser.driver.getPageSource().contains("ui-secret-value"));
    browser.screenshot("run-params-outputs");
  }

  @Test
  @DisplayName("the editor previews the run form while the schema is typed, and saves it")
  void editorPreview() throws Exception {
    String id = server.post("/api/scripts", new JsonObject().put("name", "ui-preview").put("command", "true"))
        .getString("id");
    browser.open("/scripts/" + id);
    browser.until("the editor is filled", d -> "ui-preview".equals(d.findElement(By.id("f-name")).getAttribute("value")),
        Duration.ofSeconds(10));
    assertEquals("Run now", browser.driver.findElement(By.id("script-run")).getText());
    setValue("f-parameters", "{\"type\": \"object\", \"properties\": {\"when\": {\"type\": \"string\", \"format\": \"date\"},"
        + " \"level\": {\"type\": \"string\", \"enum\": [\"low\", \"high\"]}}}");
    browser.until("the preview shows the form", d -> !d.findElements(By.id("preview-param-when")).isEmpty(),
        Duration.ofSeconds(5));
    assertEquals("date", browser.driver.findElement(By.id("preview-param-when")).getAttribute("type"));
    assertEquals("select", browser.driver.findElement(By.id("preview-param-level")).getTagName());
    setValue("f-parameters", "{not json");
    browser.until("the preview says why there is no form",
        d -> d.findElement(By.id("parameters-preview")).getText().contains("not JSON"), Duration.ofSeconds(5));
    setValue("f-parameters", "{\"type\": \"object\", \"properties\": {\"when\": {\"type\": \"string\", \"format\": \"date\"}}}");
    browser.driver.findElement(By.id("script-save")).click();
    browser.until("the script is saved", d -> d.findElement(By.cssSelector(".msg")).getText().contains("Saved (version 2)"),
        Duration.ofSeconds(10));
    assertEquals("date", server.getJson("/api/scripts/" + id).getJsonObject("parameters").getJsonObject("properties")
        .getJsonObject("when").getString("format"));
    assertEquals("Run…", browser.driver.findElement(By.id("script-run")).getText());
  }
}
