package dev.scriptd.scripts;

import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.cron.Crons;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.Script;
import dev.scriptd.domain.ScriptAutomation;
import dev.scriptd.domain.SecretEnv;
import dev.scriptd.params.ParameterSchema;
import dev.scriptd.params.RunParameters;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated script definition, as sent to POST and PUT /api/scripts. {@link #parse} collects every
 * problem so one 400 lists them all. Unknown fields (id, version, last_run... of a script sent back)
 * are ignored.
 */
public record ScriptSpec(String name, String kind, String command, String program, long timeoutSeconds,
    Map<String, String> env, String cwd, boolean enabled, JsonObject schedule, JsonObject endpoint,
    String concurrency, RunLimits limits, JsonObject retention, JsonObject parameters,
    ScriptAutomation automation) {

  public ScriptSpec {
    automation = automation == null ? ScriptAutomation.NONE : automation;
  }

  /** A definition without then, retry or notify. */
  public ScriptSpec(String name, String kind, String command, String program, long timeoutSeconds,
      Map<String, String> env, String cwd, boolean enabled, JsonObject schedule, JsonObject endpoint,
      String concurrency, RunLimits limits, JsonObject retention, JsonObject parameters) {
    this(name, kind, command, program, timeoutSeconds, env, cwd, enabled, schedule, endpoint, concurrency, limits,
        retention, parameters, ScriptAutomation.NONE);
  }

  /** A definition without parameters. */
  public ScriptSpec(String name, String kind, String command, String program, long timeoutSeconds,
      Map<String, String> env, String cwd, boolean enabled, JsonObject schedule, JsonObject endpoint,
      String concurrency, RunLimits limits, JsonObject retention) {
    this(name, kind, command, program, timeoutSeconds, env, cwd, enabled, schedule, endpoint, concurrency, limits,
        retention, null, ScriptAutomation.NONE);
  }

  /** The fields of a script's {@code retention} and their upper bounds. */
  private static final Map<String, Long> RETENTION = Map.of("days", 36_500L, "keep_failed_days", 36_500L,
      "max_runs", 100_000_000L, "max_bytes", 1L << 50);

  /** A definition without a retention override. */
  public ScriptSpec(String name, String kind, String command, String program, long timeoutSeconds,
      Map<String, String> env, String cwd, boolean enabled, JsonObject schedule, JsonObject endpoint,
      String concurrency, RunLimits limits) {
    this(name, kind, command, program, timeoutSeconds, env, cwd, enabled, schedule, endpoint, concurrency, limits,
        null, null);
  }

  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Pattern ENDPOINT_PATH = Pattern.compile("[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*");
  private static final Pattern DOT_SEGMENT = Pattern.compile("(^|/)\\.{1,2}(/|$)");
  private static final Set<String> KINDS = Set.of("shell", "js");
  private static final Set<String> CONCURRENCY = Set.of(Script.ALLOW, Script.FORBID, Script.QUEUE, Script.REPLACE);
  private static final Set<String> MISFIRE = Set.of("skip", "once", "all");
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
  private static final Set<String> AUTH = Set.of("token", "public");
  private static final Set<String> ROLES = Set.of("viewer", "operator", "admin");
  /** Bounds of endpoint.rate_limit (calls a second) and endpoint.max_concurrent (runs at once). */
  public static final long MAX_ENDPOINT_RATE = 100_000;
  public static final long MAX_ENDPOINT_CONCURRENT = 100_000;
  private static final int MAX_COMMAND = 65_536;
  private static final int MAX_PROGRAM = 1 << 20;

  /** The definition, or the list of {field, message} problems. */
  public record Parsed(ScriptSpec spec, JsonArray errors) {
    public boolean valid() {
      return errors.isEmpty();
    }
  }

  /**
   * {@code defaultLimits} are the server's per-run limits: a {@code limits} override may only
   * tighten them (see {@link RunLimits}).
   */
  public static Parsed parse(JsonObject body, long defaultTimeoutSeconds, RunLimits defaultLimits) {
    Errors errors = new Errors();
    String name = errors.string(body, "name", 64);
    if (name == null && errors.ok("name")) {
      errors.add("name", "is required");
    } else if (name != null && !NAME.matcher(name).matches()) {
      errors.add("name", "must be 1..64 characters of A-Z a-z 0-9 . _ -");
    } else if (".".equals(name) || "..".equals(name)) {
      // /api/scripts/{name} could never reach them: clients and proxies resolve dot segments
      errors.add("name", "must not be \".\" or \"..\"");
    }
    String kind = errors.string(body, "kind", 16);
    if (kind == null) {
      kind = "shell";
    } else if (!KINDS.contains(kind)) {
      errors.add("kind", "must be \"shell\" or \"js\"");
    }
    String command = errors.string(body, "command", MAX_COMMAND);
    String program = errors.string(body, "program", MAX_PROGRAM);
    if ("shell".equals(kind) && (command == null || command.isBlank()) && errors.ok("command")) {
      errors.add("command", "is required for a shell script and must not be blank");
    }
    if ("js".equals(kind) && (program == null || program.isBlank()) && errors.ok("program")) {
      errors.add("program", "is required for a js script and must not be blank");
    }
    long timeout = defaultTimeoutSeconds;
    Object rawTimeout = body.getValue("timeout");
    if (rawTimeout != null) {
      if (rawTimeout instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())
          && number.longValue() >= 1 && number.longValue() <= ScriptdConfig.MAX_TIMEOUT_SECONDS) {
        timeout = number.longValue();
      } else {
        errors.add("timeout", "must be a whole number of seconds 1.." + ScriptdConfig.MAX_TIMEOUT_SECONDS);
      }
    }
    Map<String, String> env = env(body.getValue("env"), errors);
    String cwd = errors.string(body, "cwd", 4096);
    if (cwd != null && cwd.indexOf('\0') >= 0) {
      errors.add("cwd", "must not contain a NUL character");
    }
    boolean enabled = true;
    Object rawEnabled = body.getValue("enabled");
    if (rawEnabled instanceof Boolean flag) {
      enabled = flag;
    } else if (rawEnabled != null) {
      errors.add("enabled", "must be true or false");
    }
    JsonObject schedule = schedule(body.getValue("schedule"), errors);
    JsonObject endpoint = endpoint(body.getValue("endpoint"), errors);
    String concurrency = errors.string(body, "concurrency", 16);
    if (concurrency == null) {
      concurrency = Script.ALLOW;
    } else if (!CONCURRENCY.contains(concurrency)) {
      errors.add("concurrency", "must be one of allow, forbid, queue, replace");
    }
    RunLimits limits = limits(body.getValue("limits"), kind, defaultLimits, errors);
    JsonObject retention = retention(body.getValue("retention"), errors);
    JsonObject parameters = parameters(body.getValue("parameters"), schedule, errors);
    ScriptAutomation automation = ScriptAutomation.parse(body, errors::add);
    ScriptSpec spec = errors.list.isEmpty() ? new ScriptSpec(name, kind, "shell".equals(kind) ? command : null,
        "js".equals(kind) ? program : null, timeout, env, cwd, enabled, schedule, endpoint, concurrency, limits,
        retention, parameters, automation) : null;
    return new Parsed(spec, errors.list);
  }

  /**
   * The parameters' JSON Schema (see {@link ParameterSchema}; null: none), and the values of cron
   * runs ({@code schedule.params}) checked against it. A secret value sent back as {@code "***"} is
   * not checked: it stands for the stored one (see {@link #keepingSecrets}).
   */
  private static JsonObject parameters(Object raw, JsonObject schedule, Errors errors) {
    JsonArray problems = ParameterSchema.check(raw);
    problems.forEach(problem -> errors.list.add(problem));
    JsonObject parameters = problems.isEmpty() && raw instanceof JsonObject schema ? schema : null;
    if (schedule != null && problems.isEmpty() && schedule.getValue("params") instanceof JsonObject params) {
      JsonObject checked = params.copy();
      ParameterSchema.secretNames(parameters).forEach(name -> {
        if (SecretEnv.MASK.equals(checked.getValue(name))) {
          checked.remove(name);
        }
      });
      RunParameters.Result result = RunParameters.resolve(parameters, checked);
      for (int i = 0; i < result.errors().size(); i++) {
        JsonObject error = result.errors().getJsonObject(i);
        if (error.getString("message").equals("is required") && params.getValue(
            error.getString("field").substring("params.".length())) != null) {
          continue; // a masked secret, replaced by the stored value
        }
        errors.add("schedule." + error.getString("field"), error.getString("message"));
      }
    }
    return parameters;
  }

  private static Map<String, String> env(Object raw, Errors errors) {
    Map<String, String> env = new LinkedHashMap<>();
    if (raw == null) {
      return env;
    }
    if (!(raw instanceof JsonObject object)) {
      errors.add("env", "must be an object of string values");
      return env;
    }
    if (object.size() > 256) {
      errors.add("env", "must have at most 256 entries");
      return env;
    }
    Set<String> secret = new LinkedHashSet<>();
    for (Map.Entry<String, Object> entry : object) {
      Object value = entry.getValue();
      if (value instanceof JsonObject marked && marked.getValue("value") instanceof String
          && (marked.getValue("secret") == null || marked.getValue("secret") instanceof Boolean)) {
        if (marked.getBoolean("secret", false)) {
          secret.add(entry.getKey());
        }
        value = marked.getString("value");
      }
      if (!ENV_NAME.matcher(entry.getKey()).matches()) {
        errors.add("env." + entry.getKey(), "is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
      } else if (value instanceof String text && text.indexOf('\0') < 0) {
        env.put(entry.getKey(), text);
      } else {
        errors.add("env." + entry.getKey(), "must be a string or {\"value\": \"...\", \"secret\": true}");
      }
    }
    return SecretEnv.mark(env, secret);
  }

  /**
   * The override of the server's retention settings: whole numbers, each in range; unknown fields
   * are refused (a typo would silently keep the server's setting). Null or {} : no override.
   */
  private static JsonObject retention(Object raw, Errors errors) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonObject object)) {
      errors.add("retention", "must be an object with days, max_runs, max_bytes, keep_failed_days");
      return null;
    }
    JsonObject valid = new JsonObject();
    for (String field : object.fieldNames()) {
      if (!RETENTION.containsKey(field)) {
        errors.add("retention." + field, "is not a retention field (days, max_runs, max_bytes, keep_failed_days)");
      }
    }
    for (String field : List.of("days", "max_runs", "max_bytes", "keep_failed_days")) {
      String unit = field.endsWith("days") ? "days" : field.equals("max_runs") ? "runs" : "bytes";
      Long value = errors.wholeNumber(object, field, 0, RETENTION.get(field), "retention.", unit);
      if (value != null) {
        valid.put(field, value);
      }
    }
    return valid.isEmpty() ? null : valid;
  }

  /** The override of the per-run limits: each field in range, none looser than the server's. */
  private static RunLimits limits(Object raw, String kind, RunLimits defaults, Errors errors) {
    RunLimits limits = RunLimits.parse(raw, errors::add);
    limits.checkWithin(defaults, errors::add);
    if ("js".equals(kind)) {
      for (String field : limits.processFieldsSet()) {
        errors.add("limits." + field, "applies to shell scripts only (a js run is bounded by js.max_statements"
            + " and js.max_allocated_bytes); js scripts take max_log_bytes and on_log_limit");
      }
    }
    return limits;
  }

  private static JsonObject schedule(Object raw, Errors errors) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonObject object)) {
      errors.add("schedule", "must be an object {\"cron\", \"timezone\", \"misfire\"} or null");
      return null;
    }
    String cron = errors.string(object, "cron", 256, "schedule.");
    if (cron == null && errors.ok("schedule.cron")) {
      errors.add("schedule.cron", "is required");
    } else if (cron != null) {
      try {
        Crons.parse(cron);
      } catch (IllegalArgumentException e) {
        errors.add("schedule.cron", "'" + cron + "' is not a valid cron expression: " + e.getMessage());
      }
    }
    String timezone = errors.string(object, "timezone", 64, "schedule.");
    if (timezone == null) {
      timezone = "UTC";
    } else {
      try {
        ZoneId.of(timezone);
      } catch (DateTimeException e) {
        errors.add("schedule.timezone", "'" + timezone + "' is not a time zone; use an IANA name such as Europe/Paris or UTC");
      }
    }
    String misfire = errors.string(object, "misfire", 16, "schedule.");
    if (misfire == null) {
      misfire = "skip";
    } else if (!MISFIRE.contains(misfire)) {
      errors.add("schedule.misfire", "must be one of skip, once, all");
    }
    JsonObject valid = new JsonObject().put("cron", cron == null ? null : cron.trim()).put("timezone", timezone)
        .put("misfire", misfire);
    Object params = object.getValue("params");
    if (params instanceof JsonObject values) {
      if (!values.isEmpty()) {
        valid.put("params", values.copy()); // checked against parameters once those are parsed
      }
    } else if (params != null) {
      errors.add("schedule.params", "must be an object of parameter values");
    }
    return valid;
  }

  private static JsonObject endpoint(Object raw, Errors errors) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonObject object)) {
      errors.add("endpoint", "must be an object {\"method\", \"path\", \"auth\", \"role\", \"rate_limit\","
          + " \"max_concurrent\"} or null");
      return null;
    }
    String method = errors.string(object, "method", 16, "endpoint.");
    if (method == null) {
      method = "POST";
    } else if (!METHODS.contains(method.toUpperCase())) {
      errors.add("endpoint.method", "must be one of GET, POST, PUT, PATCH, DELETE");
    }
    String path = errors.string(object, "path", 200, "endpoint.");
    if (path != null && path.startsWith("/")) {
      path = path.substring(1);
    }
    if (path == null && errors.ok("endpoint.path")) {
      errors.add("endpoint.path", "is required (the script answers /hooks/<path>)");
    } else if (path != null && !ENDPOINT_PATH.matcher(path).matches()) {
      errors.add("endpoint.path", "must be segments of A-Z a-z 0-9 . _ ~ - separated by /");
    } else if (path != null && DOT_SEGMENT.matcher(path).find()) {
      // clients and the router resolve . and .. before routing, so such an endpoint could never be called
      errors.add("endpoint.path", "must not have a . or .. segment (requests resolve them before routing)");
    }
    String auth = errors.string(object, "auth", 16, "endpoint.");
    if (auth == null) {
      auth = "token";
    } else if (!AUTH.contains(auth)) {
      errors.add("endpoint.auth", "must be \"token\" or \"public\"");
    }
    JsonObject valid = new JsonObject().put("method", method.toUpperCase()).put("path", path).put("auth", auth);
    // role, rate_limit and max_concurrent are stored only when given: absent, the server's defaults
    // apply (role operator; the endpoints.* limits of the endpoint's auth), so raising them takes effect
    String role = errors.string(object, "role", 16, "endpoint.");
    if (role != null && !ROLES.contains(role)) {
      errors.add("endpoint.role",
          "must be \"viewer\", \"operator\" or \"admin\" (the least role of a token that may call it)");
    } else if (role != null) {
      valid.put("role", role);
    }
    Long rateLimit = errors.wholeNumber(object, "rate_limit", 1, MAX_ENDPOINT_RATE, "endpoint.", "calls a second");
    if (rateLimit != null) {
      valid.put("rate_limit", rateLimit);
    }
    Long maxConcurrent = errors.wholeNumber(object, "max_concurrent", 1, MAX_ENDPOINT_CONCURRENT, "endpoint.",
        "runs at once");
    if (maxConcurrent != null) {
      valid.put("max_concurrent", maxConcurrent);
    }
    return valid;
  }

  /** The stored script for this definition. */
  public Script toScript(String id, long version, Instant createdAt, Instant updatedAt) {
    return new Script(id, name, kind, command, program, timeoutSeconds, env, cwd, enabled, schedule, endpoint,
        concurrency, limits, version, createdAt, updatedAt, retention, parameters, automation);
  }

  /** The same definition with another env (see {@link SecretEnv#keepMasked}). */
  public ScriptSpec withEnv(Map<String, String> otherEnv) {
    return new ScriptSpec(name, kind, command, program, timeoutSeconds, otherEnv, cwd, enabled, schedule, endpoint,
        concurrency, limits, retention, parameters, automation);
  }

  /**
   * This definition as an update of {@code previous}: secret env values and secret
   * {@code schedule.params} values and notify secrets sent back as {@code "***"} keep what
   * {@code previous} had.
   */
  public ScriptSpec keepingSecrets(Script previous) {
    JsonObject kept = schedule;
    JsonObject before = previous.schedule();
    if (kept != null && kept.getValue("params") instanceof JsonObject params && before != null
        && before.getValue("params") instanceof JsonObject old) {
      kept = kept.copy();
      JsonObject merged = params.copy();
      for (String name : ParameterSchema.secretNames(parameters)) {
        if (SecretEnv.MASK.equals(merged.getValue(name)) && old.getValue(name) != null) {
          merged.put(name, old.getValue(name));
        }
      }
      kept.put("params", merged);
    }
    return new ScriptSpec(name, kind, command, program, timeoutSeconds, SecretEnv.keepMasked(env, previous.env()),
        cwd, enabled, kept, endpoint, concurrency, limits, retention, parameters,
        automation.keepMasked(previous.automation()));
  }

  /** The definition in its API JSON form (what the bus carries to the scripts verticle). */
  public JsonObject toJson() {
    JsonObject envJson = SecretEnv.toInputJson(env);
    return new JsonObject().put("name", name).put("kind", kind).put("command", command).put("program", program)
        .put("timeout", timeoutSeconds).put("env", envJson).put("cwd", cwd).put("enabled", enabled)
        .put("schedule", schedule).put("endpoint", endpoint).put("concurrency", concurrency)
        .put("limits", limits.toJson()).put("retention", retention).put("parameters", parameters)
        .put("then", automation.then()).put("retry", automation.retry()).put("notify", automation.notifications());
  }

  private static final class Errors {
    final JsonArray list = new JsonArray();

    void add(String field, String message) {
      list.add(new JsonObject().put("field", field).put("message", message));
    }

    /** True when the field has no error yet. */
    boolean ok(String field) {
      for (int i = 0; i < list.size(); i++) {
        if (field.equals(list.getJsonObject(i).getString("field"))) {
          return false;
        }
      }
      return true;
    }

    /** A whole number in min..max, or null when absent (an error is added when it is not one). */
    Long wholeNumber(JsonObject body, String field, long min, long max, String prefix, String unit) {
      Object value = body.getValue(field);
      if (value == null) {
        return null;
      }
      if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())
          && number.doubleValue() >= min && number.doubleValue() <= max) {
        return number.longValue();
      }
      add(prefix + field, "must be a whole number of " + unit + " " + min + ".." + max);
      return null;
    }

    String string(JsonObject body, String field, int maxLength) {
      return string(body, field, maxLength, "");
    }

    String string(JsonObject body, String field, int maxLength, String prefix) {
      Object value = body.getValue(field);
      if (value == null) {
        return null;
      }
      if (!(value instanceof String text)) {
        add(prefix + field, "must be a string");
        return null;
      }
      if (text.length() > maxLength) {
        add(prefix + field, "must be at most " + maxLength + " characters");
        return null;
      }
      return text;
    }
  }
}
