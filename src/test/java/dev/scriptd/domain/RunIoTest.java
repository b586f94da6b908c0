package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A run's params and outputs")
class RunIoTest {
  private static final RunIo IO = new RunIo(new JsonObject().put("day", "2026-01-31").put("pw", "hunter2")
      .put("pins", new JsonArray().add(1234).add("abcd")), Set.of("pw", "pins"), new JsonObject().put("x", "1"));

  @Test
  @DisplayName("the API shows secret values as ***, and a run's JSON carries params and outputs")
  void api() {
    assertEquals(new JsonObject().put("day", "2026-01-31").put("pw", "***").put("pins", "***"), IO.paramsForApi());
    Run run = Run.pending("r", null, Run.KIND_SHELL, "true", "api", 10, null, null, null, java.time.Instant.now())
        .withIo(IO);
    assertEquals(IO.paramsForApi(), run.toJson().getJsonObject("params"));
    assertEquals(new JsonObject().put("x", "1"), run.toJson().getJsonObject("outputs"));
    JsonObject none = Run.pending("r", null, Run.KIND_SHELL, "true", "api", 10, null, null, null,
        java.time.Instant.now()).toJson();
    assertEquals(new JsonObject(), none.getJsonObject("params"));
    assertEquals(new JsonObject(), none.getJsonObject("outputs"));
  }

  @Test
  @DisplayName("the texts to mask in lines are each secret value as written, a list's items too")
  void secretTexts() {
    assertEquals(Set.of("hunter2", "1234", "abcd", "[1234,\"abcd\"]"), Set.copyOf(IO.secretTexts()));
    assertEquals(List.of(), RunIo.NONE.secretTexts());
  }

  @Test
  @DisplayName("a stored row round-trips; a row from before parameters existed reads as none")
  void stored() {
    RunIo back = RunIo.fromStored(IO.params().encode(), IO.secretsStored(), IO.outputs().encode());
    assertEquals(IO, back);
    assertEquals(RunIo.NONE, RunIo.fromStored(null, null, null));
    assertNull(RunIo.NONE.secretsStored());
  }

  @Test
  @DisplayName("a run's guard masks its secret parameter values like secret env values")
  void guard() {
    Run run = Run.pending("r", null, Run.KIND_SHELL, "true", "api", 10, null, null, null, java.time.Instant.now())
        .withIo(IO);
    OutputGuard guard = OutputGuard.forRun(run,
        dev.scriptd.config.SecurityConfig.fromJson(new JsonObject()).limits().perRun());
    assertEquals("pw=*** pins=***", guard.redact("pw=hunter2 pins=[1234,\"abcd\"]"));
  }
}
