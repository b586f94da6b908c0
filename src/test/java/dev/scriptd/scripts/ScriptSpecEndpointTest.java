package dev.scriptd.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.config.SecurityConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Script definitions: an endpoint's role, rate_limit and max_concurrent")
class ScriptSpecEndpointTest {
  private static ScriptSpec.Parsed parse(JsonObject endpoint) {
    return ScriptSpec.parse(new JsonObject().put("name", "hook").put("command", "true").put("endpoint", endpoint),
        60, SecurityConfig.fromJson(new JsonObject()).limits().perRun());
  }

  private static Set<String> fields(JsonArray errors) {
    return errors.stream().map(JsonObject.class::cast).map(e -> e.getString("field")).collect(Collectors.toSet());
  }

  @Test
  @DisplayName("valid values are kept as given; absent ones stay absent so the server's defaults apply")
  void keepsValidValues() {
    ScriptSpec.Parsed parsed = parse(new JsonObject().put("path", "a").put("role", "viewer").put("rate_limit", 5)
        .put("max_concurrent", 1));
    assertTrue(parsed.valid(), parsed.errors().encode());
    JsonObject endpoint = parsed.spec().endpoint();
    assertEquals("viewer", endpoint.getString("role"));
    assertEquals(5, endpoint.getInteger("rate_limit"));
    assertEquals(1, endpoint.getInteger("max_concurrent"));
    JsonObject plain = parse(new JsonObject().put("path", "a")).spec().endpoint();
    assertEquals(new JsonObject().put("method", "POST").put("path", "a").put("auth", "token"), plain);
  }

  @Test
  @DisplayName("null limits and role, as the script object shows them, read as absent")
  void nullsReadAsAbsent() {
    ScriptSpec.Parsed parsed = parse(new JsonObject().put("path", "a").putNull("role").putNull("rate_limit")
        .putNull("max_concurrent"));
    assertTrue(parsed.valid(), parsed.errors().encode());
    assertEquals(new JsonObject().put("method", "POST").put("path", "a").put("auth", "token"),
        parsed.spec().endpoint());
  }

  @Test
  @DisplayName("a path with a . or .. segment is a 400 (requests resolve them, so it could never be called)")
  void rejectsDotSegments() {
    for (String path : new String[] {"..", "../x", "a/./b", "a/..", "."}) {
      assertEquals(Set.of("endpoint.path"), fields(parse(new JsonObject().put("path", path)).errors()), path);
    }
    for (String path : new String[] {"a.b", "..a", "a../b", ".well-known/x", "v1.2/x..y"}) {
      ScriptSpec.Parsed parsed = parse(new JsonObject().put("path", path));
      assertTrue(parsed.valid(), path + ": " + parsed.errors().encode());
    }
  }

  @Test
  @DisplayName("an unknown role, a non-integer or out-of-range limit are each a 400 naming the field")
  void rejectsBadValues() {
    ScriptSpec.Parsed parsed = parse(new JsonObject().put("path", "a").put("role", "root").put("rate_limit", 0)
        .put("max_concurrent", 1.5));
    assertEquals(Set.of("endpoint.role", "endpoint.rate_limit", "endpoint.max_concurrent"), fields(parsed.errors()));
    parsed = parse(new JsonObject().put("path", "a").put("role", 3).put("rate_limit", "10")
        .put("max_concurrent", ScriptSpec.MAX_ENDPOINT_CONCURRENT + 1));
    assertEquals(Set.of("endpoint.role", "endpoint.rate_limit", "endpoint.max_concurrent"), fields(parsed.errors()));
  }
}
