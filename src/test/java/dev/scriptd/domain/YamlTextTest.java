package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("YamlText: YAML to JSON values and back")
class YamlTextTest {
  @Test
  @DisplayName("maps, lists, strings, numbers, booleans and null read as JSON values")
  void readsJsonValues() {
    Object value = YamlText.parse("""
        name: x
        timeout: 30
        ratio: 1.5
        enabled: false
        cwd: null
        tags: [a, b]
        command: |
          echo one
          echo two
        """);
    assertEquals(new JsonObject().put("name", "x").put("timeout", 30).put("ratio", 1.5).put("enabled", false)
        .putNull("cwd").put("tags", new JsonArray().add("a").add("b")).put("command", "echo one\necho two\n"), value);
  }

  @Test
  @DisplayName("what it writes reads back equal, tricky strings included")
  void roundTrip() {
    JsonObject value = new JsonObject().put("scripts", new JsonArray().add(new JsonObject()
        .put("name", "yes").put("command", "echo 'a': b # c\n  indented\ttab\n").put("number_text", "123")
        .put("null_text", "null").put("bool_text", "true").put("colon", "a: b").put("empty", "")
        .put("unicode", "h\u00e9llo \u2603").put("timeout", 60L).put("big", 1L << 40).putNull("cwd")
        .put("env", new JsonObject().put("S", new JsonObject().put("secret", true).put("value", "***")))));
    assertEquals(value, YamlText.parse(YamlText.write(value)));
  }

  @Test
  @DisplayName("an empty text is null; a second document, a duplicate key or broken syntax is an error with its line")
  void errors() {
    assertNull(YamlText.parse(""));
    IllegalArgumentException two = assertThrows(IllegalArgumentException.class, () -> YamlText.parse("a: 1\n---\nb: 2\n"));
    assertTrue(two.getMessage().contains("one YAML document"), two.getMessage());
    IllegalArgumentException duplicate = assertThrows(IllegalArgumentException.class, () -> YamlText.parse("a: 1\na: 2\n"));
    assertTrue(duplicate.getMessage().contains("line 2"), duplicate.getMessage());
    IllegalArgumentException broken = assertThrows(IllegalArgumentException.class, () -> YamlText.parse("a: [1, 2\n"));
    assertTrue(broken.getMessage().startsWith("not valid YAML"), broken.getMessage());
    assertTrue(!broken.getMessage().contains("com.fasterxml"), broken.getMessage());
  }

  @Test
  @DisplayName("a tag cannot make YAML build an object: a tagged value is read as plain data")
  void tagsBuildNothing() {
    Object value = YamlText.parse("a: !!java.util.Date 2020-01-01\n");
    assertTrue(value instanceof JsonObject, String.valueOf(value));
  }
}
