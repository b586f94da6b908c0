package dev.scriptd.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** A script's page charts its last runs with Chart.js from the WebJar, under the UI's strict CSP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScriptTrendsUiTest {
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
  @DisplayName("a script's page shows a bar per finished run coloured by outcome, a line of their CPU time, its success rate and p50/p95")
  void theTrendsCardChartsEachRunAndTheFigures() throws Exception {
    String id = server.post("/api/scripts", new JsonObject().put("name", "trended")
        .put("command", "sleep $S; exit $CODE")).getString("id");
    for (String[] run : new String[][] {{"0.1", "0"}, {"0.3", "0"}, {"0.1", "1"}}) {
      String runId = server.post("/api/scripts/" + id + "/run", new JsonObject()
          .put("env", new JsonObject().put("S", run[0]).put("CODE", run[1]))).getString("id");
      server.awaitFinished(runId, Duration.ofSeconds(20));
    }

    browser.open("/scripts/" + id);
    browser.await(By.id("trends"));
    browser.until("the chart draws the 3 runs",
        d -> "3".equals(browser.js("return document.getElementById('trend-chart').dataset.runs")), Duration.ofSeconds(15));
    // the library itself drew them: its chart on the canvas holds one bar per run, the failed one red
    assertEquals(3L, browser.js("return Chart.getChart(document.getElementById('trend-chart')).getDatasetMeta(0).data.length"));
    assertEquals("#3ddc97,#3ddc97,#ff6b6b", browser.js(
        "return Chart.getChart(document.getElementById('trend-chart')).data.datasets[0].backgroundColor.join(',')"));
    assertTrue(((Number) browser.js("return document.getElementById('trend-chart').getBoundingClientRect().height")).doubleValue() > 100);
    // the line of CPU time: one point per run, each measured (the runs are shell runs that ended)
    assertEquals(3L, browser.js("return Chart.getChart(document.getElementById('trend-chart')).data.datasets[1].data"
        + ".filter(v => typeof v === 'number').length"));
    assertEquals("66.7 %", browser.driver.findElement(By.id("trend-success")).getText());
    for (String figure : List.of("trend-p50", "trend-p95")) {
      String text = browser.driver.findElement(By.id(figure)).getText();
      assertTrue(text.endsWith(" ms") || text.endsWith(" s"), figure + ": " + text);
    }
    browser.fullPageScreenshot("script-trends");
  }
}
