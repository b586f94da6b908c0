package dev.scriptd.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
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
import org.openqa.selenium.support.ui.FluentWait;
import org.openqa.selenium.support.ui.Select;

/** End to end: the real server in-process, the real UI in headless Chromium. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiTest {
  @TempDir
  static Path temp;
  private UiServer server;
  private Browser browser;

  @BeforeAll
  void start() throws Exception {
    server = UiServer.start(temp.resolve("data"));
    browser = new Browser(server.base, temp.resolve("chromium-profile"));
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
  @Order(0)
  void logInWithTheFormThenWithTheFirstStartLink() throws Exception {
    // a fresh browser has no session: the login form, without a 401 from /api/me in the console
    browser.driver.get(server.base + "/");
    WebElement token = browser.await(By.id("login-token"));
    browser.screenshot("login");
    token.sendKeys(UiServer.ADMIN_TOKEN);
    browser.driver.findElement(By.cssSelector("form.login-card button[type='submit']")).click();
    browser.await(By.id("new-command"));
    browser.until("the top bar names the admin", d -> d.findElement(By.id("who-name")).getText().contains("admin"),
        Duration.ofSeconds(5));
    assertTrue(hasSessionCookie(), "logging in sets the HttpOnly session cookie");

    // log out: the cookie is cleared and a reload shows the form again
    browser.driver.findElement(By.id("logout")).click();
    browser.await(By.id("login-token"));
    assertFalse(hasSessionCookie(), "logging out clears the session cookie");
    browser.driver.navigate().refresh();
    browser.await(By.id("login-token"));

    // the first-start link sets the cookie and redirects to the UI, logged in
    browser.driver.get(server.base + "/?token=" + UiServer.ADMIN_TOKEN);
    browser.await(By.id("new-command"));
    assertEquals(server.base + "/", browser.driver.getCurrentUrl().replaceAll("#.*", ""));
    assertEquals("admin · admin", browser.driver.findElement(By.id("who-name")).getText());
    assertTrue(hasSessionCookie(), "the link sets the HttpOnly session cookie");
  }

  private boolean hasSessionCookie() {
    return browser.driver.manage().getCookies().stream()
        .anyMatch(c -> c.getName().equals("scriptd_token") && c.isHttpOnly() && !c.getValue().isEmpty());
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
  void createAScheduledScriptAndWatchItsCronRunsArriveOnTheDashboard() throws Exception {
    browser.open("/scripts/new");
    browser.await(By.id("f-name")).sendKeys("ui-every-second");
    browser.driver.findElement(By.id("f-source")).sendKeys("echo \"cron run for $SCRIPTD_SCHEDULED_AT\"");

    // the schedule is checked while typing: a local hint first, then the server's verdict and fire times
    browser.driver.findElement(By.id("f-schedule_on")).click();
    WebElement cron = browser.driver.findElement(By.id("f-schedule.cron"));
    cron.sendKeys("@weekly");
    browser.until("a macro is not refused while typing: the server finds it valid and lists its fire times",
        d -> d.findElements(By.cssSelector("#schedule-preview li")).size() == 10
            && d.findElement(By.id("cron-state")).getText().contains("valid;"), Duration.ofSeconds(5));
    cron.clear();
    cron.sendKeys("* * *");
    browser.until("a 3-field cron is refused while typing",
        d -> d.findElement(By.id("cron-state")).getText().contains("3 fields"), Duration.ofSeconds(5));
    cron.sendKeys(" 99 * *");
    browser.until("the server explains what is wrong with the 5-field cron",
        d -> d.findElement(By.id("cron-state")).getText().contains("not a valid cron expression"), Duration.ofSeconds(5));
    cron.clear();
    cron.sendKeys("* * * * * *");
    browser.until("6 fields: valid, with the next 10 fire times one second apart",
        d -> d.findElements(By.cssSelector("#schedule-preview li")).size() == 10
            && d.findElement(By.id("cron-state")).getText().contains("valid;"), Duration.ofSeconds(5));

    // an endpoint shows the URL it answers on
    browser.driver.findElement(By.id("f-endpoint_on")).click();
    browser.driver.findElement(By.id("f-endpoint.path")).sendKeys("/ui/every-second");
    assertEquals("POST " + server.base + "/hooks/ui/every-second", browser.driver.findElement(By.id("hook-url")).getText());
    browser.screenshot("script-editor");

    browser.driver.findElement(By.id("script-save")).click();
    browser.until("the script is created", d -> d.getCurrentUrl().matches(".*#/scripts/[0-9a-f-]{36}$"), Duration.ofSeconds(10));
    String scriptId = browser.driver.getCurrentUrl().replaceAll(".*#/scripts/", "");
    JsonObject saved = server.getJson("/api/scripts/" + scriptId);
    assertEquals("* * * * * *", saved.getJsonObject("schedule").getString("cron"));
    assertEquals("ui/every-second", saved.getJsonObject("endpoint").getString("path"));

    // the dashboard shows its cron runs as they happen, without a reload
    browser.driver.findElement(By.cssSelector("nav a[data-nav='/']")).click();
    browser.await(By.id("new-command"));
    browser.js("window.__marker = 'same page'");
    int shownAtStart = cronRows(scriptId);
    browser.until("two more cron runs of the script appear and complete",
        d -> cronRows(scriptId) >= shownAtStart + 2, Duration.ofSeconds(15));
    assertEquals("same page", browser.js("return window.__marker"), "no reload happened");
    browser.screenshot("dashboard-cron");

    // the scripts list shows it with its last and next run
    browser.driver.findElement(By.cssSelector("nav a[data-nav='/scripts']")).click();
    browser.until("the list shows the last run", d -> !d.findElements(
        By.cssSelector("tr[data-script-id='" + scriptId + "'] a[href^='#/runs/']")).isEmpty(), Duration.ofSeconds(10));
    browser.screenshot("scripts");

    // the script's page shows its schedule history: fire times with their outcome and run
    browser.open("/scripts/" + scriptId);
    browser.until("the schedule history lists started fire times with a link to their run",
        d -> !d.findElements(By.cssSelector("#schedule-ledger li[data-outcome='started'] a[href^='#/runs/']")).isEmpty(),
        Duration.ofSeconds(10));

    // stop the schedule so the other tests see a quiet server
    saved.put("enabled", false);
    server.send("PUT", "/api/scripts/" + scriptId, saved);
  }

  private int cronRows(String scriptId) {
    return browser.driver.findElements(By.cssSelector("tr[data-run-id][data-status='completed']")).stream()
        .filter(row -> row.getText().contains("ui-every-second") && row.getText().contains("cron"))
        .toList().size();
  }

  @Test
  @Order(5)
  void historyFiltersAndStatsCards() throws Exception {
    JsonObject script = server.getJson("/api/scripts/ui-every-second");
    String scriptId = script.getString("id");
    server.post("/api/runs", new JsonObject().put("command", "exit 3"));
    // a cron run that started just before the schedule was disabled ends first
    browser.until("the script has no active run", d -> uncheckedStatsTotal("?status=running&script_id=" + scriptId) == 0
        && uncheckedStatsTotal("?status=pending&script_id=" + scriptId) == 0, Duration.ofSeconds(10));
    JsonObject expected = server.getJson("/api/runs/stats?script_id=" + scriptId + "&status=completed");
    assertTrue(expected.getLong("total") >= 2, expected.encode());

    browser.open("/history");
    browser.until("the script filter lists the script", d -> !d.findElements(
        By.cssSelector("#h-script option[value='" + scriptId + "']")).isEmpty(), Duration.ofSeconds(10));
    browser.until("unfiltered stats count every run",
        d -> statCard("total").equals(String.format(Locale.ROOT, "%,d", uncheckedStatsTotal(""))), Duration.ofSeconds(10));
    new Select(browser.driver.findElement(By.id("h-script"))).selectByValue(scriptId);
    new Select(browser.driver.findElement(By.id("h-status"))).selectByValue("completed");
    browser.driver.findElement(By.cssSelector("form.filters button[type='submit']")).click();
    browser.until("the table holds only the script's completed runs", d -> {
      List<WebElement> rows = d.findElements(By.cssSelector("table.runs tr[data-run-id]"));
      return rows.size() == expected.getLong("total")
          && rows.stream().allMatch(r -> "completed".equals(r.getAttribute("data-status")) && r.getText().contains("ui-every-second"));
    }, Duration.ofSeconds(10));
    browser.until("the stats cards follow the filters", d -> statCard("total").equals(String.format(Locale.ROOT, "%,d", expected.getLong("total")))
        && statCard("completed").equals(statCard("total")) && statCard("failed").equals("0"), Duration.ofSeconds(10));
    assertTrue(browser.driver.findElement(By.id("cleanup")).getText().contains("Next run"), "the cleanup status shows");
    browser.screenshot("history");
  }

  private String statCard(String name) {
    List<WebElement> cards = browser.driver.findElements(By.cssSelector("#stats .stat[data-stat='" + name + "'] .stat-value"));
    return cards.isEmpty() ? "" : cards.get(0).getText();
  }

  private long uncheckedStatsTotal(String query) {
    try {
      return server.getJson("/api/runs/stats" + query).getLong("total");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @Order(6)
  void tokensPageCreatesATokenAndShowsItOnce() throws Exception {
    browser.open("/tokens");
    browser.await(By.id("t-name")).sendKeys("ui-viewer");
    new Select(browser.driver.findElement(By.id("t-role"))).selectByValue("viewer");
    browser.driver.findElement(By.id("t-create")).click();
    WebElement secret = browser.await(By.id("token-secret"));
    String token = secret.getAttribute("value");
    assertTrue(token.startsWith("sd_"), token);
    browser.until("the list shows the new token", d -> d.findElements(By.cssSelector("tbody tr")).stream()
        .anyMatch(r -> r.getText().contains("ui-viewer") && r.getText().contains("viewer")), Duration.ofSeconds(10));
    browser.screenshot("tokens");
    JsonObject me = new JsonObject(server.getAs(token, "/api/me").body());
    assertEquals("viewer", me.getString("role"), "the token shown works");

    // shown once: opening the page again lists it without the secret
    browser.open("/history");
    browser.await(By.id("stats"));
    browser.open("/tokens");
    browser.until("the list shows the token", d -> d.findElements(By.cssSelector("tbody tr")).stream()
        .anyMatch(r -> r.getText().contains("ui-viewer")), Duration.ofSeconds(10));
    assertTrue(browser.driver.findElements(By.id("token-secret")).isEmpty(), "the secret is not shown again");
    assertFalse(browser.driver.getPageSource().contains(token), "the secret is nowhere on the page");
  }

  @Test
  @Order(7)
  void browserWebSocketFollowsARunToACleanClose() throws Exception {
    JsonObject run = server.post("/api/runs", new JsonObject()
        .put("command", "for i in 1 2 3; do echo \"tick $i\"; sleep 0.1; done"));
    browser.open("/");
    browser.await(By.id("new-command"));
    // Chromium's own WebSocket, authenticated by the session cookie of the page's origin
    browser.js("window.wsSeen = []; window.wsClosed = null;"
        + "const ws = new WebSocket(location.origin.replace('http', 'ws') + '/api/runs/' + arguments[0] + '/logs?since=0');"
        + "ws.onmessage = e => window.wsSeen.push(JSON.parse(e.data));"
        + "ws.onclose = e => window.wsClosed = {code: e.code, clean: e.wasClean};", run.getString("id"));
    browser.until("the WebSocket closes", d -> browser.js("return window.wsClosed") != null, Duration.ofSeconds(20));
    @SuppressWarnings("unchecked")
    java.util.Map<String, Object> closed = (java.util.Map<String, Object>) browser.js("return window.wsClosed");
    assertEquals(1000L, ((Number) closed.get("code")).longValue());
    assertEquals(Boolean.TRUE, closed.get("clean"), "a clean close handshake");
    @SuppressWarnings("unchecked")
    List<java.util.Map<String, Object>> seen = (List<java.util.Map<String, Object>>) browser.js("return window.wsSeen");
    List<String> lines = seen.stream().filter(m -> "log".equals(m.get("type"))).map(m -> (String) m.get("line")).toList();
    assertEquals(List.of("tick 1", "tick 2", "tick 3"), lines);
    assertEquals("done", seen.get(seen.size() - 1).get("type"));
  }

  @Test
  @Order(8)
  @DisplayName("the pin toggle on the run view and in the history list pins and unpins the run; a pinned run offers no Delete")
  void pinToggleOnTheRunViewAndInTheHistoryList() throws Exception {
    String id = server.post("/api/runs", new JsonObject().put("command", "echo pin-me")).getString("id");
    server.awaitFinished(id, Duration.ofSeconds(10));
    browser.driver.get(server.base + "/?token=" + UiServer.ADMIN_TOKEN); // logged in, also when run alone
    browser.await(By.id("new-command"));
    browser.open("/runs/" + id);
    browser.await(By.id("run-delete"));
    browser.await(By.id("run-pin")).click();
    browser.until("the run view shows the pin", d -> "true".equals(pressed("#run-pin"))
        && d.findElements(By.id("run-delete")).isEmpty(), Duration.ofSeconds(10));
    assertTrue(server.getJson("/api/runs/" + id).getBoolean("pinned"));

    browser.open("/history");
    String rowPin = "tr[data-run-id='" + id + "'] button.pin";
    browser.until("the history row shows the pin", d -> "true".equals(pressed(rowPin)), Duration.ofSeconds(10));
    browser.driver.findElement(By.cssSelector(rowPin)).click();
    browser.until("the history row shows it unpinned", d -> "false".equals(pressed(rowPin)), Duration.ofSeconds(10));
    assertFalse(server.getJson("/api/runs/" + id).getBoolean("pinned"));
  }

  @Test
  @Order(9)
  @DisplayName("the runs table and the run view say who started a run; the admin Audit page lists, filters and verifies the log")
  void whoStartedARunAndTheAuditPage() throws Exception {
    String id = server.post("/api/runs", new JsonObject().put("command", "echo audited")).getString("id");
    server.awaitFinished(id, Duration.ofSeconds(10));
    browser.driver.get(server.base + "/?token=" + UiServer.ADMIN_TOKEN); // logged in, also when run alone
    browser.await(By.id("new-command"));

    browser.open("/history");
    String byCell = "tr[data-run-id='" + id + "'] td.by";
    browser.until("the history row names who started the run",
        d -> !d.findElements(By.cssSelector(byCell)).isEmpty() && "admin".equals(d.findElement(By.cssSelector(byCell)).getText()),
        Duration.ofSeconds(10));
    browser.open("/runs/" + id);
    browser.until("the run view names who started it", d -> !d.findElements(By.cssSelector(".meta-created-by dd")).isEmpty()
        && "admin".equals(d.findElement(By.cssSelector(".meta-created-by dd")).getText()), Duration.ofSeconds(10));

    browser.driver.findElement(By.cssSelector("nav a[data-nav='/audit']")).click();
    String startRow = "tr[data-action='run.start']";
    browser.until("the audit page lists the run's start", d -> d.findElements(By.cssSelector(startRow)).stream()
        .anyMatch(r -> r.getText().contains(id) && r.getText().contains("admin")), Duration.ofSeconds(10));
    browser.await(By.id("a-action")).sendKeys("token.create");
    browser.driver.findElement(By.cssSelector("#main form.filters button[type='submit']")).click();
    browser.until("the filter leaves only token creations", d -> d.findElements(By.cssSelector(startRow)).isEmpty()
        && !d.findElements(By.cssSelector("tr[data-action='token.create']")).isEmpty(), Duration.ofSeconds(10));
    browser.driver.findElement(By.id("audit-verify")).click();
    browser.until("verify says the chain holds", d -> d.findElement(By.id("audit-verify-result")).getText()
        .startsWith("The chain holds"), Duration.ofSeconds(10));
    browser.screenshot("audit");
  }

  /** aria-pressed of the element, read in one script (the views re-render their rows and headers). */
  private String pressed(String css) {
    Object value = browser.driver.executeScript(
        "const e = document.querySelector(arguments[0]); return e ? e.getAttribute('aria-pressed') : null", css);
    return value == null ? null : value.toString();
  }
}
