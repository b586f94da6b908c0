package dev.scriptd.js;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.SecretEnv;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A validated JS_START body. {@code timeoutMs} is the wall-clock limit; the run shows it in seconds.
 * {@code env} (a script's, in the form of {@link SecretEnv#fromInput}) names the secret values masked
 * in the run's output; {@code limits} is the run's override (its output cap).
 */
record JsStart(JsSource source, String scriptId, String trigger, long timeoutMs, JsonObject request, boolean await,
    Map<String, String> env, RunLimits limits) {
  static final String ENDPOINT = "endpoint";

  static JsStart parse(JsonObject body, long defaultTimeoutSeconds, long endpointTimeoutMs) {
    if (!(body.getValue("program") instanceof String program) || program.isBlank()) {
      throw bad("program is required and must be a non-blank string of JavaScript");
    }
    String scriptId = string(body, "script_id");
    String trigger = string(body, "trigger");
    trigger = trigger == null || trigger.isBlank() ? "api" : trigger;
    Object rawRequest = body.getValue("request");
    if (rawRequest != null && !(rawRequest instanceof JsonObject)) {
      throw bad("request must be an object");
    }
    Object rawTimeout = body.getValue("timeout");
    long timeoutMs;
    if (rawTimeout == null) {
      timeoutMs = ENDPOINT.equals(trigger) ? endpointTimeoutMs : TimeUnit.SECONDS.toMillis(defaultTimeoutSeconds);
    } else if (rawTimeout instanceof Number number && number.doubleValue() == number.longValue()
        && number.longValue() >= 1 && number.longValue() <= ScriptdConfig.MAX_TIMEOUT_SECONDS) {
      timeoutMs = TimeUnit.SECONDS.toMillis(number.longValue());
      if (ENDPOINT.equals(trigger)) {
        timeoutMs = Math.min(timeoutMs, endpointTimeoutMs);
      }
    } else {
      throw bad("timeout must be a whole number of seconds in 1.." + ScriptdConfig.MAX_TIMEOUT_SECONDS);
    }
    Object version = body.getValue("version");
    String key = scriptId != null && version instanceof Number number
        ? JsEngine.scriptKey(scriptId, number.longValue()) : JsEngine.adHocKey(program);
    String name = body.getValue("name") instanceof String text ? text + ".js" : "program.js";
    boolean await = Boolean.TRUE.equals(body.getValue("wait"));
    Map<String, String> env;
    try {
      env = SecretEnv.fromInput(body.getValue("env"));
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
    RunLimits limits = RunLimits.parse(body.getValue("limits"), (field, message) -> {
      throw bad(field + " " + message);
    });
    return new JsStart(new JsSource(key, scriptId, name, program), scriptId, trigger, timeoutMs,
        (JsonObject) rawRequest, await, env, limits);
  }

  long timeoutSeconds() {
    return Math.max(1, (timeoutMs + 999) / 1000);
  }

  private static String string(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw bad(field + " must be a string");
    }
    return (String) value;
  }

  private static BusFailure bad(String message) {
    return new BusFailure(ReplyCodes.BAD_REQUEST, message);
  }
}
