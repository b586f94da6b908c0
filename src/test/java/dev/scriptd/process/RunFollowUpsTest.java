package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunIo;
import dev.scriptd.domain.Script;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RunFollowUps: the params a chain hands the next script")
class RunFollowUpsTest {
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

  private static Script downstream(JsonObject properties) {
    return new Script("id", "next", Run.KIND_SHELL, "true", null, 60, Map.of(), null, true, null, null, Script.ALLOW,
        null, 1, T0, T0, null, properties == null ? null : new JsonObject().put("type", "object").put("properties", properties));
  }

  private static Run upstream(JsonObject outputs) {
    return Run.pending("up", "s", Run.KIND_SHELL, "true", "api", 60, Map.of(), null, null, T0)
        .withIo(new RunIo(null, null, outputs));
  }

  @Test
  @DisplayName("declared outputs pass, typed as their parameter; undeclared ones do not; the entry's params win")
  void declaredOutputsThenTheEntry() {
    Script next = downstream(new JsonObject()
        .put("rows", new JsonObject().put("type", "integer"))
        .put("ratio", new JsonObject().put("type", "number"))
        .put("ok", new JsonObject().put("type", "boolean"))
        .put("tags", new JsonObject().put("type", "array"))
        .put("mode", new JsonObject().put("type", "string")));
    Run up = upstream(new JsonObject().put("rows", "42").put("ratio", "0.5").put("ok", "true")
        .put("tags", "[\"a\",\"b\"]").put("mode", "slow").put("file", "/tmp/x"));
    JsonObject params = RunFollowUps.chainParams(up, next, new JsonObject().put("params", new JsonObject().put("mode", "fast")));
    assertEquals(new JsonObject().put("rows", 42L).put("ratio", 0.5).put("ok", true)
        .put("tags", new JsonArray().add("a").add("b")).put("mode", "fast"), params);
  }

  @Test
  @DisplayName("an output that does not read as its parameter's type stays text (the check then refuses it); no parameters: only the entry's params")
  void mismatchesAndNoParameters() {
    Script next = downstream(new JsonObject().put("rows", new JsonObject().put("type", "integer")));
    assertEquals(new JsonObject().put("rows", "many"),
        RunFollowUps.chainParams(upstream(new JsonObject().put("rows", "many")), next, new JsonObject()));
    assertEquals(new JsonObject().put("x", 1),
        RunFollowUps.chainParams(upstream(new JsonObject().put("rows", "1")), downstream(null),
            new JsonObject().put("params", new JsonObject().put("x", 1))));
  }
}
