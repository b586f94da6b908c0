package dev.scriptd.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A saved script definition. Immutable; {@code schedule} and {@code endpoint} are JSON objects that
 * are copied in and out, never shared. {@code limits} is the script's override of the server's
 * per-run limits ({@link RunLimits#NONE}: the defaults). {@code retention} overrides the server's
 * retention settings for this script's runs, field by field ({@code days}, {@code max_runs},
 * {@code max_bytes}, {@code keep_failed_days}); null: none. {@code parameters}: the JSON Schema of
 * its runs' parameter values (null: none); {@code schedule.params} holds the values of cron runs.
 */
public record Script(
    String id,
    String name,
    String kind,
    String command,
    String program,
    long timeoutSeconds,
    Map<String, String> env,
    String cwd,
    boolean enabled,
    JsonObject schedule,
    JsonObject endpoint,
    String concurrency,
    RunLimits limits,
    long version,
    Instant createdAt,
    Instant updatedAt,
    JsonObject retention,
    JsonObject parameters,
    ScriptAutomation automation) {

  public static final String ALLOW = "allow";
  public static final String FORBID = "forbid";
  public static final String QUEUE = "queue";
  public static final String REPLACE = "replace";

  public Script {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    env = env == null ? Map.of() : Map.copyOf(env);
    limits = limits == null ? RunLimits.NONE : limits;
    schedule = schedule == null ? null : schedule.copy();
    endpoint = endpoint == null ? null : endpoint.copy();
    retention = retention == null ? null : retention.copy();
    parameters = parameters == null ? null : parameters.copy();
    automation = automation == null ? ScriptAutomation.NONE : automation;
  }

  /** A script with no then, retry or notify. */
  public Script(String id, String name, String kind, String command, String program, long timeoutSeconds,
      Map<String, String> env, String cwd, boolean enabled, JsonObject schedule, JsonObject endpoint,
      String concurrency, RunLimits limits, long version, Instant createdAt, Instant updatedAt, JsonObject retention,
      JsonObject parameters) {
    this(id, name, kind, command, program, timeoutSeconds, env, cwd, enabled, schedule, endpoint, concurrency,
        limits, version, createdAt, updatedAt, retention, parameters, ScriptAutomation.NONE);
  }

  /** A script without parameters. */
  public Script(String id, String name, String kind, String command, String program, long timeoutSeconds,
      Map<String, String> env, String cwd, boolean enabled, JsonObject schedule, JsonObject endpoint,
      String concurrency, RunLimits limits, long version, Instant createdAt, Instant updatedAt, JsonObject retention) {
    this(id, name, kind, command, program, timeoutSeconds, env, cwd, enabled, schedule, endpoint, concurrency,
        limits, version, createdAt, updatedAt, retention, null, ScriptAutomation.NONE);
  }

  /** A script without a retention override. */
  public Script(String id, String name, String kind, String command, String program, long timeoutSeconds,
      Map<String, String> env, String cwd, boolean enabled, JsonObject schedule, JsonObject endpoint,
      String concurrency, RunLimits limits, long version, Instant createdAt, Instant updatedAt) {
    this(id, name, kind, command, program, timeoutSeconds, env, cwd, enabled, schedule, endpoint, concurrency,
        limits, version, createdAt, updatedAt, null, null, ScriptAutomation.NONE);
  }

  @Override
  public JsonObject retention() {
    return retention == null ? null : retention.copy();
  }

  /** The JSON Schema of the script's parameters as saved; null: it declares none. */
  @Override
  public JsonObject parameters() {
    return parameters == null ? null : parameters.copy();
  }

  /** The names of the parameters marked {@code "x-secret": true}. */
  public Set<String> secretParameters() {
    Set<String> names = new LinkedHashSet<>();
    if (parameters != null && parameters.getValue("properties") instanceof JsonObject properties) {
      for (String name : properties.fieldNames()) {
        if (properties.getValue(name) instanceof JsonObject property && Boolean.TRUE.equals(property.getValue("x-secret"))) {
          names.add(name);
        }
      }
    }
    return names;
  }

  /** The schedule as the API shows it: secret values of {@code schedule.params} as {@link SecretEnv#MASK}. */
  public JsonObject scheduleForApi() {
    JsonObject shown = schedule();
    if (shown != null && shown.getValue("params") instanceof JsonObject params) {
      Set<String> secret = secretParameters();
      for (String name : params.fieldNames()) {
        if (secret.contains(name) && params.getValue(name) != null) {
          params.put(name, SecretEnv.MASK);
        }
      }
    }
    return shown;
  }

  @Override
  public JsonObject schedule() {
    return schedule == null ? null : schedule.copy();
  }

  @Override
  public JsonObject endpoint() {
    return endpoint == null ? null : endpoint.copy();
  }

  /**
   * The endpoint with every field of the API shape: {@code role} defaults to operator;
   * {@code rate_limit} and {@code max_concurrent} are null while the server's defaults for the
   * endpoint's auth apply (they are stored only when given, so raising those defaults reaches them,
   * and null reads back as absent, so an exported definition applies unchanged).
   */
  private JsonObject endpointForApi() {
    if (endpoint == null) {
      return null;
    }
    JsonObject json = endpoint.copy();
    if (json.getValue("role") == null) {
      json.put("role", "operator");
    }
    for (String limit : new String[] {"rate_limit", "max_concurrent"}) {
      if (json.getValue(limit) == null) {
        json.putNull(limit);
      }
    }
    return json;
  }

  /** The API shape (src/docs/api.md, "Scripts"); {@code nextRunAt} stays null until a scheduler sets it. */
  public JsonObject toJson(Run lastRun, Instant nextRunAt) {
    return new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("kind", kind)
        .put("command", command)
        .put("program", program)
        .put("timeout", timeoutSeconds)
        .put("env", SecretEnv.toApiJson(env))
        .put("cwd", cwd)
        .put("enabled", enabled)
        .put("schedule", scheduleForApi())
        .put("endpoint", endpointForApi())
        .put("concurrency", concurrency)
        .put("limits", limits.toJson())
        .put("retention", retention())
        .put("parameters", parameters())
        .put("then", automation.then())
        .put("retry", automation.retry())
        .put("notify", automation.toApiJson().getJsonArray("notify"))
        .put("version", version)
        .put("created_at", Times.format(createdAt))
        .put("updated_at", Times.format(updatedAt))
        .put("next_run_at", Times.format(nextRunAt))
        .put("last_run", lastRun == null ? null : lastRun.toJson());
  }
}
