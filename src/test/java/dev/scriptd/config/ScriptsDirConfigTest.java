package dev.scriptd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("scripts.dir settings")
class ScriptsDirConfigTest {
  @Test
  @DisplayName("unset by default: no folder, no prune, 500 ms of quiet")
  void defaults() {
    ScriptdConfig.ScriptsDir settings = ScriptdConfig.scriptsDir(new JsonObject());
    assertNull(settings.dir());
    assertFalse(settings.prune());
    assertEquals(500, settings.debounceMs());
  }

  @Test
  @DisplayName("a folder, prune and debounce are read; a debounce out of 10..60000 is refused naming the key")
  void readsAndChecks() {
    ScriptdConfig.ScriptsDir settings = ScriptdConfig.scriptsDir(new JsonObject().put("scripts",
        new JsonObject().put("dir", "/srv/scripts").put("dir_prune", true).put("dir_debounce_ms", 50)));
    assertEquals(Path.of("/srv/scripts"), settings.dir());
    assertTrue(settings.prune());
    assertEquals(50, settings.debounceMs());
    ConfigException bad = assertThrows(ConfigException.class, () -> ScriptdConfig.scriptsDir(new JsonObject()
        .put("scripts", new JsonObject().put("dir_debounce_ms", 0))));
    assertTrue(bad.getMessage().contains("scripts.dir_debounce_ms"), bad.getMessage());
  }
}
