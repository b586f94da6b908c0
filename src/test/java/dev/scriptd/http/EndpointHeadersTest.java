package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("EndpointHeaders: what a JS endpoint's program may send")
class EndpointHeadersTest {
  @Test
  @DisplayName("cookies, hop-by-hop, framing and the server's security headers are dropped; the rest is kept in order")
  void dropsWhatActsOnTheBrowserOrTheConnection() {
    JsonObject headers = new JsonObject()
        .put("X-Echo", "yes")
        .put("Set-Cookie", "scriptd_token=evil; Path=/")
        .put("Connection", "close").put("Keep-Alive", "timeout=5").put("Transfer-Encoding", "chunked")
        .put("Upgrade", "h2c").put("TE", "trailers").put("Trailer", "X").put("Proxy-Authenticate", "Basic")
        .put("Content-Length", "3")
        .put("Content-Security-Policy", "default-src *").put("Content-Security-Policy-Report-Only", "x")
        .put("X-Content-Type-Options", "sniff").put("Strict-Transport-Security", "max-age=0")
        .put("X-Frame-Options", "ALLOWALL")
        .put("Content-Type", "text/html")
        .put("Cache-Control", "no-cache")
        .putNull("X-Nothing");
    EndpointHeaders.Filtered filtered = EndpointHeaders.filter(headers);
    assertEquals(List.of("X-Echo", "Content-Type", "Cache-Control"), List.copyOf(filtered.kept().keySet()));
    assertEquals(Map.of("X-Echo", "yes", "Content-Type", "text/html", "Cache-Control", "no-cache"), filtered.kept());
    assertEquals(List.of("set-cookie", "connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer",
        "proxy-authenticate", "content-length", "content-security-policy", "content-security-policy-report-only",
        "x-content-type-options", "strict-transport-security", "x-frame-options"), filtered.dropped());
    assertTrue(EndpointHeaders.isDropped("set-cookie2"));
    assertTrue(EndpointHeaders.filter(null).kept().isEmpty());
  }

  @Test
  @DisplayName("a CR or LF in a value, or a name that is not an HTTP token, is a 502 naming the header")
  void refusesWhatWouldSplitTheResponse() {
    ApiException value = assertThrows(ApiException.class,
        () -> EndpointHeaders.filter(new JsonObject().put("X-Ok", "1").put("X-Split", "a\r\nSet-Cookie: x=1")));
    assertEquals(502, value.status());
    assertEquals("endpoint-failed", value.type());
    assertTrue(value.getMessage().contains("X-Split"), value.getMessage());
    assertEquals(502, assertThrows(ApiException.class,
        () -> EndpointHeaders.filter(new JsonObject().put("X-Lf", "a\nb"))).status());
    assertEquals(502, assertThrows(ApiException.class,
        () -> EndpointHeaders.filter(new JsonObject().put("X-Nul", "a\u0000b"))).status());
    ApiException name = assertThrows(ApiException.class,
        () -> EndpointHeaders.filter(new JsonObject().put("X-Bad\r\nName", "v")));
    assertTrue(name.getMessage().contains("X-Bad\\u000d\\u000aName"), name.getMessage());
    assertEquals(502, assertThrows(ApiException.class,
        () -> EndpointHeaders.filter(new JsonObject().put("X Space", "v"))).status());
    assertEquals(502, assertThrows(ApiException.class,
        () -> EndpointHeaders.filter(new JsonObject().put("", "v"))).status());
    assertEquals("a\tb", EndpointHeaders.filter(new JsonObject().put("X-Tab", "a\tb")).kept().get("X-Tab"),
        "a tab is allowed in a value");
  }
}
