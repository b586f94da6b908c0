package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.scriptd.domain.Script;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ScriptRows: the unique key of the route a script serves")
class ScriptRowsTest {
  static Script withEndpoint(JsonObject endpoint) {
    return new Script("id-1", "name", "shell", "true", null, 60, null, null, true, null, endpoint,
        Script.ALLOW, null, 1, Instant.EPOCH, Instant.EPOCH);
  }

  @Test
  @DisplayName("the key is the method and the path, so the same route always has the same key")
  void keyIsMethodAndPath() {
    assertEquals("GET hello/there", ScriptRows.endpointKey(withEndpoint(new JsonObject()
        .put("method", "GET").put("path", "hello/there").put("auth", "public"))));
    assertEquals("DELETE a", ScriptRows.endpointKey(withEndpoint(new JsonObject()
        .put("method", "delete").put("path", "a").put("auth", "token").put("role", "admin"))));
  }

  @Test
  @DisplayName("a script without an endpoint claims no route")
  void noEndpointNoKey() {
    assertNull(ScriptRows.endpointKey(withEndpoint(null)));
  }
}
