package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.StartScript;
import dev.scriptd.domain.RunIo;
import dev.scriptd.domain.Script;
import dev.scriptd.params.RunParameters;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A script run's params as the run owner settles them")
class ScriptParamsTest {
  private static final JsonObject SCHEMA = new JsonObject("""
      {"type": "object", "required": ["day"], "properties": {
        "day": {"type": "string"}, "pw": {"type": "string", "x-secret": true},
        "n": {"type": "integer", "default": 2}}}""");
  private static final Script SCRIPT = new Script("id", "s", "shell", "true", null, 10, Map.of(), null, true,
      new JsonObject().put("cron", "* * * * *").put("params", new JsonObject().put("day", "cron-day")), null, "allow",
      null, 1, Instant.now(), Instant.now(), null, SCHEMA);

  @Test
  @DisplayName("the caller's values win; a cron fire without any takes schedule.params; other triggers take none")
  void supplied() {
    JsonObject given = new JsonObject().put("day", "given");
    assertEquals(given, ScriptParams.supplied(SCRIPT, StartScript.of("s", Map.of(), "cron").withParams(given)));
    assertEquals(new JsonObject().put("day", "cron-day"), ScriptParams.supplied(SCRIPT, StartScript.of("s", Map.of(), "cron")));
    assertNull(ScriptParams.supplied(SCRIPT, StartScript.of("s", Map.of(), "api")));
  }

  @Test
  @DisplayName("the run's params are the values after defaults with the secret names; bad values fail 400 naming them")
  void io() {
    RunIo io = ScriptParams.io(SCRIPT, new JsonObject().put("day", "d").put("pw", "x"));
    assertEquals(new JsonObject().put("day", "d").put("pw", "x").put("n", 2L), io.params());
    assertEquals(Set.of("pw"), io.secretParams());
    BusFailure refused = assertThrows(BusFailure.class, () -> ScriptParams.io(SCRIPT, new JsonObject().put("n", "x")));
    assertEquals(400, refused.code());
    assertTrue(refused.getMessage().startsWith(RunParameters.INVALID), refused.getMessage());
    assertTrue(refused.getMessage().contains("params.day is required") && refused.getMessage().contains("params.n"),
        refused.getMessage());
  }
}
