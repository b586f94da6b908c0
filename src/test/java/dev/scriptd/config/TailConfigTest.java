package dev.scriptd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Live-tail settings")
class TailConfigTest {
  @Test
  @DisplayName("lines gather for coalesce_ms, and longer once a run's viewers would exceed max_writes_per_second")
  void coalescingGrowsWithViewers() {
    ScriptdConfig.Tail tail = ScriptdConfig.fromJson(new JsonObject()
        .put("tail", new JsonObject().put("coalesce_ms", 10).put("max_writes_per_second", 20_000))).tail();
    assertEquals(10, tail.coalesceMsFor(1));
    assertEquals(10, tail.coalesceMsFor(200), "200 viewers every 10 ms are 20,000 writes a second");
    assertEquals(25, tail.coalesceMsFor(500));
    assertEquals(50, tail.coalesceMsFor(1000));
    ScriptdConfig.Tail defaults = ScriptdConfig.fromJson(new JsonObject()).tail();
    assertEquals(10, defaults.coalesceMs());
    assertEquals(20_000, defaults.maxWritesPerSecond());
  }
}
