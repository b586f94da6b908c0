package dev.scriptd.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.config.SecurityConfig;
import dev.scriptd.domain.RunLimits;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Script definitions")
class ScriptSpecTest {
  private static final RunLimits DEFAULTS = SecurityConfig.fromJson(new JsonObject()).limits().perRun();

  private static ScriptSpec.Parsed parse(JsonObject body) {
    return ScriptSpec.parse(body, 3600, DEFAULTS);
  }

  private static void assertOnlyError(ScriptSpec.Parsed parsed, String field) {
    assertEquals(1, parsed.errors().size(), parsed.errors().encode());
    assertEquals(field, parsed.errors().getJsonObject(0).getString("field"), parsed.errors().encode());
  }

  @Test
  @DisplayName("the names . and .. are refused (no URL reaches them); other names with dots are fine")
  void dotNames() {
    assertOnlyError(parse(new JsonObject().put("name", ".").put("command", "true")), "name");
    assertOnlyError(parse(new JsonObject().put("name", "..").put("command", "true")), "name");
    for (String name : new String[] {"...", ".a", "a..b", "v1.2"}) {
      assertTrue(parse(new JsonObject().put("name", name).put("command", "true")).valid(), name);
    }
  }

  @Test
  @DisplayName("a cwd with a NUL character is refused")
  void nulInCwd() {
    assertOnlyError(parse(new JsonObject().put("name", "a").put("command", "true").put("cwd", "/tmp\0x")), "cwd");
    assertTrue(parse(new JsonObject().put("name", "a").put("command", "true").put("cwd", "relative/dir")).valid());
  }

  @Test
  @DisplayName("retention: whole numbers from 0 in range, known fields only; an empty object is no override")
  void retention() {
    JsonObject base = new JsonObject().put("name", "a").put("command", "true");
    JsonObject all = new JsonObject().put("days", 0).put("max_runs", 10).put("max_bytes", 1_000_000)
        .put("keep_failed_days", 90);
    ScriptSpec.Parsed parsed = parse(base.copy().put("retention", all));
    assertTrue(parsed.valid(), parsed.errors().encode());
    assertEquals(all, parsed.spec().retention());
    assertEquals(all, parsed.spec().toScript("id", 1, java.time.Instant.EPOCH, java.time.Instant.EPOCH).retention());
    assertEquals(null, parse(base.copy().put("retention", new JsonObject())).spec().retention());
    assertOnlyError(parse(base.copy().put("retention", new JsonObject().put("days", 36_501))), "retention.days");
    assertOnlyError(parse(base.copy().put("retention", new JsonObject().put("max_runs", -1))), "retention.max_runs");
    assertOnlyError(parse(base.copy().put("retention", new JsonObject().put("max_bytes", 0.5))), "retention.max_bytes");
    assertOnlyError(parse(base.copy().put("retention", new JsonObject().put("keep_failed_days", "7"))),
        "retention.keep_failed_days");
    assertOnlyError(parse(base.copy().put("retention", new JsonObject().put("day", 7))), "retention.day");
    assertOnlyError(parse(base.copy().put("retention", "7d")), "retention");
  }
}
