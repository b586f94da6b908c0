package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ScriptFileRoutes: which requests are YAML")
class ScriptFileRoutesTest {
  @Test
  @DisplayName("application/yaml, application/x-yaml and text/yaml are YAML, with parameters and in any case")
  void yamlTypes() {
    assertTrue(ScriptFileRoutes.isYaml("application/yaml"));
    assertTrue(ScriptFileRoutes.isYaml("Application/X-YAML; charset=utf-8"));
    assertTrue(ScriptFileRoutes.isYaml("text/yaml"));
    assertFalse(ScriptFileRoutes.isYaml("application/json"));
    assertFalse(ScriptFileRoutes.isYaml("text/plain"));
    assertFalse(ScriptFileRoutes.isYaml(null));
  }

  @Test
  @DisplayName("the export is YAML when Accept lists a YAML type before any JSON type")
  void acceptChoosesYaml() {
    assertTrue(ScriptFileRoutes.wantsYaml("application/yaml"));
    assertTrue(ScriptFileRoutes.wantsYaml("text/html, application/x-yaml"));
    assertFalse(ScriptFileRoutes.wantsYaml("application/json, application/yaml"));
    assertFalse(ScriptFileRoutes.wantsYaml("*/*"));
    assertFalse(ScriptFileRoutes.wantsYaml(null));
  }
}
