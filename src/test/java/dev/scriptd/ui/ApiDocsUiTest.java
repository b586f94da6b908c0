package dev.scriptd.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.logging.LogEntry;

/** Swagger UI at /api/docs in headless Chromium, under the page's own Content-Security-Policy. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiDocsUiTest {
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

  @Test
  @DisplayName("/api/docs renders every operation of the document, without a token and without a policy violation")
  void swaggerUiRendersTheDocument() throws Exception {
    browser.driver.get(server.base + "/api/docs");
    Object operations = browser.js("return fetch('openapi.json').then(r => r.json()).then(d =>"
        + " Object.values(d.paths).reduce((n, item) => n + Object.keys(item).filter(k =>"
        + " ['get','put','post','delete','patch','head','options','trace'].includes(k)).length, 0))");
    long expected = ((Number) operations).longValue();
    assertTrue(expected >= 40, "operations in the document: " + expected);
    browser.until("Swagger UI shows the document's operations",
        d -> d.findElements(By.cssSelector(".opblock")).size() == expected, Duration.ofSeconds(30));
    assertEquals("scriptd", browser.await(By.cssSelector(".info .title")).getText().split("\\s")[0]);
    browser.screenshot("api-docs");
    List<LogEntry> errors = browser.severeConsoleEntries();
    assertTrue(errors.isEmpty(), "browser console errors (a CSP violation is one):\n"
        + errors.stream().map(LogEntry::toString).collect(Collectors.joining("\n")));
  }
}
