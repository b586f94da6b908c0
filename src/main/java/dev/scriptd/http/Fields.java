package dev.scriptd.http;

import dev.scriptd.domain.Times;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads typed fields from a JSON request body or from query parameters, collecting every problem
 * so one 400 response lists them all. Call {@link #check()} after reading.
 */
final class Fields {
  private final JsonArray errors = new JsonArray();

  void error(String field, String message) {
    errors.add(new JsonObject().put("field", field).put("message", message));
  }

  /** Throws the 400 with every collected error, if any. */
  void check() {
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
  }

  String requiredString(JsonObject body, String field, int maxLength) {
    String value = optionalString(body, field, maxLength);
    if (value == null && !body.containsKey(field)) {
      error(field, "is required");
    } else if (value != null && value.isBlank()) {
      error(field, "must not be blank");
    }
    return value;
  }

  String optionalString(JsonObject body, String field, int maxLength) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      error(field, "must be a string");
      return null;
    }
    if (text.length() > maxLength) {
      error(field, "must be at most " + maxLength + " characters");
      return null;
    }
    return text;
  }

  Boolean optionalBoolean(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof Boolean)) {
      error(field, "must be true or false");
      return null;
    }
    return (Boolean) value;
  }

  Long optionalLong(JsonObject body, String field, long min, long max) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
      error(field, "must be a whole number " + min + ".." + max);
      return null;
    }
    long result = number.longValue();
    if (result < min || result > max) {
      error(field, "must be " + min + ".." + max);
      return null;
    }
    return result;
  }

  /** An object whose values are all strings, e.g. {@code env}. */
  Map<String, String> optionalStringMap(JsonObject body, String field, int maxEntries) {
    Object value = body.getValue(field);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject object)) {
      error(field, "must be an object of string values");
      return Map.of();
    }
    if (object.size() > maxEntries) {
      error(field, "must have at most " + maxEntries + " entries");
      return Map.of();
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : object) {
      if (!entry.getKey().matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
        error(field + "." + entry.getKey(), "is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
      } else if (entry.getValue() instanceof String text) {
        result.put(entry.getKey(), text);
      } else if (entry.getValue() instanceof Number || entry.getValue() instanceof Boolean) {
        result.put(entry.getKey(), entry.getValue().toString());
      } else {
        error(field + "." + entry.getKey(), "must be a string");
      }
    }
    return result;
  }

  /**
   * An {@code env} object: each value a string (numbers and booleans are turned into strings) or
   * {@code {"value": "...", "secret": true|false}}. Returned in the same JSON form, checked, for
   * {@code scriptd.runs.cmd.start}.
   */
  JsonObject optionalEnv(JsonObject body, String field, int maxEntries) {
    Object value = body.getValue(field);
    JsonObject result = new JsonObject();
    if (value == null) {
      return result;
    }
    if (!(value instanceof JsonObject object)) {
      error(field, "must be an object of string values (or {\"value\": \"...\", \"secret\": true})");
      return result;
    }
    if (object.size() > maxEntries) {
      error(field, "must have at most " + maxEntries + " entries");
      return result;
    }
    for (Map.Entry<String, Object> entry : object) {
      String name = field + "." + entry.getKey();
      Object item = entry.getValue();
      if (!entry.getKey().matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
        error(name, "is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
      } else if (item instanceof String || item instanceof Number || item instanceof Boolean) {
        String text = item.toString();
        if (text.length() > 65_536 || text.indexOf('\0') >= 0) {
          error(name, "must be at most 65536 characters, without NUL");
        } else {
          result.put(entry.getKey(), text);
        }
      } else if (item instanceof JsonObject marked && marked.getValue("value") instanceof String text
          && (marked.getValue("secret") == null || marked.getValue("secret") instanceof Boolean)) {
        if (text.length() > 65_536 || text.indexOf('\0') >= 0) {
          error(name + ".value", "must be at most 65536 characters, without NUL");
        } else {
          result.put(entry.getKey(), new JsonObject().put("value", text)
              .put("secret", marked.getBoolean("secret", false)));
        }
      } else {
        error(name, "must be a string or {\"value\": \"...\", \"secret\": true}");
      }
    }
    return result;
  }

  /** A query parameter as a bounded integer, or the default when absent. */
  long queryLong(String name, String raw, long defaultValue, long min, long max) {
    if (raw == null || raw.isEmpty()) {
      return defaultValue;
    }
    try {
      long value = Long.parseLong(raw.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    error(name, "must be a whole number " + min + ".." + max);
    return defaultValue;
  }

  /** A query parameter as an ISO-8601 time, or null when absent. */
  Instant queryInstant(String name, String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return Times.parse(raw);
    } catch (DateTimeParseException e) {
      error(name, "must be an ISO-8601 time such as 2026-11-22T10:30:00.000Z");
      return null;
    }
  }
}
