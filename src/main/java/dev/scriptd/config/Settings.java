package dev.scriptd.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Typed, range-checked reads from a config section, naming the full key in every error. */
final class Settings {
  private final JsonObject json;
  private final String prefix;

  Settings(JsonObject json, String prefix) {
    this.json = json == null ? new JsonObject() : json;
    this.prefix = prefix;
  }

  Settings section(String name) {
    Object value = json.getValue(name);
    if (value != null && !(value instanceof JsonObject)) {
      throw new ConfigException(key(name) + " must be an object");
    }
    return new Settings((JsonObject) value, key(name) + ".");
  }

  long longValue(String name, long defaultValue, long min, long max) {
    Object value = json.getValue(name);
    long result;
    if (value == null) {
      result = defaultValue;
    } else if (value instanceof Number number) {
      result = number.longValue();
    } else if (value instanceof String text) {
      try {
        result = Long.parseLong(text.trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(key(name) + " must be a whole number, got '" + text + "'");
      }
    } else {
      throw new ConfigException(key(name) + " must be a whole number");
    }
    if (result < min || result > max) {
      throw new ConfigException(key(name) + " must be " + min + ".." + max + ", got " + result);
    }
    return result;
  }

  int intValue(String name, int defaultValue, int min, int max) {
    return (int) longValue(name, defaultValue, min, max);
  }

  String string(String name, String defaultValue) {
    Object value = json.getValue(name);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof String) && !(value instanceof Number)) {
      throw new ConfigException(key(name) + " must be a string");
    }
    String text = value.toString().trim();
    return text.isEmpty() ? defaultValue : text;
  }

  /** A JSON array of strings, each matching {@code entry} (described by {@code what} in errors). */
  List<String> strings(String name, List<String> defaultValue, Pattern entry, String what) {
    Object value = json.getValue(name);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof JsonArray array)) {
      throw new ConfigException(key(name) + " must be a JSON array of strings");
    }
    List<String> result = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String text) || !entry.matcher(text).matches()) {
        throw new ConfigException(key(name) + " entries must each be " + what + ", got '" + item + "'");
      }
      result.add(text);
    }
    return List.copyOf(result);
  }

  boolean bool(String name, boolean defaultValue) {
    Object value = json.getValue(name);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Boolean flag) {
      return flag;
    }
    if (value instanceof String text && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(text);
    }
    throw new ConfigException(key(name) + " must be true or false");
  }

  private String key(String name) {
    return prefix + name;
  }
}
