package dev.scriptd.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/** The newcomer's UI polish, in Chromium: the run view's details and toggles, the skip link, the scripts list. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiPolishTest {
  /** 80 plain lines between two progress markers, so the finished run's log can be scrolled. */
  private static final String PROGRESS_COMMAND = "echo start; echo '::progress 50'; "
      + "for i in $(seq 1 80); do echo \"line $i\"; done; echo '::progress 100'; echo done";

  @TempDir
  static Path temp;
  private UiServer server;
  private Browser browser;
  private Path workDir;

  @BeforeAll
  void start() throws Exception {
    server = UiServer.start(temp.resolve("data"));
    browser = new Browser(server.base, temp.resolve("chromium-profile"));
    workDir = Files.createDirectories(temp.resolve("work dir"));
    browser.driver.get(server.base + "/?token=" + UiServer.ADMIN_TOKEN);
    browser.await(By.id("new-command"));
  }

  @AfterAll
  void stop() throws Exception {
    Browser.closeBoth(browser, server);
  }

  @AfterEach
  void consoleHasNoErrors() {
    browser.assertNoConsoleErrors();
  }

  /** A script run of PROGRESS_COMMAND in workDir, finished; returns the run. */
  private JsonObject finishedProgressRun(String scriptName) throws Exception {
    JsonObject script = server.post("/api/scripts", new JsonObject().put("name", scriptName)
        .put("command", PROGRESS_COMMAND).put("cwd", workDir.toString()));
    JsonObject run = server.post("/api/scripts/" + script.getString("id") + "/run", new JsonObject());
    JsonObject finished = server.awaitFinished(run.getString("id"), Duration.ofSeconds(20));
    assertEquals("completed", finished.getString("status"), finished.encode());
    return finished;
  }

  private void openFinishedRun(String runId) {
    browser.open("/runs/" + runId);
    browser.await(By.cssSelector("#terminal[data-ready='true']"));
    browser.until("the stream state says finished",
        d -> d.findElement(By.cssSelector(".stream-state")).getText().equals("finished"), Duration.ofSeconds(10));
  }

  private String metaValue(String item) {
    return browser.driver.findElement(By.cssSelector(".run-meta .meta-" + item + " dd")).getText();
  }

  private String mirror() {
    return browser.driver.findElement(By.id("log-mirror")).getAttribute("textContent");
  }

  @Test
  void theRunViewShowsTheFullCommandItsCwdTriggerAndALinkToItsScript() throws Exception {
    JsonObject run = finishedProgressRun("polish-details");
    openFinishedRun(run.getString("id"));

    assertEquals(PROGRESS_COMMAND, browser.driver.findElement(By.id("run-command")).getText(), "the whole command, not cut");
    assertEquals(workDir.toString(), metaValue("cwd"));
    assertEquals("api", metaValue("trigger"));
    WebElement scriptLink = browser.driver.findElement(By.id("run-script-link"));
    assertEquals("polish-details", scriptLink.getText());
    assertEquals("#/scripts/" + run.getString("script_id"), scriptLink.getAttribute("href").replaceAll("^[^#]*", ""));
    assertEquals("admin", run.getString("created_by"), "the run names the token that started it");
    assertEquals("admin", metaValue("created-by"), "the 'Started by' row names it too");

    scriptLink.click();
    browser.until("the link opens the script", d -> d.getCurrentUrl().endsWith("#/scripts/" + run.getString("script_id"))
        && d.findElement(By.id("f-name")).getAttribute("value").equals("polish-details"), Duration.ofSeconds(10));
  }

  @Test
  void aFinishedRunNeverOffersJumpToLiveEvenScrolledBack() throws Exception {
    JsonObject run = finishedProgressRun("polish-no-live");
    openFinishedRun(run.getString("id"));
    assertFalse(pageShows("Jump to live"), "at the end of a finished run");

    // scrolled back to the top, the view no longer follows the end; still nothing live to jump to
    browser.js("const v = document.querySelector('#terminal .xterm-viewport'); v.scrollTop = 0;"
        + "v.dispatchEvent(new Event('scroll'));");
    browser.until("the button back to the end shows", d -> d.findElement(By.id("log-live")).isDisplayed(), Duration.ofSeconds(5));
    assertEquals("↓ Jump to end", browser.driver.findElement(By.id("log-live")).getText());
    assertFalse(pageShows("Jump to live"), "scrolled back in a finished run");
  }

  private boolean pageShows(String text) {
    return browser.driver.findElement(By.tagName("body")).getText().contains(text);
  }

  @Test
  void progressMarkerLinesAreHiddenUntilTheToggleShowsThem() throws Exception {
    JsonObject run = finishedProgressRun("polish-progress");
    openFinishedRun(run.getString("id"));
    browser.until("the last line is on screen", d -> browser.terminalText().contains("done"), Duration.ofSeconds(5));
    assertFalse(mirror().contains("::progress"), "marker lines are hidden: " + mirror());
    assertFalse(browser.terminalText().contains("::progress"));
    assertTrue(mirror().contains("line 80"), "the other lines show");
    assertEquals("100%", metaValue("progress").trim(), "the run reports progress, so it shows");

    WebElement toggle = browser.driver.findElement(By.id("log-show-progress"));
    assertTrue(toggle.isDisplayed(), "a run that reports progress offers the toggle");
    toggle.click();
    browser.until("the marker lines show", d -> mirror().contains("::progress 50") && mirror().contains("::progress 100"),
        Duration.ofSeconds(5));
    browser.until("the terminal shows the last marker", d -> browser.terminalText().contains("::progress 100"),
        Duration.ofSeconds(5));
    toggle.click();
    browser.until("the marker lines hide again", d -> !mirror().contains("::progress"), Duration.ofSeconds(5));
    assertFalse(browser.terminalText().contains("::progress"));
  }

  @Test
  void aRunThatReportsNoProgressShowsNoProgress() throws Exception {
    JsonObject run = server.post("/api/runs", new JsonObject().put("command", "echo plain"));
    server.awaitFinished(run.getString("id"), Duration.ofSeconds(20));
    openFinishedRun(run.getString("id"));
    browser.until("the line shows", d -> mirror().contains("plain"), Duration.ofSeconds(5));
    assertTrue(browser.driver.findElements(By.xpath("//dl[contains(@class, 'run-meta')]//dt[. = 'Progress']")).isEmpty(),
        "no progress item");
    assertFalse(browser.driver.findElement(By.id("log-show-progress")).isDisplayed(), "no marker toggle");
    assertEquals("the server's working directory", metaValue("cwd"), "a run without cwd says where it ran");
  }

  @Test
  void aLiveRunShowsProgressWhenItReportsItAndStillOffersJumpToLive() throws Exception {
    JsonObject run = server.post("/api/runs", new JsonObject()
        .put("command", "seq 1 100; echo '::progress 30'; echo reported; sleep 60"));
    String id = run.getString("id");
    try {
      browser.open("/runs/" + id);
      browser.until("the line after the marker arrives", d -> mirror().contains("reported"), Duration.ofSeconds(10));
      browser.until("the header shows the reported progress",
          d -> !d.findElements(By.cssSelector(".run-meta .meta-progress dd")).isEmpty() && metaValue("progress").trim().equals("30%"),
          Duration.ofSeconds(5));
      assertFalse(mirror().contains("::progress"), "the marker line is hidden in a live run too");
      assertEquals("running", server.getJson("/api/runs/" + id).getString("status"));

      // scrolled back in a live run, the way back is "Jump to live"
      browser.js("const v = document.querySelector('#terminal .xterm-viewport'); v.scrollTop = 0;"
          + "v.dispatchEvent(new Event('scroll'));");
      browser.until("the live button shows", d -> d.findElement(By.id("log-live")).isDisplayed(), Duration.ofSeconds(5));
      assertEquals("↓ Jump to live", browser.driver.findElement(By.id("log-live")).getText());
    } finally {
      server.post("/api/runs/" + id + "/kill", new JsonObject());
      server.awaitFinished(id, Duration.ofSeconds(20));
    }
  }

  @Test
  void theTimestampsToggleShowsEachLinesTime() throws Exception {
    JsonObject run = finishedProgressRun("polish-timestamps");
    openFinishedRun(run.getString("id"));
    browser.until("the last line is on screen", d -> browser.terminalText().contains("│ done"), Duration.ofSeconds(5));
    Pattern stamped = Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} │ done");
    assertFalse(stamped.matcher(browser.terminalText()).find(), "no timestamps by default");

    browser.driver.findElement(By.id("log-timestamps")).click();
    browser.until("each line starts with its time", d -> stamped.matcher(browser.terminalText()).find(), Duration.ofSeconds(5));
    browser.driver.findElement(By.id("log-timestamps")).click();
    browser.until("the times go away", d -> !stamped.matcher(browser.terminalText()).find()
        && browser.terminalText().contains("│ done"), Duration.ofSeconds(5));
  }

  @Test
  void theSkipLinkMovesFocusToTheMainContentAndStaysOnThePage() throws Exception {
    browser.open("/scripts");
    browser.await(By.cssSelector("table.scripts"));
    WebElement skip = browser.driver.findElement(By.cssSelector("a.skip"));
    browser.js("arguments[0].focus()", skip);
    assertTrue(skip.isDisplayed(), "focused, the skip link is visible");
    skip.sendKeys(Keys.ENTER);
    browser.until("focus is on the main content", d -> "main".equals(browser.js("return document.activeElement.id")),
        Duration.ofSeconds(5));
    assertTrue(browser.driver.getCurrentUrl().endsWith("#/scripts"), browser.driver.getCurrentUrl());
    assertEquals("Scripts", browser.driver.findElement(By.cssSelector("main h1")).getText(), "the page is still there");
  }

  @Test
  void theScriptsListShowsEachScriptsTimeZoneAndEnabledState() throws Exception {
    JsonObject paris = server.post("/api/scripts", new JsonObject().put("name", "tz-paris").put("command", "true")
        .put("schedule", new JsonObject().put("cron", "0 3 * * *").put("timezone", "Europe/Paris")));
    JsonObject tokyo = server.post("/api/scripts", new JsonObject().put("name", "tz-tokyo-off").put("command", "true")
        .put("enabled", false).put("schedule", new JsonObject().put("cron", "30 4 * * 1").put("timezone", "Asia/Tokyo")));
    JsonObject manual = server.post("/api/scripts", new JsonObject().put("name", "no-schedule").put("command", "true"));

    browser.open("/scripts");
    browser.driver.navigate().refresh(); // another test may have left the list open
    browser.await(By.cssSelector("tr[data-script-id='" + manual.getString("id") + "']"));
    assertEquals(List.of("Europe/Paris", "enabled"), cells(paris.getString("id")));
    assertEquals(List.of("Asia/Tokyo", "disabled"), cells(tokyo.getString("id")));
    assertEquals(List.of("—", "enabled"), cells(manual.getString("id")));
    assertTrue(browser.driver.findElements(By.cssSelector("table.scripts th")).stream()
        .map(WebElement::getText).toList().containsAll(List.of("TIME ZONE", "ENABLED")), "the columns are named");
  }

  private List<String> cells(String scriptId) {
    WebElement row = browser.driver.findElement(By.cssSelector("tr[data-script-id='" + scriptId + "']"));
    return List.of(row.findElement(By.cssSelector("td.timezone")).getText(), row.findElement(By.cssSelector("td.enabled")).getText());
  }
}
