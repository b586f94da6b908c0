package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.config.ConfigException;
import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A child's environment")
class ChildEnvironmentTest {
  private static final Map<String, String> SERVER = Map.of(
      "PATH", "/opt/bin:/usr/bin",
      "HOME", "/home/scriptd",
      "LANG", "C.UTF-8",
      "LC_TIME", "en_GB.UTF-8",
      "LC_ALL", "C",
      "FOO", "server-foo",
      "AWS_SECRET_ACCESS_KEY", "aws",
      "SCRIPTD_ADMIN_TOKEN", "sd_admin",
      "SCRIPTD_SECRET_X", "x");

  @Test
  @DisplayName("inherits only the default allowlist from the server, LC_* as a prefix, and no SCRIPTD_* variable")
  void defaultAllowlist() {
    Map<String, String> env = new ChildEnvironment(ScriptdConfig.DEFAULT_INHERIT_ENV, SERVER).forRun(Map.of(), Map.of());
    assertEquals(Map.of("PATH", "/opt/bin:/usr/bin", "HOME", "/home/scriptd", "LANG", "C.UTF-8",
        "LC_TIME", "en_GB.UTF-8", "LC_ALL", "C"), env);
  }

  @Test
  @DisplayName("never passes a server SCRIPTD_* variable, even when the allowlist names it or a prefix covers it")
  void serverScriptdVariablesNeverPass() {
    Map<String, String> env = new ChildEnvironment(List.of("SCRIPTD_ADMIN_TOKEN", "SCRIPTD_*", "*"), SERVER)
        .forRun(Map.of(), Map.of());
    assertFalse(env.containsKey("SCRIPTD_ADMIN_TOKEN"));
    assertFalse(env.containsKey("SCRIPTD_SECRET_X"));
    assertFalse(env.values().contains("sd_admin"));
    assertEquals("server-foo", env.get("FOO"), "a lone * inherits every other variable");
  }

  @Test
  @DisplayName("the run's env overrides what was inherited, and scriptd's own variables override the run's")
  void layersInOrder() {
    Map<String, String> env = new ChildEnvironment(ScriptdConfig.DEFAULT_INHERIT_ENV, SERVER).forRun(
        Map.of("LANG", "fr_FR.UTF-8", "SCRIPTD_RUN_ID", "forged", "SCRIPTD_HEADER_X", "h", "MINE", "1"),
        Map.of("SCRIPTD_RUN_ID", "run-1"));
    assertEquals("fr_FR.UTF-8", env.get("LANG"));
    assertEquals("run-1", env.get("SCRIPTD_RUN_ID"));
    assertEquals("h", env.get("SCRIPTD_HEADER_X"), "a run's own SCRIPTD_* variables (endpoint requests) pass");
    assertEquals("1", env.get("MINE"));
  }

  @Test
  @DisplayName("gets a default PATH when neither the server nor the run has one, and keeps the run's PATH")
  void defaultPath() {
    ChildEnvironment noPath = new ChildEnvironment(ScriptdConfig.DEFAULT_INHERIT_ENV, Map.of("HOME", "/h"));
    assertEquals(ChildEnvironment.DEFAULT_PATH, noPath.forRun(Map.of(), Map.of()).get("PATH"));
    assertEquals(ChildEnvironment.DEFAULT_PATH, noPath.base().get("PATH"));
    assertTrue(ChildEnvironment.DEFAULT_PATH.contains("/usr/bin"));
    assertEquals("/mine", noPath.forRun(Map.of("PATH", "/mine"), Map.of()).get("PATH"));
    ChildEnvironment notAllowed = new ChildEnvironment(List.of("HOME"), SERVER);
    assertEquals(ChildEnvironment.DEFAULT_PATH, notAllowed.base().get("PATH"),
        "a PATH the allowlist leaves out is replaced by the default, not by the server's");
  }

  @Test
  @DisplayName("the orphan reaper's environment is the inherited layer only")
  void reaperEnvironment() {
    Map<String, String> base = new ChildEnvironment(List.of("PATH", "FOO"), SERVER).base();
    assertEquals(Map.of("PATH", "/opt/bin:/usr/bin", "FOO", "server-foo"), base);
  }

  @Test
  @DisplayName("runs.inherit_env is read as a list of names and prefixes, with the documented default")
  void config() {
    assertEquals(List.of("PATH", "HOME", "LANG", "LC_*", "TZ", "USER", "SHELL", "TMPDIR"),
        ScriptdConfig.fromJson(new JsonObject()).runs().inheritEnv());
    assertEquals(List.of("PATH", "MY_*"), ScriptdConfig.fromJson(new JsonObject().put("runs",
        new JsonObject().put("inherit_env", new JsonArray().add("PATH").add("MY_*")))).runs().inheritEnv());
    assertEquals(List.of(), ScriptdConfig.fromJson(new JsonObject().put("runs",
        new JsonObject().put("inherit_env", new JsonArray()))).runs().inheritEnv());
    for (Object bad : new Object[] {"PATH", new JsonArray().add("A=B"), new JsonArray().add("*X"),
        new JsonArray().add(3), new JsonArray().add("")}) {
      ConfigException e = assertThrows(ConfigException.class, () -> ScriptdConfig.fromJson(new JsonObject()
          .put("runs", new JsonObject().put("inherit_env", bad))), String.valueOf(bad));
      assertTrue(e.getMessage().contains("runs.inherit_env"), e.getMessage());
    }
  }
}
