package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A run's usage in its API and stored form")
class RunUsageTest {
  @Test
  @DisplayName("every field is in the JSON, unmeasured ones as null, and reads back the same")
  void roundTrip() {
    RunUsage usage = new RunUsage(12L, 3L, null, null, RunUsage.PROCESS_GROUP);
    JsonObject json = usage.toJson();
    assertEquals(new JsonObject().put("cpu_user_ms", 12L).put("cpu_system_ms", 3L).putNull("max_rss_bytes")
        .putNull("peak_processes").put("containment", "process_group"), json);
    assertEquals(5, json.size());
    assertEquals(usage, RunUsage.fromStored(json.encode()));
  }

  @Test
  @DisplayName("nothing stored, or text that is no usage object, reads as no usage")
  void noneOrGarbage() {
    assertNull(RunUsage.fromStored(null));
    assertNull(RunUsage.fromStored(" "));
    assertNull(RunUsage.fromStored("[1, 2]"));
    assertEquals(new RunUsage(null, null, null, null, null), RunUsage.fromStored("{\"cpu_user_ms\": \"x\"}"));
  }
}
