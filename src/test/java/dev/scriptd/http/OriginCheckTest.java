package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("OriginCheck: cookie-authenticated changes and WebSocket upgrades must come from scriptd's own origin")
class OriginCheckTest {
  private static final String SELF = OriginCheck.origin("http://127.0.0.1:8080");
  private final OriginCheck check = new OriginCheck("https://scriptd.example.com/ops/");

  @Test
  @DisplayName("an Origin equal to the request's own origin passes, default ports and letter case aside")
  void sameOriginPasses() {
    assertNull(check.refusal("http://127.0.0.1:8080", null, SELF));
    assertNull(check.refusal("HTTP://Example.COM", null, OriginCheck.origin("http://example.com:80")));
    assertNull(check.refusal("https://example.com", null, OriginCheck.origin("https://example.com:443")));
  }

  @Test
  @DisplayName("the public URL's origin passes too (a reverse proxy rewrites Host), whatever its path")
  void publicUrlPasses() {
    assertNull(check.refusal("https://scriptd.example.com", null, SELF));
    assertNull(check.refusal("https://scriptd.example.com:443", null, SELF));
    assertNotNull(check.refusal("http://scriptd.example.com", null, SELF), "another scheme is another origin");
  }

  @Test
  @DisplayName("another port, another host, the opaque origin null and garbage are refused, saying which origin")
  void foreignOriginsAreRefused() {
    String refusal = check.refusal("http://127.0.0.1:9999", "same-origin", SELF);
    assertNotNull(refusal, "Origin decides even when Sec-Fetch-Site claims same-origin");
    assertTrue(refusal.contains("http://127.0.0.1:9999"), refusal);
    assertNotNull(check.refusal("http://localhost:8080", null, SELF));
    assertNotNull(check.refusal("null", null, SELF), "a sandboxed page has the opaque origin null");
    assertNotNull(check.refusal("::not a url", null, SELF));
    assertNotNull(check.refusal("http://127.0.0.1:8080", null, null), "no Host: only the public URL counts");
  }

  @Test
  @DisplayName("without Origin only Sec-Fetch-Site: same-origin passes; same-site, cross-site, none and nothing are refused")
  void secFetchSiteWithoutOrigin() {
    assertNull(check.refusal(null, "same-origin", SELF));
    assertNotNull(check.refusal(null, "same-site", SELF), "another port of the same host is same-site");
    assertNotNull(check.refusal(null, "cross-site", SELF));
    assertNotNull(check.refusal(null, "none", SELF));
    String neither = check.refusal(null, null, SELF);
    assertNotNull(neither, "a cookie with neither header (curl -b, old clients) is refused");
    assertTrue(neither.contains("Authorization: Bearer"), neither);
  }

  @Test
  @DisplayName("reads (GET, HEAD, OPTIONS) are not checked; every other method and every WebSocket upgrade is")
  void methods() {
    assertFalse(OriginCheck.needsCheck(HttpMethod.GET, false));
    assertFalse(OriginCheck.needsCheck(HttpMethod.HEAD, false));
    assertFalse(OriginCheck.needsCheck(HttpMethod.OPTIONS, false));
    for (HttpMethod change : new HttpMethod[] {HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE,
        HttpMethod.valueOf("FOO")}) {
      assertTrue(OriginCheck.needsCheck(change, false), change.name());
    }
    assertTrue(OriginCheck.needsCheck(HttpMethod.GET, true), "a WebSocket upgrade is a GET");
  }

  @Test
  @DisplayName("only requests whose credential is the cookie are checked: a bearer header or ?token= comes first")
  void cookieVersusBearer() {
    assertTrue(OriginCheck.cookieAuthenticated(null, null, true));
    assertTrue(OriginCheck.cookieAuthenticated("Basic abc", "", true), "no bearer, empty ?token=");
    assertFalse(OriginCheck.cookieAuthenticated("Bearer sd_x", null, true));
    assertFalse(OriginCheck.cookieAuthenticated("bearer sd_x", null, true));
    assertFalse(OriginCheck.cookieAuthenticated(null, "sd_x", true));
    assertFalse(OriginCheck.cookieAuthenticated(null, null, false), "no cookie, nothing to borrow");
    assertEquals(java.util.Set.of("scriptd_token", "scriptd_session"), OriginCheck.SESSION_COOKIES);
  }
}
