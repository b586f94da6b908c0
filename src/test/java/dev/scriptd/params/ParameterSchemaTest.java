package dev.scriptd.params;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Parameter schemas")
class ParameterSchemaTest {
  private static JsonObject schema(String properties) {
    return new JsonObject("{\"type\": \"object\", \"properties\": " + properties + "}");
  }

  private static String onlyField(JsonArray errors) {
    assertEquals(1, errors.size(), errors.encode());
    return errors.getJsonObject(0).getString("field");
  }

  @Test
  @DisplayName("every supported keyword is accepted, and no schema at all is fine")
  void supportedSubset() {
    JsonObject full = new JsonObject("""
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "title": "t",
         "description": "d", "required": ["day"],
         "properties": {
           "day": {"type": "string", "format": "date", "title": "Day", "description": "which"},
           "at": {"type": "string", "format": "date-time"},
           "mail": {"type": "string", "format": "email", "minLength": 3, "maxLength": 99},
           "site": {"type": "string", "format": "uri", "pattern": "^https://"},
           "count": {"type": "integer", "minimum": 1, "maximum": 9, "default": 3},
           "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
           "dry": {"type": "boolean", "default": false},
           "env": {"type": "string", "enum": ["dev", "prod"]},
           "password": {"type": "string", "x-secret": true},
           "tags": {"type": "array", "items": {"type": "string", "maxLength": 5}, "minItems": 1, "maxItems": 3}
         }}""");
    assertEquals(new JsonArray(), ParameterSchema.check(full));
    assertEquals(new JsonArray(), ParameterSchema.check(null));
  }

  @Test
  @DisplayName("an unsupported keyword is refused with an error naming it, at any level")
  void unknownKeyword() {
    assertEquals("parameters.properties.a.oneOf",
        onlyField(ParameterSchema.check(schema("{\"a\": {\"type\": \"string\", \"oneOf\": []}}"))));
    assertEquals("parameters.additionalProperties",
        onlyField(ParameterSchema.check(schema("{}").put("additionalProperties", false))));
    assertEquals("parameters.properties.a.items.items", onlyField(ParameterSchema.check(
        schema("{\"a\": {\"type\": \"array\", \"items\": {\"type\": \"string\", \"items\": {}}}}"))));
    assertTrue(ParameterSchema.check(schema("{\"a\": {\"type\": \"string\", \"oneOf\": []}}")).getJsonObject(0)
        .getString("message").contains("\"oneOf\""));
  }

  @Test
  @DisplayName("a default that does not satisfy its own property is refused")
  void badDefault() {
    assertEquals("parameters.properties.n.default",
        onlyField(ParameterSchema.check(schema("{\"n\": {\"type\": \"integer\", \"maximum\": 5, \"default\": 7}}"))));
    assertEquals("parameters.properties.e.default",
        onlyField(ParameterSchema.check(schema("{\"e\": {\"type\": \"string\", \"enum\": [\"a\"], \"default\": \"b\"}}"))));
  }

  @Test
  @DisplayName("the top level is an object schema, names are variable names, types are of the subset")
  void shapes() {
    assertEquals("parameters.type", onlyField(ParameterSchema.check(new JsonObject().put("type", "array"))));
    assertEquals("parameters", onlyField(ParameterSchema.check("text")));
    assertEquals("parameters.properties.bad-name",
        onlyField(ParameterSchema.check(schema("{\"bad-name\": {\"type\": \"string\"}}"))));
    assertEquals("parameters.properties.o.type", onlyField(ParameterSchema.check(schema("{\"o\": {\"type\": \"object\"}}"))));
    assertEquals("parameters.properties.a.items", onlyField(ParameterSchema.check(schema("{\"a\": {\"type\": \"array\"}}"))));
    assertEquals("parameters.properties.A", onlyField(ParameterSchema.check(
        schema("{\"a\": {\"type\": \"string\"}, \"A\": {\"type\": \"string\"}}"))));
    assertEquals("parameters.required", onlyField(ParameterSchema.check(schema("{}").put("required", new JsonArray().add("x")))));
    assertEquals("parameters.properties.p.pattern",
        onlyField(ParameterSchema.check(schema("{\"p\": {\"type\": \"string\", \"pattern\": \"(\"}}"))));
    assertEquals("parameters.properties.f.format",
        onlyField(ParameterSchema.check(schema("{\"f\": {\"type\": \"string\", \"format\": \"ipv4\"}}"))));
  }

  @Test
  @DisplayName("problems are worded per keyword, an item's by its position")
  void wording() {
    assertNull(ParameterSchema.problem(new JsonObject().put("type", "integer"), 3));
    assertEquals("must be a whole number", ParameterSchema.problem(new JsonObject().put("type", "integer"), "x"));
    assertEquals("must be <= 5", ParameterSchema.problem(new JsonObject("{\"type\": \"integer\", \"maximum\": 5}"), 6));
    assertEquals("item 2 must be <= 5", ParameterSchema.problem(
        new JsonObject("{\"type\": \"array\", \"items\": {\"type\": \"integer\", \"maximum\": 5}}"), new JsonArray("[1, 9]")));
    assertTrue(ParameterSchema.problem(new JsonObject("{\"type\": \"string\", \"format\": \"date\"}"), "2026-13-01")
        .startsWith("must be a date"));
  }

  @Test
  @DisplayName("secret parameters are the ones marked x-secret: true")
  void secrets() {
    assertEquals(Set.of("p"), ParameterSchema.secretNames(
        schema("{\"p\": {\"type\": \"string\", \"x-secret\": true}, \"q\": {\"type\": \"string\", \"x-secret\": false}}")));
  }

  @Test
  @DisplayName("odd schemas and odd values give errors, never an exception")
  void oddInput() {
    List<String> schemas = List.of(
        "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": [\"string\", \"null\"]}}}",
        "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}, \"default\": \"x\"}}}",
        "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\", \"default\": 5, \"pattern\": \"(\"}}}",
        "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\", \"enum\": \"x\"}}}",
        "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\", \"minimum\": \"1\"}}}",
        "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"array\", \"items\": []}}}",
        "{\"type\": \"object\", \"properties\": {\"a\": null}}",
        "{\"type\": \"object\", \"properties\": [], \"required\": \"a\"}",
        "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\", \"x-secret\": \"yes\"}}}");
    for (String text : schemas) {
      assertTrue(!ParameterSchema.check(new JsonObject(text)).isEmpty(), text);
    }
    JsonObject schema = new JsonObject("""
        {"type": "object", "properties": {"s": {"type": "string", "format": "uri"}, "n": {"type": "number"},
         "l": {"type": "array", "items": {"type": "boolean"}}}}""");
    List<Object> values = List.of("", 0, -1.5, true, new JsonArray(), new JsonObject(), new JsonArray().add(new JsonObject()),
        "x".repeat(10_000));
    for (Object value : values) {
      for (String name : List.of("s", "n", "l")) {
        RunParameters.Result result = RunParameters.resolve(schema, new JsonObject().put(name, value));
        assertTrue(result.valid() || result.errors().size() == 1, name + "=" + value + ": " + result.errors());
      }
    }
  }

  @Test
  @DisplayName("a pattern that backtracks without end refuses the value quickly instead of holding the thread")
  void patternBudget() {
    // about 25 s for java.util.regex on 31 characters without a budget
    JsonObject evil = new JsonObject().put("type", "string").put("pattern", "(.*a){12}$");
    long start = System.nanoTime();
    String problem = ParameterSchema.problem(evil, "a".repeat(30) + "b");
    assertTrue(problem != null && problem.contains("in time"), problem);
    assertTrue(System.nanoTime() - start < 5_000_000_000L, "took " + (System.nanoTime() - start) / 1_000_000 + " ms");
    assertNull(ParameterSchema.problem(evil, "a".repeat(12)));
    assertEquals("must match the pattern (.*a){12}$", ParameterSchema.problem(evil, "b"));
    assertEquals("item 2 must match the pattern ^x", ParameterSchema.problem(new JsonObject(
        "{\"type\": \"array\", \"items\": {\"type\": \"string\", \"pattern\": \"^x\"}}"), new JsonArray("[\"x1\", \"y\"]")));
    assertNull(ParameterSchema.problem(new JsonObject().put("type", "string").put("pattern", "b"), "abc"),
        "a pattern is not anchored");
  }
}
