package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Allow header of a 405: the methods of every route whose template matches the path")
class AllowedMethodsTest {
  private final AllowedMethods allowed = new AllowedMethods(List.of(
      new AllowedMethods.Served("/api/runs", Set.of("GET", "POST")),
      new AllowedMethods.Served("/api/runs/stats", Set.of("GET")),
      new AllowedMethods.Served("/api/runs/:id", Set.of("GET", "DELETE")),
      new AllowedMethods.Served("/api/runs/:id/pin", Set.of("POST", "DELETE")),
      new AllowedMethods.Served("/api/a.b", Set.of("GET"))));

  @Test
  @DisplayName("a fixed path, a path parameter, and both matching one path (their union, sorted)")
  void unionOfMatchingRoutes() {
    assertEquals("GET, POST", allowed.at("/api/runs"));
    assertEquals("DELETE, GET", allowed.at("/api/runs/6f1c0e9e-0000-4000-8000-000000000000"));
    assertEquals("DELETE, GET", allowed.at("/api/runs/stats"));
    assertEquals("DELETE, POST", allowed.at("/api/runs/x/pin"));
  }

  @Test
  @DisplayName("a parameter is one segment, literal dots are literal, and an unknown path has none")
  void segmentsAreExact() {
    assertNull(allowed.at("/api/runs/x/y"));
    assertNull(allowed.at("/api/runs/"));
    assertNull(allowed.at("/api/aXb"));
    assertEquals("GET", allowed.at("/api/a.b"));
    assertNull(allowed.at("/nope"));
  }
}
