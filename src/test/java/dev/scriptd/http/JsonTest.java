package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.DecodeException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Json: what is wrong with a malformed body, without the parser's internals")
class JsonTest {
  private static String describe(String body) {
    try {
      io.vertx.core.json.Json.decodeValue(body);
    } catch (DecodeException e) {
      return Json.describe(e);
    }
    fail("parsed: " + body);
    return null;
  }

  @Test
  @DisplayName("each error says what and where (line, column) and names no class, feature or source")
  void describes() {
    for (String body : List.of("{\"a\":}", "{\"a\":1", "{a:1}", "[1,2", "{\"a\":1}}", "nul", "{\"a\":\"x",
        "{\"a\":01}", "\"\\q\"", "{\"a\":1,}", "{\"a\":\"\u0001\"}", "{\"a\":1} x", "{\n\"a\": [1,\n}")) {
      String detail = describe(body);
      assertTrue(detail.matches(".+ at line \\d+, column \\d+"), body + " -> " + detail);
      for (String internal : List.of("Source", "REDACTED", "`", "Feature", "jackson", "fasterxml", "Exception",
          "com.", "io.vertx")) {
        assertFalse(detail.contains(internal), body + " -> " + detail);
      }
    }
    assertTrue(describe("{\"a\":1").startsWith("Unexpected end-of-input: expected close marker for Object at line 1,"
        + " column 7"), describe("{\"a\":1"));
    assertTrue(describe("{\n\"a\": [1,\n}").endsWith("at line 3, column 1"), describe("{\n\"a\": [1,\n}"));
  }

  @Test
  @DisplayName("an Authorization header without Bearer is named, its value never repeated")
  void notBearer() {
    String basic = AuthHandler.notBearer("Basic dXNlcjpzZWNyZXQ=");
    assertTrue(basic.contains("uses the Basic scheme"), basic);
    assertTrue(basic.contains("Authorization: Bearer <token>"), basic);
    assertFalse(basic.contains("dXNlcjpzZWNyZXQ"), basic);
    String bare = AuthHandler.notBearer("sd_abcdefghijklmnopqrstuvwxyz0123456789");
    assertTrue(bare.contains("has no scheme"), bare);
    assertFalse(bare.contains("sd_abc"), bare);
    assertFalse(AuthHandler.notBearer("x=secret%20value other").contains("secret"));
  }
}
