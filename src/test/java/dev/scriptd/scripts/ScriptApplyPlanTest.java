package dev.scriptd.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.config.SecurityConfig;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.Script;
import dev.scriptd.domain.SecretEnv;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ScriptApplyPlan: stored against desired definitions, by name")
class ScriptApplyPlanTest {
  private static final Instant THEN = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  private static final RunLimits DEFAULTS = SecurityConfig.fromJson(new JsonObject()).limits().perRun();

  private final AtomicInteger ids = new AtomicInteger();

  private ScriptApplyPlan plan(JsonArray desired, List<Script> stored, boolean prune) {
    return ScriptApplyPlan.of(desired, stored, prune, 3600, DEFAULTS, NOW, () -> "new-" + ids.incrementAndGet());
  }

  private static Script stored(JsonObject definition, long version) {
    ScriptSpec.Parsed parsed = ScriptSpec.parse(definition, 3600, DEFAULTS);
    assertTrue(parsed.valid(), parsed.errors().encode());
    return parsed.spec().toScript("id-" + definition.getString("name"), version, THEN, THEN);
  }

  private static JsonObject shell(String name, String command) {
    return new JsonObject().put("name", name).put("command", command);
  }

  private static JsonObject secretEnv(String name, String value) {
    return new JsonObject().put(name, new JsonObject().put("value", value).put("secret", true));
  }

  @Test
  @DisplayName("a new name is created, a different definition updated (version + 1, same id), an equal one unchanged")
  void createsUpdatesAndLeavesAlone() {
    Script same = stored(shell("same", "echo 1").put("timeout", 60), 3);
    Script differs = stored(shell("differs", "echo 1"), 5);
    ScriptApplyPlan plan = plan(new JsonArray().add(shell("same", "echo 1").put("timeout", 60))
        .add(shell("differs", "echo 2")).add(shell("fresh", "echo 3")), List.of(same, differs), false);
    assertTrue(plan.valid(), plan.errors().encode());
    assertEquals(List.of("same"), plan.unchanged());
    assertEquals(1, plan.updates().size());
    Script updated = plan.updates().get(0);
    assertEquals("id-differs", updated.id());
    assertEquals(6, updated.version());
    assertEquals(THEN, updated.createdAt());
    assertEquals(NOW, updated.updatedAt());
    assertEquals("echo 2", updated.command());
    assertEquals(1, plan.creates().size());
    assertEquals("new-1", plan.creates().get(0).id());
    assertEquals(1, plan.creates().get(0).version());
    assertEquals(new JsonObject().put("created", new JsonArray().add("fresh")).put("updated", new JsonArray()
        .add("differs")).put("unchanged", new JsonArray().add("same")).put("deleted", new JsonArray()), plan.summary());
  }

  @Test
  @DisplayName("then names a script that exists after the apply: stored, or listed in it; one pruned or unknown is an error naming the entry")
  void thenNamesAScriptThatExistsAfterTheApply() {
    JsonArray chained = new JsonArray().add(new JsonObject().put("script", "target"));
    Script target = stored(shell("target", "true"), 1);
    Script upstream = stored(shell("up", "true").put("then", chained), 1);
    assertTrue(plan(new JsonArray().add(shell("up", "true").put("then", chained)), List.of(target), false).valid(),
        "target is stored and stays");
    assertTrue(plan(new JsonArray().add(shell("up", "true").put("then", chained)).add(shell("target", "true")),
        List.of(), false).valid(), "target comes in the same apply");
    ScriptApplyPlan unknown = plan(new JsonArray().add(shell("new", "true")
        .put("then", new JsonArray().add(new JsonObject().put("script", "nowhere")))), List.of(), false);
    assertEquals("scripts[0].then[0].script", unknown.errors().getJsonObject(0).getString("field"));
    ScriptApplyPlan pruned = plan(new JsonArray().add(shell("up", "true").put("then", chained)),
        List.of(target, upstream), true);
    assertEquals(1, pruned.errors().size(), pruned.errors().encode());
    assertEquals("scripts[0].then[0].script", pruned.errors().getJsonObject(0).getString("field"),
        "unchanged up names target, which the prune would delete");
  }

  @Test
  @DisplayName("defaults count as written: leaving out a field that holds its default is no change")
  void defaultsAreNoChange() {
    Script stored = stored(shell("d", "echo").put("timeout", 3600).put("enabled", true).put("concurrency", "allow")
        .put("schedule", new JsonObject().put("cron", "0 3 * * *").put("timezone", "UTC").put("misfire", "skip")), 1);
    ScriptApplyPlan plan = plan(new JsonArray().add(shell("d", "echo")
        .put("schedule", new JsonObject().put("cron", "0 3 * * *"))), List.of(stored), false);
    assertEquals(List.of("d"), plan.unchanged());
  }

  @Test
  @DisplayName("prune deletes stored scripts that are not listed, by name order; without prune nothing is deleted")
  void prune() {
    List<Script> stored = List.of(stored(shell("zeta", "z"), 1), stored(shell("keep", "k"), 1),
        stored(shell("alpha", "a"), 1));
    JsonArray desired = new JsonArray().add(shell("keep", "k"));
    assertEquals(List.of(), plan(desired, stored, false).deletes());
    assertEquals(List.of("alpha", "zeta"), plan(desired, stored, true).deletes().stream().map(Script::name).toList());
  }

  @Test
  @DisplayName("a secret sent as *** keeps the stored value and is no change; a new real value is an update")
  void maskedSecretKeepsStoredValue() {
    Script stored = stored(shell("s", "echo").put("env", secretEnv("PASSWORD", "hunter2")), 2);
    JsonObject exported = ScriptApplyPlan.definition(stored, true);
    assertFalse(exported.encode().contains("hunter2"), exported.encode());
    assertEquals(List.of("s"), plan(new JsonArray().add(exported), List.of(stored), false).unchanged());

    ScriptApplyPlan changed = plan(new JsonArray().add(shell("s", "echo").put("env", secretEnv("PASSWORD", "new"))),
        List.of(stored), false);
    assertEquals("new", SecretEnv.processEnv(changed.updates().get(0).env()).get("PASSWORD"));

    ScriptApplyPlan otherChange = plan(new JsonArray().add(exported.copy().put("command", "echo 2")), List.of(stored),
        false);
    assertEquals("hunter2", SecretEnv.processEnv(otherChange.updates().get(0).env()).get("PASSWORD"));
  }

  @Test
  @DisplayName("*** for a secret with no stored value (a new script, or not secret before) is an error, not the text ***")
  void maskWithoutStoredValueIsAnError() {
    ScriptApplyPlan plan = plan(new JsonArray().add(shell("n", "echo").put("env", secretEnv("TOKEN", "***"))),
        List.of(), false);
    assertFalse(plan.valid());
    assertEquals("scripts[0].env.TOKEN", plan.errors().getJsonObject(0).getString("field"));
    assertTrue(plan.detail().contains("script n"), plan.detail());
    assertEquals(List.of(), plan.creates());
  }

  @Test
  @DisplayName("every invalid definition is reported as scripts[i].field with its name, and an invalid plan changes nothing")
  void invalidDefinitionsInvalidateThePlan() {
    ScriptApplyPlan plan = plan(new JsonArray().add(shell("ok", "echo")).add(shell("bad", "echo").put("timeout", 0))
        .add("not an object").add(shell("ok", "again")), List.of(stored(shell("old", "x"), 1)), true);
    assertFalse(plan.valid());
    List<String> fields = plan.errors().stream().map(e -> ((JsonObject) e).getString("field")).toList();
    assertEquals(List.of("scripts[1].timeout", "scripts[2]", "scripts[3].name"), fields);
    assertEquals("bad", plan.errors().getJsonObject(0).getString("script"));
    assertTrue(plan.detail().startsWith("nothing was applied: scripts[1].timeout (script bad)"), plan.detail());
    assertTrue(plan.changes().isEmpty());
  }

  @Test
  @DisplayName("a definition is the script object without id, version, times and last_run")
  void definitionShape() {
    JsonObject definition = ScriptApplyPlan.definition(stored(shell("x", "echo"), 4), false);
    for (String key : List.of("id", "version", "created_at", "updated_at", "next_run_at", "last_run")) {
      assertFalse(definition.containsKey(key), key);
    }
    assertEquals("x", definition.getString("name"));
    assertEquals("echo", definition.getString("command"));
  }
}
