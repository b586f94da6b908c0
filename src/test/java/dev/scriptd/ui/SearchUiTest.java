package dev.scriptd.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** Log search in Chromium: the box on History, a hit with its match highlighted, the run view at that line. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchUiTest {
  @TempDir
  static Path temp;
  private UiServer server;
  private Browser browser;

  @BeforeAll
  void start() throws Exception {
    server = UiServer.start(temp.resolve("data"));
    browser = new Browser(server.base, temp.resolve("chromium-profile"));
    browser.driver.get(server.base + "/?token=" + UiServer.ADMIN_TOKEN);
    browser.await(By.id("new-command"));
  }

  @AfterAll
  void stop() throws Exception {
    Browser.closeBoth(browser, server);
  }

  @Test
  @DisplayName("a search on History shows the coloured hit with its match marked; a click opens the run at that line, far from the end")
  void searchBoxOpensTheRunAtTheLine() throws Exception {
    // line 100 of 12,000: the run view alone would open on the newest 5,000 lines, without it
    JsonObject run = server.post("/api/runs", new JsonObject().put("command",
        "for i in $(seq 1 99); do echo filler $i; done; printf 'found \\033[32mNeedleXyz\\033[0m here\\n'; "
            + "for i in $(seq 101 12000); do echo filler $i; done"));
    String runId = run.getString("id");
    server.awaitFinished(runId, Duration.ofSeconds(60));

    browser.open("/history");
    WebElement box = browser.await(By.id("logsearch-q"));
    box.sendKeys("needlexyz");
    browser.driver.findElement(By.id("logsearch-go")).click();
    WebElement hit = browser.await(By.cssSelector("#logsearch-results li.search-hit"));
    assertEquals(runId, hit.getDomAttribute("data-run"));
    assertEquals("100", hit.getDomAttribute("data-seq"));
    assertEquals("found NeedleXyz here", hit.findElement(By.cssSelector(".search-line")).getText());
    assertEquals("NeedleXyz", hit.findElement(By.cssSelector("mark")).getText());

    hit.findElement(By.tagName("a")).click();
    browser.await(By.cssSelector("#terminal[data-revealed-seq='100']"));
    assertTrue(browser.driver.getCurrentUrl().contains("#/runs/" + runId + "?seq=100"), browser.driver.getCurrentUrl());
    long firstSeq = Long.parseLong(browser.driver.findElement(By.cssSelector("#terminal .term-host")).getDomAttribute("data-first-seq"));
    assertTrue(firstSeq <= 100, "the loaded lines start at " + firstSeq);

    browser.assertNoConsoleErrors();
  }
}
