package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ResponseHeaders: the security headers of each area")
class ResponseHeadersTest {
  @Test
  @DisplayName("paths fall into endpoints, the API (with /health and /metrics) and the UI")
  void areas() {
    assertEquals(ResponseHeaders.Area.ENDPOINT, ResponseHeaders.area("/hooks/a/b"));
    assertEquals(ResponseHeaders.Area.ENDPOINT, ResponseHeaders.area("/hooks"));
    assertEquals(ResponseHeaders.Area.API, ResponseHeaders.area("/api/runs"));
    assertEquals(ResponseHeaders.Area.API, ResponseHeaders.area("/api"));
    assertEquals(ResponseHeaders.Area.API, ResponseHeaders.area("/health"));
    assertEquals(ResponseHeaders.Area.API, ResponseHeaders.area("/metrics"));
    assertEquals(ResponseHeaders.Area.UI, ResponseHeaders.area("/"));
    assertEquals(ResponseHeaders.Area.UI, ResponseHeaders.area("/js/app.js"));
    assertEquals(ResponseHeaders.Area.UI, ResponseHeaders.area("/apifoo"));
    assertEquals(ResponseHeaders.Area.UI, ResponseHeaders.area("/hooksfoo"));
  }

  @Test
  @DisplayName("endpoints get a sandbox CSP, replacing the program's; the UI a strict CSP without inline scripts and no framing")
  void headersPerArea() {
    MultiMap hook = MultiMap.caseInsensitiveMultiMap().add("Content-Security-Policy", "default-src *")
        .add("X-Content-Type-Options", "sniff");
    ResponseHeaders.apply(ResponseHeaders.Area.ENDPOINT, hook);
    assertEquals(java.util.List.of("sandbox"), hook.getAll("Content-Security-Policy"));
    assertEquals(java.util.List.of("nosniff"), hook.getAll("X-Content-Type-Options"));

    MultiMap api = MultiMap.caseInsensitiveMultiMap();
    ResponseHeaders.apply(ResponseHeaders.Area.API, api);
    assertEquals("nosniff", api.get("X-Content-Type-Options"));
    assertNull(api.get("Content-Security-Policy"));

    MultiMap ui = MultiMap.caseInsensitiveMultiMap();
    ResponseHeaders.apply(ResponseHeaders.Area.UI, ui);
    String policy = ui.get("Content-Security-Policy");
    assertTrue(policy.contains("frame-ancestors 'none'"), policy);
    assertTrue(policy.contains("script-src 'self';"), policy);
    assertFalse(policy.contains("unsafe-eval"), policy);
    assertEquals("DENY", ui.get("X-Frame-Options"));
    assertEquals("nosniff", ui.get("X-Content-Type-Options"));
    assertEquals("no-referrer", ui.get("Referrer-Policy"));
  }
}
