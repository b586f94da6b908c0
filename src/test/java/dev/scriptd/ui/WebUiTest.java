package dev.scriptd.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.support.ui.FluentWait;

/** End to end: the real server in-process, the real UI in headless Chromium. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiTest {
  /** API routes the UI calls on some pages; while the backend lacks one, its 404/405 in the console is expected. */
  private static final List<String> OPTIONAL_ROUTES = List.of("/api/me", "/api/scripts", "/api/runs/stats",
      "/api/runs/cleanup/status", "/api/tokens");

  @TempDir
  static Path temp;
  private UiServer server;
  private Browser browser;
  private final List<String> missingRoutes = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    server = UiServer.start(temp.resolve("data"));
    for (String route : OPTIONAL_ROUTES) {
      if (!server.hasRoute(route)) {
        missingRoutes.add(route);
      }
    }
    browser = new Browser(server.base, temp.resolve("chromium-profile"));
    // the first-start link: sets the HttpOnly cookie and redirects to the UI
    browser.driver.get(server.base + "/?token=" + UiServer.ADMIN_TOKEN);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  @AfterEach
  void consoleHasNoErrors() {
    List<LogEntry> errors = browser.severeConsoleEntries().stream()
        .filter(entry -> !expectedMissingRoute(entry.getMessage()))
        .toList();
    assertTrue(errors.isEmpty(), "browser console errors:\n"
        + errors.stream().map(LogEntry::toString).collect(Collectors.joining("\n")));
  }

  /** "Failed to load resource: 404" for a route the backend does not have yet. */
  private boolean expectedMissingRoute(String message) {
    return message.contains("Failed to load resource")
        && missingRoutes.stream().anyMatch(route -> message.contains(route + " ") || message.contains(route + "?"));
  }

  @Test
  @Order(1)
  void startRunFromDashboardWatchItLiveAndKillIt() throws Exception {
    browser.open("/");
    WebElement command = browser.await(By.id("new-command"));
    command.sendKeys("printf '\\033[32mgreen\\033[0m\\n'; for i in 1 2 3 4 5; do echo \"tick $i\"; "
        + "echo \"warn $i\" >&2; sleep 0.3; done; echo ready; sleep 60");
    browser.driver.findElement(By.id("new-run")).click();

    // the run view opens and its terminal follows the live tail
    browser.until("the run view opens", d -> d.getCurrentUrl().contains("#/runs/"), Duration.ofSeconds(10));
    String runId = browser.driver.getCurrentUrl().replaceAll(".*#/runs/", "");
    browser.until("the first lines appear", d -> browser.terminalText().contains("tick 1"), Duration.ofSeconds(10));
    assertEquals("running", server.getJson("/api/runs/" + runId).getString("status"),
        "the first lines must show while the run is still running");
    browser.until("later lines arrive live", d -> browser.terminalText().contains("ready"), Duration.ofSeconds(10));
    // xterm's DOM renderer gives each coloured run of cells a class per ANSI colour (2 = green)
    Object green = browser.js("return [...document.querySelectorAll('#terminal .xterm-rows span.xterm-fg-2')]"
        + ".map(s => s.textContent).join('')");
    assertEquals("green", green, "the ANSI green text is rendered in green");
    assertTrue(browser.terminalText().contains("┃ warn 3"), "stderr lines carry the stderr marker");
    assertTrue(browser.driver.findElement(By.id("log-mirror")).getAttribute("textContent").contains("[stderr] warn 5"));
    browser.screenshot("run-view");

    // kill it from the page
    browser.driver.findElement(By.id("run-kill")).click();
    browser.until("the header shows killed",
        d -> !d.findElements(By.cssSelector(".run-title .badge[data-status='killed']")).isEmpty(), Duration.ofSeconds(10));
    assertEquals("killed", server.getJson("/api/runs/" + runId).getString("status"));

    // the dashboard lists it as killed
    browser.driver.findElement(By.cssSelector("nav a[data-nav='/']")).click();
    browser.until("the dashboard shows the killed run",
        d -> !d.findElements(By.cssSelector("tr[data-run-id='" + runId + "'][data-status='killed']")).isEmpty(),
        Duration.ofSeconds(10));
  }

  @Test
  @Order(2)
  void dashboardUpdatesLiveWithoutReload() throws Exception {
    browser.open("/");
    browser.await(By.id("new-command"));
    browser.js("window.__marker = 'same page'");
    JsonObject run = server.post("/api/runs", new JsonObject().put("command", "echo from-api; sleep 0.5"));
    String id = run.getString("id");
    browser.until("the new run appears", d -> !d.findElements(By.cssSelector("tr[data-run-id='" + id + "']")).isEmpty(),
        Duration.ofSeconds(10));
    browser.until("it turns completed",
        d -> !d.findElements(By.cssSelector("tr[data-run-id='" + id + "'][data-status='completed']")).isEmpty(),
        Duration.ofSeconds(10));
    assertEquals("same page", browser.js("return window.__marker"), "no reload happened");
    browser.screenshot("dashboard");
    browser.resize(390, 844);
    browser.screenshot("dashboard-phone");
    browser.resize(1400, 900);
  }

  @Test
  @Order(3)
  void millionLineRunOpensAtItsLastLineFast() throws Exception {
    JsonObject run = server.post("/api/runs", new JsonObject().put("command", "seq 1 1000000"));
    String id = run.getString("id");
    new FluentWait<>(server).withTimeout(Duration.ofSeconds(60)).pollingEvery(Duration.ofMillis(100))
        .withMessage("the 1,000,000-line run completes")
        .until(s -> {
          try {
            JsonObject r = s.getJson("/api/runs/" + id);
            return "completed".equals(r.getString("status")) && r.getLong("log_lines") == 1_000_000L;
          } catch (Exception e) {
            return false;
          }
        });

    browser.open("/");
    browser.await(By.id("new-command"));
    long start = System.nanoTime();
    browser.js("location.hash = arguments[0]", "#/runs/" + id);
    browser.until("the last line is visible",
        d -> browser.terminalText().contains("1000000"), Duration.ofSeconds(20));
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("1,000,000-line run: last line visible %d ms after opening the run view%n", millis);
    assertTrue(millis < 2000, "the last line of a 1,000,000-line run must show in under 2 s, took " + millis + " ms");
    assertEquals("1000000", browser.js("return document.querySelector('#terminal .term-host').dataset.lastSeq"));
    browser.screenshot("run-view-million");

    // older lines load on demand, in front of the loaded ones
    String firstBefore = (String) browser.js("return document.querySelector('#terminal .term-host').dataset.firstSeq");
    browser.driver.findElement(By.id("log-older")).click();
    browser.until("older lines are loaded", d -> {
      Object first = browser.js("return document.querySelector('#terminal .term-host').dataset.firstSeq");
      return first != null && !first.equals(firstBefore);
    }, Duration.ofSeconds(10));
    long firstAfter = Long.parseLong((String) browser.js("return document.querySelector('#terminal .term-host').dataset.firstSeq"));
    assertTrue(firstAfter < Long.parseLong(firstBefore), firstAfter + " < " + firstBefore);

    // search within the loaded lines
    WebElement search = browser.driver.findElement(By.id("log-search"));
    search.sendKeys("999990");
    browser.until("search finds the line", d -> browser.driver.findElement(By.cssSelector(".search-count")).getText().contains("1 / 1"),
        Duration.ofSeconds(5));
    assertTrue(browser.js("return window.getSelection ? document.querySelector('#terminal .xterm') !== null : false").equals(true));
  }

  @Test
  @Order(4)
  void otherPagesRender() throws Exception {
    browser.open("/history");
    browser.await(By.id("stats"));
    browser.until("history lists runs", d -> !d.findElements(By.cssSelector("table.runs tr[data-run-id]")).isEmpty(),
        Duration.ofSeconds(10));
    browser.screenshot("history");

    browser.open("/scripts");
    browser.await(By.cssSelector("table.scripts"));
    browser.screenshot("scripts");

    browser.open("/scripts/new");
    browser.await(By.id("f-name"));
    browser.driver.findElement(By.id("f-schedule_on")).click();
    browser.driver.findElement(By.id("f-schedule.cron")).sendKeys("*/5 * *");
    browser.until("cron is checked while typing",
        d -> d.findElement(By.id("cron-state")).getText().contains("3 fields"), Duration.ofSeconds(5));
    browser.screenshot("script-editor");

    browser.open("/tokens");
    browser.await(By.cssSelector("h1"));
    browser.screenshot("tokens");
  }
}
