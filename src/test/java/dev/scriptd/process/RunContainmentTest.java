package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Choosing how runs are contained")
class RunContainmentTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("process_group is taken as configured, and /health says so")
  void processGroupAsConfigured() {
    RunContainment containment = RunContainment.open(ScriptdConfig.containment(
        new JsonObject().put("runs", new JsonObject().put("containment", "process_group"))), dir);
    assertFalse(containment.cgroups());
    assertNull(containment.cgroupOf("x"));
    JsonObject health = containment.health();
    assertEquals("process_group", health.getString("mode"));
    assertEquals("UP", health.getString("status"));
    assertTrue(health.getString("reason").contains("runs.containment is process_group"), health.encode());
  }

  @Test
  @DisplayName("auto falls back on process groups, saying why, when cgroup_root is no cgroup; cgroup refuses to start")
  void notACgroup() {
    JsonObject runs = new JsonObject().put("cgroup_root", dir.resolve("runs").toString());
    RunContainment auto = RunContainment.open(ScriptdConfig.containment(new JsonObject().put("runs", runs)), dir);
    assertFalse(auto.cgroups());
    assertTrue(auto.reason().contains("is not a cgroup v2 group"), auto.reason());
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> RunContainment.open(
        ScriptdConfig.containment(new JsonObject().put("runs", runs.copy().put("containment", "cgroup"))), dir));
    assertTrue(refused.getMessage().contains("runs.containment is cgroup"), refused.getMessage());
  }

  @Test
  @DisplayName("a containment that is not auto, cgroup or process_group, or a relative cgroup_root, is a config error")
  void badConfig() {
    assertThrows(dev.scriptd.config.ConfigException.class, () -> ScriptdConfig.containment(
        new JsonObject().put("runs", new JsonObject().put("containment", "jail"))));
    assertThrows(dev.scriptd.config.ConfigException.class, () -> ScriptdConfig.containment(
        new JsonObject().put("runs", new JsonObject().put("cgroup_root", "sys/fs/cgroup"))));
    assertEquals(new ScriptdConfig.Containment("auto", null), ScriptdConfig.containment(new JsonObject()));
  }
}
