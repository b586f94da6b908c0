package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SsoRoutes: when the session cookie is Secure")
class SsoRoutesTest {
  @Test
  @DisplayName("over TLS always; through a proxy's X-Forwarded-Proto only when http.trust_proxy is on")
  void secureCookie() {
    assertTrue(SsoRoutes.overHttps(true, null, false));
    assertFalse(SsoRoutes.overHttps(false, null, false));
    assertFalse(SsoRoutes.overHttps(false, "https", false), "anyone can send the header");
    assertTrue(SsoRoutes.overHttps(false, "https", true));
    assertTrue(SsoRoutes.overHttps(false, " HTTPS ", true));
    assertTrue(SsoRoutes.overHttps(false, "https, http", true), "the first value is the client's side");
    assertFalse(SsoRoutes.overHttps(false, "http, https", true));
    assertFalse(SsoRoutes.overHttps(false, "http", true));
    assertFalse(SsoRoutes.overHttps(false, null, true));
  }

  @Test
  @DisplayName("the audit log names the provider's return a login and the form's logout a logout")
  void auditNames() {
    assertEquals(new AuditActions.Named("login", null), AuditActions.of("GET", "/auth/callback"));
    assertEquals(new AuditActions.Named("logout", null), AuditActions.of("POST", "/auth/logout"));
  }
}
