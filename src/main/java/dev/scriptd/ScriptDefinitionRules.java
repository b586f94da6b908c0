package dev.scriptd;

import dev.scriptd.domain.RunLimits;
import dev.scriptd.http.ScriptDefinitions;
import dev.scriptd.scripts.ScriptSpec;
import io.vertx.core.json.JsonObject;

/** {@link ScriptDefinitions} for HTTP, backed by {@link ScriptSpec}: the rules the scripts verticle saves by. */
final class ScriptDefinitionRules implements ScriptDefinitions {
  private final long defaultTimeoutSeconds;
  private final RunLimits defaultLimits;

  ScriptDefinitionRules(long defaultTimeoutSeconds, RunLimits defaultLimits) {
    this.defaultTimeoutSeconds = defaultTimeoutSeconds;
    this.defaultLimits = defaultLimits;
  }

  @Override
  public Checked check(JsonObject body) {
    ScriptSpec.Parsed parsed = ScriptSpec.parse(body, defaultTimeoutSeconds, defaultLimits);
    return new Checked(parsed.valid() ? parsed.spec().toJson() : null, parsed.errors());
  }

  @Override
  public boolean isName(String id) {
    return ScriptSpec.NAME.matcher(id).matches();
  }
}
