package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser's part of a single sign-on over plain HTTP: a cookie jar, redirects followed one at a
 * time (so a test can stop at, or change, any step), and the provider's own sign-in form filled
 * in. For the steps that need no script; Chromium covers the UI.
 */
final class SsoClient {
  private static final Pattern FORM_ACTION = Pattern.compile("<form[^>]*action=\"([^\"]+)\"");

  final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
  final HttpClient client = HttpClient.newBuilder().cookieHandler(cookies)
      .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

  HttpResponse<String> get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET().timeout(Duration.ofSeconds(20)).build());
  }

  /** A POST as the UI's own page sends it (same Origin), with an optional JSON body. */
  HttpResponse<String> post(String url, String origin, String json) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .header("Origin", origin);
    if (json != null) {
      request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    } else {
      request.POST(HttpRequest.BodyPublishers.noBody());
    }
    return send(request.build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code GET /auth/login}: the provider's authorization URL it redirects to. */
  String startLogin(String scriptd, String query) {
    HttpResponse<String> login = get(scriptd + "/auth/login" + (query == null ? "" : "?" + query));
    assertEquals(302, login.statusCode(), login.body());
    return login.headers().firstValue("Location").orElseThrow();
  }

  /**
   * Signs in at the provider as {@code login} (any password) from its authorization URL, and answers
   * the URL the provider sends the browser back to (scriptd's callback), without following it.
   */
  String signInAtProvider(String authorizeUrl, String login) {
    URI provider = URI.create(authorizeUrl);
    String next = authorizeUrl;
    for (int hop = 0; hop < 10; hop++) {
      HttpResponse<String> page = get(next);
      if (page.statusCode() == 200) {
        Matcher action = FORM_ACTION.matcher(page.body());
        assertTrue(action.find(), "the provider's page has no sign-in form: " + page.body());
        String form = "prompt=login&login=" + URLEncoder.encode(login, StandardCharsets.UTF_8) + "&password=any";
        page = send(HttpRequest.newBuilder(provider.resolve(action.group(1).replace("&amp;", "&")))
            .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)).build());
      }
      if (page.statusCode() / 100 != 3) {
        fail("the provider answered " + page.statusCode() + " at " + next + ": " + page.body());
      }
      URI location = provider.resolve(page.headers().firstValue("Location").orElseThrow());
      if (location.getPort() != provider.getPort()) {
        return location.toString();
      }
      next = location.toString();
    }
    fail("the provider did not send the browser back within 10 redirects");
    return null;
  }

  /** The value of the cookie {@code name} the jar holds for 127.0.0.1, or null. */
  String cookie(String name) {
    for (HttpCookie cookie : cookies.getCookieStore().getCookies()) {
      if (cookie.getName().equals(name) && !cookie.hasExpired()) {
        return cookie.getValue();
      }
    }
    return null;
  }
}
