package dev.scriptd.config;

import dev.scriptd.domain.ScriptAutomation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Chains and notifications ({@code chains} and {@code notify} sections): {@code chains.max_depth}
 * is how many links a chain may have (a start beyond is recorded as a failed run);
 * {@code notify.default} are notify entries applied to every run, ad-hoc runs included (the rules
 * of a script's {@code notify}); {@code notify.max_attempts} bounds the deliveries of one
 * notification.
 */
public record AutomationConfig(int maxChainDepth, JsonArray defaultNotify, int notifyMaxAttempts) {

  public AutomationConfig {
    defaultNotify = defaultNotify == null ? new JsonArray() : defaultNotify.copy();
  }

  @Override
  public JsonArray defaultNotify() {
    return defaultNotify.copy();
  }

  public static AutomationConfig fromJson(JsonObject json) {
    Settings root = new Settings(json, "");
    Settings chains = root.section("chains");
    Settings notify = root.section("notify");
    Object raw = json.getJsonObject("notify") == null ? null : json.getJsonObject("notify").getValue("default");
    List<String> problems = new ArrayList<>();
    JsonArray defaults = ScriptAutomation.notifyEntries(raw, "notify.default",
        (field, message) -> problems.add(field + " " + message));
    if (!problems.isEmpty()) {
      throw new ConfigException(String.join("; ", problems));
    }
    return new AutomationConfig(chains.intValue("max_depth", 10, 0, 1000), defaults,
        notify.intValue("max_attempts", 8, 1, 100));
  }
}
