package dev.scriptd.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * What follows a script's run when it ends: {@code then} (chain entries {on, script, params}),
 * {@code retry} ({max_attempts, delay_ms, backoff, max_delay_ms, on}) and {@code notify} (webhook
 * entries {on, url, format, secret, headers}). Held as validated, normalised JSON (defaults filled
 * in), copied in and out. A {@code notify} secret is write-only: {@link #toApiJson} shows it as
 * {@link SecretEnv#MASK} and {@link #keepMasked} keeps the stored one when the mask is sent back.
 * The server's {@code notify.default} entries follow the same rules ({@link #notifyEntries}).
 */
public record ScriptAutomation(JsonArray then, JsonObject retry, JsonArray notifications) {
  public static final ScriptAutomation NONE = new ScriptAutomation(null, null, null);
  public static final int MAX_ENTRIES = 10;
  public static final int MAX_ATTEMPTS = 100;
  public static final long MAX_DELAY_MS = 7L * 24 * 3600 * 1000;
  static final List<String> THEN_DEFAULT_ON = List.of("completed");
  static final List<String> RETRY_DEFAULT_ON = List.of("failed", "timed_out");
  static final List<String> NOTIFY_DEFAULT_ON = List.of("failed", "timed_out", "lost");
  private static final Set<String> FINAL = Set.of("completed", "failed", "killed", "timed_out", "lost");
  private static final Set<String> FORMATS = Set.of("json", "slack");
  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}");
  /** Headers scriptd sets itself: an entry cannot replace them. */
  private static final Set<String> RESERVED_HEADERS = Set.of("content-type", "content-length", "host",
      "transfer-encoding", "connection", "x-scriptd-event", "x-scriptd-delivery", "x-scriptd-signature");

  public ScriptAutomation {
    then = then == null || then.isEmpty() ? null : then.copy();
    retry = retry == null ? null : retry.copy();
    notifications = notifications == null || notifications.isEmpty() ? null : notifications.copy();
  }

  @Override
  public JsonArray then() {
    return then == null ? null : then.copy();
  }

  @Override
  public JsonObject retry() {
    return retry == null ? null : retry.copy();
  }

  /** The {@code notify} entries (secrets included), or null. */
  @Override
  public JsonArray notifications() {
    return notifications == null ? null : notifications.copy();
  }

  /**
   * Reads {@code then}, {@code retry} and {@code notify} of a definition; each problem goes to
   * {@code errors} as (field, message), e.g. ("retry.max_attempts", "must be ...").
   */
  public static ScriptAutomation parse(JsonObject definition, BiConsumer<String, String> errors) {
    return new ScriptAutomation(thenEntries(definition.getValue("then"), errors),
        retry(definition.getValue("retry"), errors), notifyEntries(definition.getValue("notify"), "notify", errors));
  }

  /** The script names (or ids) the {@code then} entries start. */
  public List<String> chainedScripts() {
    if (then == null) {
      return List.of();
    }
    return then.stream().map(entry -> ((JsonObject) entry).getString("script")).toList();
  }

  static JsonArray thenEntries(Object raw, BiConsumer<String, String> errors) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonArray list)) {
      errors.accept("then", "must be a list of {\"on\", \"script\", \"params\"} or null");
      return null;
    }
    if (list.size() > MAX_ENTRIES) {
      errors.accept("then", "must have at most " + MAX_ENTRIES + " entries");
      return null;
    }
    JsonArray valid = new JsonArray();
    for (int i = 0; i < list.size(); i++) {
      String field = "then[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        errors.accept(field, "must be an object {\"on\", \"script\", \"params\"}");
        continue;
      }
      unknown(entry, field, Set.of("on", "script", "params"), errors);
      Object script = entry.getValue("script");
      if (!(script instanceof String name) || name.isBlank() || name.length() > 128) {
        errors.accept(field + ".script", "is required: the name or id of the script to start");
        continue;
      }
      Object params = entry.getValue("params");
      if (params != null && !(params instanceof JsonObject)) {
        errors.accept(field + ".params", "must be an object of parameter values");
        continue;
      }
      JsonArray on = statuses(entry.getValue("on"), THEN_DEFAULT_ON, field + ".on", FINAL, errors);
      valid.add(new JsonObject().put("on", on).put("script", name)
          .put("params", params == null ? new JsonObject() : ((JsonObject) params).copy()));
    }
    return valid;
  }

  static JsonObject retry(Object raw, BiConsumer<String, String> errors) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonObject object)) {
      errors.accept("retry", "must be an object {\"max_attempts\", \"delay_ms\", \"backoff\", \"max_delay_ms\", \"on\"}"
          + " or null");
      return null;
    }
    unknown(object, "retry", Set.of("max_attempts", "delay_ms", "backoff", "max_delay_ms", "on"), errors);
    long attempts = whole(object, "max_attempts", 3, 1, MAX_ATTEMPTS, "retry.", errors);
    long delay = whole(object, "delay_ms", 1000, 0, MAX_DELAY_MS, "retry.", errors);
    long maxDelay = whole(object, "max_delay_ms", 300_000, 0, MAX_DELAY_MS, "retry.", errors);
    double backoff = 2.0;
    Object rawBackoff = object.getValue("backoff");
    if (rawBackoff != null) {
      if (rawBackoff instanceof Number number && number.doubleValue() >= 1.0 && number.doubleValue() <= 10.0) {
        backoff = number.doubleValue();
      } else {
        errors.accept("retry.backoff", "must be a number 1.0..10.0 (the factor of each next delay)");
      }
    }
    Set<String> retriable = Set.of("completed", "failed", "timed_out", "lost");
    JsonArray on = statuses(object.getValue("on"), RETRY_DEFAULT_ON, "retry.on", retriable, errors);
    return new JsonObject().put("max_attempts", attempts).put("delay_ms", delay).put("backoff", backoff)
        .put("max_delay_ms", maxDelay).put("on", on);
  }

  /** {@code notify} entries (a script's, or the server's {@code notify.default} with {@code prefix} "notify.default"). */
  public static JsonArray notifyEntries(Object raw, String prefix, BiConsumer<String, String> errors) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonArray list)) {
      errors.accept(prefix, "must be a list of {\"on\", \"url\", \"format\", \"secret\", \"headers\"} or null");
      return null;
    }
    if (list.size() > MAX_ENTRIES) {
      errors.accept(prefix, "must have at most " + MAX_ENTRIES + " entries");
      return null;
    }
    JsonArray valid = new JsonArray();
    for (int i = 0; i < list.size(); i++) {
      String field = prefix + "[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        errors.accept(field, "must be an object {\"on\", \"url\", \"format\", \"secret\", \"headers\"}");
        continue;
      }
      unknown(entry, field, Set.of("on", "url", "format", "secret", "headers"), errors);
      Object url = entry.getValue("url");
      if (!(url instanceof String text) || !httpUrl(text)) {
        errors.accept(field + ".url", "is required: an absolute http:// or https:// URL of at most 2048 characters");
        continue;
      }
      Object format = entry.getValue("format");
      if (format != null && !(format instanceof String name && FORMATS.contains(name))) {
        errors.accept(field + ".format", "must be \"json\" or \"slack\"");
        continue;
      }
      Object secret = entry.getValue("secret");
      if (secret != null && !(secret instanceof String value && !value.isEmpty() && value.length() <= 1024)) {
        errors.accept(field + ".secret", "must be a non-empty string of at most 1024 characters");
        continue;
      }
      JsonObject headers = headers(entry.getValue("headers"), field + ".headers", errors);
      JsonArray on = statuses(entry.getValue("on"), NOTIFY_DEFAULT_ON, field + ".on", FINAL, errors);
      JsonObject normal = new JsonObject().put("on", on).put("url", text).put("format", format == null ? "json" : format);
      if (secret != null) {
        normal.put("secret", secret);
      }
      valid.add(normal.put("headers", headers));
    }
    return valid;
  }

  /** The definition as the API shows it: every notify secret as "***". */
  public JsonObject toApiJson() {
    return new JsonObject().put("then", then()).put("retry", retry()).put("notify", masked(notifications));
  }

  /** The definition as an input (export, the bus): as {@link #toApiJson}. */
  static JsonArray masked(JsonArray entries) {
    if (entries == null) {
      return null;
    }
    JsonArray shown = entries.copy();
    for (Object entry : shown) {
      JsonObject object = (JsonObject) entry;
      if (object.getValue("secret") != null) {
        object.put("secret", SecretEnv.MASK);
      }
    }
    return shown;
  }

  /**
   * This definition with each notify secret sent as "***" replaced by the stored one of
   * {@code previous}: the entry with the same url, else the one at the same position. A mask
   * with no stored secret to keep leaves the entry without a secret.
   */
  public ScriptAutomation keepMasked(ScriptAutomation previous) {
    if (notifications == null) {
      return this;
    }
    JsonArray old = previous == null || previous.notifications == null ? new JsonArray() : previous.notifications;
    JsonArray kept = notifications.copy();
    for (int i = 0; i < kept.size(); i++) {
      JsonObject entry = kept.getJsonObject(i);
      if (!SecretEnv.MASK.equals(entry.getValue("secret"))) {
        continue;
      }
      String stored = null;
      for (int j = 0; j < old.size() && stored == null; j++) {
        JsonObject candidate = old.getJsonObject(j);
        if (candidate.getString("url").equals(entry.getString("url"))) {
          stored = candidate.getString("secret");
        }
      }
      if (stored == null && i < old.size()) {
        stored = old.getJsonObject(i).getString("secret");
      }
      if (stored == null) {
        entry.remove("secret");
      } else {
        entry.put("secret", stored);
      }
    }
    return new ScriptAutomation(then, retry, kept);
  }

  /** The delay before attempt {@code nextAttempt} (2 = the first retry): delay × backoff^(n-2), capped. */
  public static long retryDelayMs(JsonObject retry, int nextAttempt) {
    double delay = retry.getLong("delay_ms") * Math.pow(retry.getDouble("backoff"), Math.max(0, nextAttempt - 2));
    long cap = retry.getLong("max_delay_ms");
    return delay >= cap ? cap : (long) delay;
  }

  /** True when {@code status} is listed in {@code entry}'s "on". */
  public static boolean listed(JsonObject entry, RunStatus status) {
    JsonArray on = entry.getJsonArray("on");
    return on != null && on.contains(status.wire());
  }

  private static boolean httpUrl(String text) {
    if (text.length() > 2048) {
      return false;
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static JsonObject headers(Object raw, String field, BiConsumer<String, String> errors) {
    JsonObject valid = new JsonObject();
    if (raw == null) {
      return valid;
    }
    if (!(raw instanceof JsonObject object) || object.size() > 32) {
      errors.accept(field, "must be an object of at most 32 header names and string values");
      return valid;
    }
    for (String name : object.fieldNames()) {
      Object value = object.getValue(name);
      if (!HEADER_NAME.matcher(name).matches() || RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        errors.accept(field + "." + name, "is not a header name an entry may set (scriptd sets Content-Type and"
            + " the X-Scriptd-* headers itself)");
      } else if (!(value instanceof String text) || text.length() > 4096 || text.indexOf('\r') >= 0
          || text.indexOf('\n') >= 0) {
        errors.accept(field + "." + name, "must be a string of at most 4096 characters on one line");
      } else {
        valid.put(name, text);
      }
    }
    return valid;
  }

  private static JsonArray statuses(Object raw, List<String> fallback, String field, Set<String> allowed,
      BiConsumer<String, String> errors) {
    if (raw == null) {
      return new JsonArray(fallback);
    }
    if (!(raw instanceof JsonArray list) || list.isEmpty()) {
      errors.accept(field, "must be a non-empty list of final statuses (" + String.join(", ", sorted(allowed)) + ")");
      return new JsonArray(fallback);
    }
    JsonArray valid = new JsonArray();
    for (Object status : list) {
      if (!(status instanceof String name) || !allowed.contains(name)) {
        errors.accept(field, "'" + status + "' is not one of " + String.join(", ", sorted(allowed))
            + (allowed.contains("killed") ? "" : " (killed runs are never retried)"));
      } else if (!valid.contains(name)) {
        valid.add(name);
      }
    }
    return valid;
  }

  private static List<String> sorted(Set<String> values) {
    return values.stream().sorted().toList();
  }

  private static long whole(JsonObject object, String name, long fallback, long min, long max, String prefix,
      BiConsumer<String, String> errors) {
    Object value = object.getValue(name);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())
        && number.doubleValue() >= min && number.doubleValue() <= max) {
      return number.longValue();
    }
    errors.accept(prefix + name, "must be a whole number " + min + ".." + max);
    return fallback;
  }

  private static void unknown(JsonObject object, String field, Set<String> known, BiConsumer<String, String> errors) {
    for (String name : object.fieldNames()) {
      if (!known.contains(name)) {
        errors.accept(field + "." + name, "is not a field of " + field.replaceAll("\\[\\d+]$", "") + " ("
            + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }
}
