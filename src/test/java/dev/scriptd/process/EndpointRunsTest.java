package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.scriptd.config.SecurityConfig;
import dev.scriptd.config.TrafficConfig;
import dev.scriptd.domain.Script;
import dev.scriptd.scripts.ScriptSpec;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Endpoint runs: endpoint.max_concurrent counts starts and runs until their end")
class EndpointRunsTest {
  private static final TrafficConfig.Endpoints DEFAULTS = TrafficConfig.fromJson(new JsonObject()).endpoints();

  private static Script script(String id, JsonObject endpoint) {
    ScriptSpec.Parsed parsed = ScriptSpec.parse(new JsonObject().put("name", id).put("command", "true")
        .put("endpoint", endpoint), 60, SecurityConfig.fromJson(new JsonObject()).limits().perRun());
    assertEquals(0, parsed.errors().size(), parsed.errors().encode());
    return parsed.spec().toScript(id, 1, Instant.EPOCH, Instant.EPOCH);
  }

  @Test
  @DisplayName("a start counts from its admission; its run until it ends; an ended run does not count")
  void countsStartsAndRuns() {
    EndpointRuns runs = new EndpointRuns(DEFAULTS);
    Script hook = script("s1", new JsonObject().put("path", "a").put("max_concurrent", 2));
    assertNull(runs.admit(hook));
    assertNull(runs.admit(hook));
    assertNotNull(runs.admit(hook), "two starts in flight: at the limit");
    runs.answered("s1", "r1", false);
    runs.answered("s1", "r2", true); // ended before its answer came
    assertEquals(1, runs.count("s1"));
    assertNull(runs.admit(hook));
    runs.answered("s1", null, true); // the start failed
    runs.ended("r1");
    runs.ended("r1");
    assertEquals(0, runs.count("s1"));
  }

  @Test
  @DisplayName("without max_concurrent, public endpoints get endpoints.public_max_concurrent, token ones the token default")
  void defaultsByAuth() {
    EndpointRuns runs = new EndpointRuns(DEFAULTS);
    Script open = script("pub", new JsonObject().put("path", "p").put("auth", "public"));
    for (int i = 0; i < DEFAULTS.publicMaxConcurrent(); i++) {
      assertNull(runs.admit(open));
    }
    assertNotNull(runs.admit(open));
    Script guarded = script("tok", new JsonObject().put("path", "t"));
    for (int i = 0; i < DEFAULTS.tokenMaxConcurrent(); i++) {
      assertNull(runs.admit(guarded));
    }
    assertNotNull(runs.admit(guarded));
    assertEquals(4, DEFAULTS.publicMaxConcurrent());
  }
}
