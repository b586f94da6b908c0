package dev.scriptd.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.logging.LogEntry;

/**
 * Every page of the UI at a laptop size and a phone size, saved to target/screenshots/; on the
 * phone no page scrolls sideways (wide tables scroll inside their own box or become cards).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiScreenshotsTest {
  private static final int[] DESKTOP = {1366, 768};
  private static final int[] PHONE = {390, 844};

  @TempDir
  static Path temp;
  private UiServer server;
  private Browser browser;
  private final Map<String, String> pages = new LinkedHashMap<>(); // name -> hash path
  private final Map<String, String> readyWhen = new LinkedHashMap<>(); // name -> CSS selector

  @BeforeAll
  void start() throws Exception {
    server = UiServer.start(temp.resolve("data"));
    browser = new Browser(server.base, temp.resolve("chromium-profile"));
    seed();
  }

  @AfterAll
  void stop() throws Exception {
    Browser.closeBoth(browser, server);
  }

  /** Scripts, runs (finished with progress, failed, still running) and a token, so no page is empty. */
  private void seed() throws Exception {
    Path work = Files.createDirectories(temp.resolve("nightly-work"));
    JsonObject backup = server.post("/api/scripts", new JsonObject().put("name", "nightly-backup-of-the-customer-database")
        .put("command", "echo \"dumping $DB_NAME\"; for i in $(seq 1 40); do echo \"table $i: $((i * 1234)) rows copied to /var/backups/scriptd/nightly/customers-$(date +%F).sql.gz\"; "
            + "[ $((i % 10)) = 0 ] && echo \"::progress $((i * 100 / 40))\"; done; echo 'warning: 2 tables were empty' >&2; echo done")
        .put("cwd", work.toString())
        .put("env", new JsonObject().put("DB_NAME", "customers").put("DB_PASSWORD", new JsonObject().put("value", "s3cret").put("secret", true)))
        .put("schedule", new JsonObject().put("cron", "0 3 * * *").put("timezone", "Europe/Paris").put("misfire", "once"))
        .put("endpoint", new JsonObject().put("method", "POST").put("path", "backups/nightly-customer-database").put("auth", "token")));
    server.post("/api/scripts", new JsonObject().put("name", "weekly-report").put("enabled", false).put("command", "echo report")
        .put("schedule", new JsonObject().put("cron", "30 6 * * 1").put("timezone", "America/Los_Angeles")));
    server.post("/api/scripts", new JsonObject().put("name", "deploy").put("command", "echo deploying"));

    JsonObject finished = server.post("/api/scripts/" + backup.getString("id") + "/run", new JsonObject());
    server.awaitFinished(finished.getString("id"), Duration.ofSeconds(20));
    JsonObject failed = server.post("/api/runs", new JsonObject()
        .put("command", "echo 'checking https://example.invalid/a/very/long/path/that/does/not/wrap/on/a/phone/screen/at/all?with=query&and=more'; exit 3"));
    server.awaitFinished(failed.getString("id"), Duration.ofSeconds(20));
    JsonObject running = server.post("/api/runs", new JsonObject()
        .put("command", "for i in $(seq 1 5); do echo \"step $i of 5\"; echo \"::progress $((i * 10))\"; done; sleep 300"));
    server.post("/api/tokens", new JsonObject().put("name", "ci-pipeline").put("role", "operator"));

    pages.put("login", "/");
    readyWhen.put("login", "#login-token");
    pages.put("dashboard", "/");
    readyWhen.put("dashboard", "tr[data-run-id='" + running.getString("id") + "']");
    pages.put("run-finished", "/runs/" + finished.getString("id"));
    readyWhen.put("run-finished", "#terminal[data-ready='true']");
    pages.put("run-failed", "/runs/" + failed.getString("id"));
    readyWhen.put("run-failed", "#terminal[data-ready='true']");
    pages.put("run-running", "/runs/" + running.getString("id"));
    readyWhen.put("run-running", "#terminal[data-ready='true']");
    pages.put("scripts", "/scripts");
    readyWhen.put("scripts", "tr[data-script-id='" + backup.getString("id") + "']");
    pages.put("script-editor", "/scripts/" + backup.getString("id"));
    readyWhen.put("script-editor", "#schedule-preview li");
    pages.put("script-new", "/scripts/new");
    readyWhen.put("script-new", "#f-name");
    pages.put("history", "/history");
    readyWhen.put("history", "#stats .stat");
    pages.put("tokens", "/tokens");
    readyWhen.put("tokens", "tbody tr[data-token-id]");
  }

  @Test
  void everyPageAtLaptopAndPhoneSizeWithoutSidewaysScrollOnThePhone() throws Exception {
    List<String> overflowing = new ArrayList<>();
    List<String> consoleErrors = new ArrayList<>();
    boolean loggedIn = false;
    for (Map.Entry<String, String> page : pages.entrySet()) {
      String name = page.getKey();
      if (!name.equals("login") && !loggedIn) {
        browser.driver.get(server.base + "/?token=" + UiServer.ADMIN_TOKEN);
        browser.await(By.id("new-command"));
        loggedIn = true;
      }
      for (int[] size : List.of(DESKTOP, PHONE)) {
        boolean phone = size == PHONE;
        browser.viewport(size[0], size[1]);
        if (name.equals("login")) {
          browser.driver.get(server.base + "/");
        } else {
          browser.open(page.getValue());
          browser.driver.navigate().refresh(); // a fresh render at this size
        }
        browser.await(By.cssSelector(readyWhen.get(name)));
        browser.until("the layout settles", d -> Boolean.TRUE.equals(browser.js(
            "return document.fonts.status === 'loaded' && !document.querySelector('.msg-error:not([hidden])')")), Duration.ofSeconds(5));
        browser.screenshot(name + (phone ? "-phone" : "-desktop"));
        if (phone) {
          browser.fullPageScreenshot(name + "-phone-full");
          assertEquals(List.of(390L, 844L), browser.js("return [window.innerWidth, window.innerHeight]"), "the phone's viewport");
          String overflow = browser.horizontalOverflow();
          if (!overflow.isEmpty()) {
            overflowing.add(name + ": " + overflow);
          }
        }
        for (LogEntry entry : browser.severeConsoleEntries()) {
          consoleErrors.add(name + ": " + entry);
        }
      }
    }
    for (String name : pages.keySet()) {
      for (String suffix : List.of("-desktop.png", "-phone.png")) {
        assertTrue(Files.size(Browser.SCREENSHOTS.resolve(name + suffix)) > 0, name + suffix);
      }
    }
    assertTrue(overflowing.isEmpty(), "pages that scroll sideways at 390x844:\n" + String.join("\n", overflowing));
    assertTrue(consoleErrors.isEmpty(), "browser console errors:\n" + consoleErrors.stream().collect(Collectors.joining("\n")));
  }
}
