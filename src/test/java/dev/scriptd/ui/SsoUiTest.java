package dev.scriptd.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.it.OidcProvider;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

@DisplayName("Single sign-on in Chromium: the login page's SSO button, the provider's own pages, the top bar, logout")
class SsoUiTest {
  @TempDir
  Path dataDir;
  @TempDir
  Path profile;
  OidcProvider provider;
  UiServer server;
  Browser browser;

  @BeforeEach
  void start() throws Exception {
    int port = UiServer.freePort();
    provider = OidcProvider.start("http://127.0.0.1:" + port + "/auth/callback", dataDir);
    server = UiServer.start(dataDir.resolve("data"), port,
        new JsonObject().put("auth", new JsonObject().put("oidc", provider.scriptdConfig())));
    browser = new Browser(server.base, profile);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      Browser.closeBoth(browser, server);
    } finally {
      provider.close();
    }
  }

  /** From scriptd's login page through the provider's sign-in form, as a person would. */
  private void signInWithSso(String login) throws IOException {
    browser.driver.get(server.base + "/");
    browser.await(By.id("login-sso"));
    browser.screenshot("sso-login");
    browser.driver.findElement(By.id("login-sso")).click();
    browser.until("the provider's sign-in page", d -> d.getCurrentUrl().startsWith(provider.issuer),
        Duration.ofSeconds(15));
    browser.await(By.name("login")).sendKeys(login);
    browser.driver.findElement(By.name("password")).sendKeys("any password");
    browser.driver.findElement(By.cssSelector("button[type='submit']")).click();
  }

  @Test
  @DisplayName("admin, operator and viewer accounts land in the UI with their name and role in the top bar; logout returns to the login page")
  void eachAccountLandsWithItsRole() throws IOException {
    for (String[] account : new String[][] {{"alice", "admin"}, {"oscar", "operator"}, {"vera", "viewer"}}) {
      signInWithSso(account[0]);
      browser.until(account[0] + " back in scriptd, named in the top bar",
          d -> d.getCurrentUrl().startsWith(server.base) && d.findElements(By.id("who-name")).stream()
              .anyMatch(e -> e.isDisplayed() && e.getText().contains(account[0])), Duration.ofSeconds(20));
      String who = browser.driver.findElement(By.id("who-name")).getText();
      assertTrue(who.contains(account[1]), "the top bar shows the role: " + who);
      boolean tokensLink = browser.driver.findElement(By.cssSelector("a[data-nav='/tokens']")).isDisplayed();
      assertEquals(account[1].equals("admin"), tokensLink, account[0] + ": the Tokens page is for admins only");

      browser.driver.findElement(By.id("logout")).click();
      browser.await(By.id("login-sso"));
      // the provider keeps its own session (a person at a shared browser signs out there too);
      // the next account needs a browser without it
      browser.driver.manage().deleteAllCookies();
    }
    browser.assertNoConsoleErrors();
  }

  @Test
  @DisplayName("an account whose groups map to no role ends on a 403 and stays logged out")
  void anAccountWithoutARoleIsRefused() throws IOException {
    signInWithSso("nora");
    browser.until("the refusal", d -> d.getCurrentUrl().startsWith(server.base + "/auth/callback")
        && d.getPageSource().contains("no scriptd role"), Duration.ofSeconds(20));
    browser.driver.get(server.base + "/");
    browser.await(By.id("login-sso"));
    assertTrue(browser.driver.findElements(By.id("who-name")).stream().noneMatch(e -> e.isDisplayed()
        && !e.getText().isEmpty()));
  }
}
