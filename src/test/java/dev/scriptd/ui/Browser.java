package dev.scriptd.ui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver. Both paths are given explicitly,
 * so Selenium Manager never looks for (or downloads) a browser. A missing browser fails the test.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of(System.getProperty("scriptd.chromium", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER = Path.of(System.getProperty("scriptd.chromedriver", "/usr/bin/chromedriver"));
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  final ChromeDriver driver;
  final String base;

  Browser(String base, Path profile) {
    assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the UI tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
            + "): apt-get install -y chromium chromium-driver (.ci/run does this)");
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1400,900", "--user-data-dir=" + profile.toAbsolutePath());
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    this.driver = new ChromeDriver(service, options);
    this.base = base;
  }

  void open(String hashPath) {
    driver.get(base + "/#" + hashPath);
  }

  WebDriverWait waiting(Duration timeout) {
    WebDriverWait wait = new WebDriverWait(driver, timeout, Duration.ofMillis(25));
    return wait;
  }

  WebElement await(By by) {
    return waiting(Duration.ofSeconds(15)).until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  void until(String what, Predicate<ChromeDriver> condition, Duration timeout) {
    waiting(timeout).withMessage(what).until(d -> condition.test(driver));
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** The text xterm.js renders in its DOM rows (what a person sees in the terminal). */
  String terminalText() {
    Object text = js("const r = document.querySelector('#terminal .xterm-rows'); return r ? r.textContent : '';");
    return text == null ? "" : text.toString();
  }

  void resize(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /** Sizes the window so that the page itself (the viewport) is width x height CSS pixels. */
  void viewport(int width, int height) {
    resize(width, height);
    long innerWidth = ((Number) js("return window.innerWidth")).longValue();
    long innerHeight = ((Number) js("return window.innerHeight")).longValue();
    if (innerWidth != width || innerHeight != height) {
      resize((int) (2L * width - innerWidth), (int) (2L * height - innerHeight)); // add what the window's frame takes
    }
  }

  /** The whole page, below the fold too (Chromium's DevTools capture), as name.png. */
  Path fullPageScreenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Number width = (Number) js("return window.innerWidth");
    Number height = (Number) js("return document.documentElement.scrollHeight");
    Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
        "captureBeyondViewport", true,
        "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
    Path file = SCREENSHOTS.resolve(name + ".png");
    Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
    return file;
  }

  /**
   * How far the page is wider than the window (0 when it has no horizontal scroll), with the
   * elements that stick out on the right, for the failure message.
   */
  String horizontalOverflow() {
    return (String) js("const over = document.documentElement.scrollWidth - window.innerWidth;"
        + "if (over <= 0) return '';"
        + "const culprits = [...document.querySelectorAll('body *')]"
        + "  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && e.getClientRects().length)"
        + "  .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined ? '.' + String(e.className).trim().replace(/\\s+/g, '.') : '')"
        + "    + ' right=' + Math.round(e.getBoundingClientRect().right));"
        + "return 'page is ' + over + ' px wider than the window (' + window.innerWidth + '): ' + culprits.join(', ');");
  }

  Path screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Path file = SCREENSHOTS.resolve(name + ".png");
    Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    return file;
  }

  /** Console entries at SEVERE since the last call. */
  /** Logs in through the UI's login form and waits for the dashboard. */
  void logIn(String token) {
    driver.get(base + "/");
    await(org.openqa.selenium.By.id("login-token")).sendKeys(token);
    driver.findElement(org.openqa.selenium.By.cssSelector("form.login-card button[type='submit']")).click();
    await(org.openqa.selenium.By.id("new-command"));
  }

  /** Fails with every severe console entry (a CSP violation, a failed script) since the last call. */
  void assertNoConsoleErrors() {
    List<LogEntry> errors = severeConsoleEntries();
    org.junit.jupiter.api.Assertions.assertTrue(errors.isEmpty(), "browser console errors:\n"
        + errors.stream().map(LogEntry::toString).collect(java.util.stream.Collectors.joining("\n")));
  }

  /** Closes the browser, then the server (either may be null: a start that failed half way). */
  static void closeBoth(Browser browser, UiServer server) throws Exception {
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

  List<LogEntry> severeConsoleEntries() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .toList();
  }

  @Override
  public void close() {
    driver.quit();
  }
}
