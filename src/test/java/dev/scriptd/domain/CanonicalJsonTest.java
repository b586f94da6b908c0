package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CanonicalJson: the one text of a value the audit log hashes")
class CanonicalJsonTest {
  @Test
  @DisplayName("keys sorted by code point at every level, no whitespace, nulls kept; the text Python's json.dumps(sort_keys, compact, ensure_ascii=False) writes")
  void sortedCompact() {
    JsonObject value = new JsonObject()
        .put("b", 1)
        .put("a", new JsonObject().put("z", (Object) null)
            .put("y", new JsonArray().add(true).add(false).add("x\"\\\n\u0001é€😀")))
        .put("A", "q")
        .put("ä", 2);
    // the expected text was written by Python 3: json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assertEquals("{\"A\":\"q\",\"a\":{\"y\":[true,false,\"x\\\"\\\\\\n\\u0001é€😀\"],\"z\":null},\"b\":1,\"ä\":2}",
        CanonicalJson.encode(value));
  }

  @Test
  @DisplayName("control characters use the short escapes where JSON has them and lower-case \\u00xx otherwise; / and U+2028 stay as they are")
  void escapes() {
    assertEquals("\"\\b\\f\\n\\r\\t\\u001f\\u000b/\u2028\u007f\"", CanonicalJson.encode("\b\f\n\r\t\u001f\u000b/\u2028\u007f"));
  }

  @Test
  @DisplayName("whole numbers of any type are written alike; a fraction or an unknown type is refused")
  void numbers() {
    assertEquals("[1,2,3,4]", CanonicalJson.encode(new JsonArray().add(1).add(2L).add(3.0).add(new BigDecimal("4.00"))));
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.encode(1.5));
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.encode(new Object()));
  }

  @Test
  @DisplayName("code point order differs from UTF-16 order above U+FFFF, and code point order wins")
  void codePointOrder() {
    String astral = new String(Character.toChars(0x1F600)); // a surrogate pair: UTF-16 units D83D DE00
    String high = "\uFF01"; // below it by code point, above it by UTF-16 unit
    assertTrue(high.compareTo(astral) > 0);
    assertEquals("{\"" + high + "\":1,\"" + astral + "\":2}",
        CanonicalJson.encode(new JsonObject().put(astral, 2).put(high, 1)));
  }
}
