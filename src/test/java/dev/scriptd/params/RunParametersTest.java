package dev.scriptd.params;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A run's parameter values")
class RunParametersTest {
  private static final JsonObject SCHEMA = new JsonObject("""
      {"type": "object", "required": ["day"], "properties": {
        "day": {"type": "string", "format": "date"},
        "count": {"type": "integer", "minimum": 1, "maximum": 9, "default": 3},
        "env": {"type": "string", "enum": ["dev", "prod"], "default": "dev"},
        "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "dry": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "integer", "maximum": 5}, "maxItems": 3},
        "password": {"type": "string", "x-secret": true}
      }}""");

  private static List<String> fields(RunParameters.Result result) {
    return result.errors().stream().map(e -> ((JsonObject) e).getString("field")).sorted().toList();
  }

  @Test
  @DisplayName("supplied values are kept and the defaults fill in the rest")
  void defaults() {
    RunParameters.Result result = RunParameters.resolve(SCHEMA, new JsonObject().put("day", "2026-01-31").put("count", 5));
    assertTrue(result.valid(), result.errors().encode());
    assertEquals(new JsonObject().put("day", "2026-01-31").put("count", 5L).put("env", "dev"), result.values());
  }

  @Test
  @DisplayName("every bad value is one error named params.<name>, and a missing required value is one too")
  void oneErrorPerBadValue() {
    RunParameters.Result result = RunParameters.resolve(SCHEMA, new JsonObject().put("count", "five").put("env", "qa")
        .put("code", "abc").put("dry", "yes").put("tags", new JsonArray("[1, 7]")).put("nope", 1));
    assertNull(result.values());
    assertEquals(List.of("params.code", "params.count", "params.day", "params.dry", "params.env", "params.nope",
        "params.tags"), fields(result));
    assertTrue(result.describe().contains("params.day is required"), result.describe());
    assertEquals(List.of("params.count"), fields(RunParameters.resolve(SCHEMA,
        new JsonObject().put("day", "2026-01-31").put("count", 10))));
    assertEquals(List.of("params.day"), fields(RunParameters.resolve(SCHEMA, new JsonObject().put("day", "31/01/2026"))));
    JsonObject wide = new JsonObject("{\"type\": \"object\", \"properties\": {\"n\": {\"type\": \"integer\"}}}");
    assertEquals(List.of("params.n"), fields(RunParameters.resolve(wide, new JsonObject().put("n", 1e20))),
        "an integer beyond a long is refused, not clamped");
    assertEquals(7L, RunParameters.resolve(wide, new JsonObject().put("n", 7.0)).values().getValue("n"));
  }

  @Test
  @DisplayName("a script without parameters takes no values")
  void noSchema() {
    assertTrue(RunParameters.resolve(null, null).valid());
    assertEquals(new JsonObject(), RunParameters.resolve(null, new JsonObject()).values());
    assertEquals(List.of("params.x"), fields(RunParameters.resolve(null, new JsonObject().put("x", 1))));
  }

  @Test
  @DisplayName("an endpoint's query values are converted to the declared types; a JSON body's fields win")
  void fromRequest() {
    RunParameters.Result result = RunParameters.fromRequest(SCHEMA, Map.of("day", List.of("2026-02-01"),
        "count", List.of("4"), "dry", List.of("true"), "tags", List.of("1", "2"), "wait", List.of("true")),
        new JsonObject().put("env", "prod").put("count", 6).put("other", 1));
    assertTrue(result.valid(), result.errors().encode());
    assertEquals(new JsonObject().put("day", "2026-02-01").put("count", 6L).put("env", "prod").put("dry", true)
        .put("tags", new JsonArray().add(1L).add(2L)), result.values());
    RunParameters.Result bad = RunParameters.fromRequest(SCHEMA, Map.of("day", List.of("2026-02-01"),
        "count", List.of("four"), "tags", List.of("[1, 9]")), null);
    assertEquals(List.of("params.count", "params.tags"), fields(bad));
    assertTrue(bad.describe().contains("(got 'four')"), bad.describe());
  }

  @Test
  @DisplayName("the environment has one upper-cased variable per value and the whole object as JSON")
  void environment() {
    JsonObject values = new JsonObject().put("day", "2026-01-31").put("count", 3L)
        .put("tags", new JsonArray().add(1L).add(2L));
    Map<String, String> env = RunParameters.environment(values);
    assertEquals("2026-01-31", env.get("SCRIPTD_PARAM_DAY"));
    assertEquals("3", env.get("SCRIPTD_PARAM_COUNT"));
    assertEquals("[1,2]", env.get("SCRIPTD_PARAM_TAGS"));
    assertEquals(values, new JsonObject(env.get("SCRIPTD_PARAMS")));
  }

  @Test
  @DisplayName("secret values are shown as ***")
  void masked() {
    assertEquals(new JsonObject().put("day", "d").put("password", "***"),
        RunParameters.masked(new JsonObject().put("day", "d").put("password", "hunter2"), Set.of("password")));
  }
}
