package dev.scriptd.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Environment variables marked secret ({@code {"value": "...", "secret": true}} in the API). A run
 * keeps one flat {@code Map<String, String>} of values; the names of its secret ones ride along
 * under the reserved key {@link #NAMES_KEY}, which is no valid variable name, is never passed to the
 * process, and survives storage, so a restarted run redacts the same values. Secret values are never
 * returned by the API and are replaced by {@link #MASK} in every log line.
 */
public final class SecretEnv {
  public static final String NAMES_KEY = "#secret";
  public static final String MASK = "***";

  private SecretEnv() {
  }

  /** {@code values} plus the marker naming the secret ones (no marker when there are none). */
  public static Map<String, String> mark(Map<String, String> values, Set<String> secretNames) {
    Map<String, String> env = new LinkedHashMap<>(values);
    env.remove(NAMES_KEY);
    if (!secretNames.isEmpty()) {
      env.put(NAMES_KEY, new JsonArray(new ArrayList<>(secretNames)).encode());
    }
    return env;
  }

  /**
   * An env in its input form (a run start on the bus): values are strings, or {@code {"value":
   * "...", "secret": true|false}}; the internal form's {@link #NAMES_KEY} entry (a script's stored
   * env) is taken as the names of the secret values. The result carries the secret names under
   * {@link #NAMES_KEY}, see {@link #mark}.
   *
   * @throws IllegalArgumentException naming the first bad entry
   */
  public static Map<String, String> fromInput(Object raw) {
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof JsonObject object)) {
      throw new IllegalArgumentException("env must be an object of strings");
    }
    Map<String, String> env = new HashMap<>();
    Set<String> secret = new LinkedHashSet<>();
    for (Map.Entry<String, Object> entry : object) {
      String name = entry.getKey();
      if (name.equals(NAMES_KEY) && entry.getValue() instanceof String names) {
        secret.addAll(secretNames(Map.of(NAMES_KEY, names)));
        continue;
      }
      if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0 || name.startsWith("#")) {
        throw new IllegalArgumentException("env name '" + name + "' is not a valid variable name");
      }
      Object value = entry.getValue();
      if (value instanceof JsonObject marked) {
        if (!(marked.getValue("value") instanceof String)
            || (marked.getValue("secret") != null && !(marked.getValue("secret") instanceof Boolean))) {
          throw new IllegalArgumentException("env." + name + " must be a string or {\"value\": \"...\", \"secret\": true}");
        }
        if (marked.getBoolean("secret", false)) {
          secret.add(name);
        }
        value = marked.getString("value");
      }
      if (!(value instanceof String text) || text.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("env." + name + " must be a string");
      }
      env.put(name, text);
    }
    return mark(env, secret);
  }

  public static Set<String> secretNames(Map<String, String> env) {
    String names = env.get(NAMES_KEY);
    Set<String> result = new LinkedHashSet<>();
    if (names != null) {
      try {
        new JsonArray(names).forEach(name -> result.add(String.valueOf(name)));
      } catch (RuntimeException malformed) {
        // a hand-edited row: treat every value as secret rather than leak one
        result.addAll(env.keySet());
        result.remove(NAMES_KEY);
      }
    }
    return result;
  }

  /** The non-empty secret values, longest first (so a value containing another is masked whole). */
  public static List<String> secretValues(Map<String, String> env) {
    List<String> values = new ArrayList<>();
    for (String name : secretNames(env)) {
      String value = env.get(name);
      if (value != null && !value.isEmpty() && !values.contains(value)) {
        values.add(value);
      }
    }
    values.sort(Comparator.comparingInt(String::length).reversed());
    return values;
  }

  /** What the process gets: every variable but the marker. */
  public static Map<String, String> processEnv(Map<String, String> env) {
    if (!env.containsKey(NAMES_KEY)) {
      return env;
    }
    Map<String, String> result = new LinkedHashMap<>(env);
    result.remove(NAMES_KEY);
    return result;
  }

  /** The API form: plain values as strings, secret ones as {@code {"secret": true, "value": "***"}}. */
  public static JsonObject toApiJson(Map<String, String> env) {
    Set<String> secret = secretNames(env);
    JsonObject json = new JsonObject();
    processEnv(env).forEach((name, value) -> json.put(name, secret.contains(name)
        ? new JsonObject().put("secret", true).put("value", MASK) : value));
    return json;
  }

  /**
   * The input form with the real values (for internal hops that parse it again): secret ones as
   * {@code {"value": "...", "secret": true}}. Never send this to a client.
   */
  public static JsonObject toInputJson(Map<String, String> env) {
    Set<String> secret = secretNames(env);
    JsonObject json = new JsonObject();
    processEnv(env).forEach((name, value) -> json.put(name, secret.contains(name)
        ? new JsonObject().put("value", value).put("secret", true) : value));
    return json;
  }

  /**
   * A definition sent back as the API showed it carries {@link #MASK} for its secrets: those keep
   * the value they had in {@code previous} when the name was secret there too.
   */
  public static Map<String, String> keepMasked(Map<String, String> updated, Map<String, String> previous) {
    Set<String> secret = secretNames(updated);
    Set<String> wasSecret = secretNames(previous);
    Map<String, String> result = new LinkedHashMap<>(updated);
    for (String name : secret) {
      if (MASK.equals(updated.get(name)) && wasSecret.contains(name) && previous.containsKey(name)) {
        result.put(name, previous.get(name));
      }
    }
    return result;
  }

  /** {@code text} with every occurrence of every secret value replaced by {@link #MASK}. */
  public static String redact(String text, List<String> secrets) {
    String result = text;
    for (String secret : secrets) {
      if (result.contains(secret)) {
        result = result.replace(secret, MASK);
      }
    }
    return result;
  }
}
