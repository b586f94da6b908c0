package dev.scriptd.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ReturnPath: after signing in, only a path on this server")
class ReturnPathTest {
  @Test
  @DisplayName("a plain path (with a query) is kept")
  void plainPathsAreKept() {
    assertEquals("/", ReturnPath.safe("/"));
    assertEquals("/runs/abc", ReturnPath.safe("/runs/abc"));
    assertEquals("/?view=runs&status=failed", ReturnPath.safe("/?view=runs&status=failed"));
  }

  @Test
  @DisplayName("another site in any spelling, a relative path, control characters or a long value become /")
  void everythingElseBecomesRoot() {
    for (String bad : new String[] {null, "", "https://evil.example/", "//evil.example", "/\\evil.example",
        "\\\\evil.example", "javascript:alert(1)", "runs", "/ok\r\nSet-Cookie: x=y", "/a b", "/" + "a".repeat(1100),
        "/\u00e9"}) {
      assertEquals("/", ReturnPath.safe(bad), String.valueOf(bad));
    }
  }
}
