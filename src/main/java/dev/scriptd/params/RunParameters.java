package dev.scriptd.params;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A run's parameter values: what a caller supplied, checked against the script's {@code parameters}
 * (see {@link ParameterSchema}), then the defaults. Every trigger goes through {@link #resolve}: the
 * API and the UI ({@code params} of /run), cron ({@code schedule.params}), endpoints (after
 * {@link #fromRequest} turned the query string and body into values) and chains. Pure: no I/O.
 */
public final class RunParameters {
  /** The cap on a run's values as JSON text: they travel in the environment of a shell run. */
  public static final int MAX_BYTES = 65_536;
  public static final String ENV_PREFIX = "SCRIPTD_PARAM_";
  public static final String ENV_ALL = "SCRIPTD_PARAMS";
  public static final String MASK = "***";
  /** How the run owner's refusal of a start's values begins (its detail; the HTTP edge lists them in errors[]). */
  public static final String INVALID = "the run's parameters are invalid: ";

  /**
   * Either the values after defaults ({@code errors} empty) or one {field, message} item per bad
   * value, {@code field} = {@code params.<name>} ({@code values} then null).
   */
  public record Result(JsonObject values, JsonArray errors) {
    public boolean valid() {
      return errors.isEmpty();
    }

    /** The errors as one sentence (for answers that cannot carry a list, such as a bus failure). */
    public String describe() {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < errors.size(); i++) {
        JsonObject error = errors.getJsonObject(i);
        text.append(i == 0 ? "" : "; ").append(error.getString("field")).append(' ').append(error.getString("message"));
      }
      return text.toString();
    }
  }

  private RunParameters() {
  }

  /**
   * {@code supplied} (null: none; a null value counts as absent) checked against {@code schema} (a
   * script's saved {@code parameters}, null: it declares none), then the defaults. A name the schema
   * does not declare is an error, as is a missing required value.
   */
  public static Result resolve(JsonObject schema, JsonObject supplied) {
    JsonObject properties = ParameterSchema.properties(schema);
    JsonArray errors = new JsonArray();
    JsonObject values = new JsonObject();
    if (supplied != null) {
      for (String name : supplied.fieldNames()) {
        if (!properties.containsKey(name) && supplied.getValue(name) != null) {
          error(errors, name, properties.isEmpty() ? "is not a parameter: this script declares none"
              : "is not a parameter of this script (it declares " + String.join(", ", properties.fieldNames()) + ")");
        }
      }
    }
    Set<String> required = required(schema);
    for (String name : properties.fieldNames()) {
      JsonObject property = properties.getJsonObject(name);
      Object value = supplied == null ? null : supplied.getValue(name);
      if (value == null) {
        value = property.getValue("default");
      }
      if (value == null) {
        if (required.contains(name)) {
          error(errors, name, "is required");
        }
        continue;
      }
      String problem = ParameterSchema.problem(property, value);
      if (problem == null && containsNul(value)) {
        problem = "must not contain a NUL character";
      }
      if (problem == null && !fitsLong(property, value)) {
        problem = "must be a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
      }
      if (problem != null) {
        error(errors, name, problem);
      } else {
        values.put(name, normalized(property, value));
      }
    }
    if (errors.isEmpty() && values.encode().getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      errors.add(new JsonObject().put("field", "params").put("message", "must be at most " + MAX_BYTES
          + " bytes as JSON"));
    }
    return errors.isEmpty() ? new Result(values, errors) : new Result(null, errors);
  }

  /**
   * An endpoint call's values, resolved: the query string's values of declared names (text,
   * converted to the declared type; a repeated name or a JSON list text gives an array), overridden
   * by the same names' top-level fields of a JSON object body. Other names are not parameters there
   * and are ignored.
   */
  public static Result fromRequest(JsonObject schema, Map<String, List<String>> query, Object body) {
    JsonObject properties = ParameterSchema.properties(schema);
    JsonArray errors = new JsonArray();
    JsonObject supplied = new JsonObject();
    for (String name : properties.fieldNames()) {
      List<String> texts = query == null ? null : query.get(name);
      if (texts != null && !texts.isEmpty()) {
        try {
          supplied.put(name, fromText(properties.getJsonObject(name), texts));
        } catch (IllegalArgumentException e) {
          boolean secret = Boolean.TRUE.equals(properties.getJsonObject(name).getValue(ParameterSchema.SECRET));
          // a secret value is never repeated in an answer
          error(errors, name, secret ? e.getMessage().replaceFirst(" \\(got '.*'\\)$", "") : e.getMessage());
        }
      }
      if (body instanceof JsonObject object && object.getValue(name) != null) {
        supplied.put(name, object.getValue(name));
        errors = withoutField(errors, "params." + name);
      }
    }
    Result resolved = resolve(schema, supplied);
    if (errors.isEmpty()) {
      return resolved;
    }
    for (int i = 0; i < resolved.errors().size(); i++) {
      JsonObject error = resolved.errors().getJsonObject(i);
      if (!withoutField(errors, error.getString("field")).equals(errors)) {
        continue; // one item per bad value
      }
      errors.add(error);
    }
    return new Result(null, errors);
  }

  /**
   * What a shell run sees: {@code SCRIPTD_PARAM_<NAME>} (upper-cased) per value (strings as they
   * are, lists and objects as JSON text) and {@code SCRIPTD_PARAMS}, all of them as JSON.
   */
  public static Map<String, String> environment(JsonObject values) {
    Map<String, String> env = new LinkedHashMap<>();
    if (values == null) {
      return env;
    }
    for (String name : values.fieldNames()) {
      env.put(variable(name), text(values.getValue(name)));
    }
    env.put(ENV_ALL, values.encode());
    return env;
  }

  /** The variable of one parameter. */
  public static String variable(String name) {
    return ENV_PREFIX + name.toUpperCase(Locale.ROOT);
  }

  /** A value as a shell run reads it. */
  public static String text(Object value) {
    return value instanceof String string ? string : Json.encode(value);
  }

  /** {@code values} with the secret ones as {@link #MASK}: what every answer, event and export shows. */
  public static JsonObject masked(JsonObject values, Set<String> secretNames) {
    JsonObject shown = new JsonObject();
    if (values == null) {
      return shown;
    }
    values.forEach(entry -> shown.put(entry.getKey(), secretNames.contains(entry.getKey()) ? MASK : entry.getValue()));
    return shown;
  }

  private static Object fromText(JsonObject property, List<String> texts) {
    if ("array".equals(property.getValue("type"))) {
      JsonObject items = property.getValue("items") instanceof JsonObject given ? given : new JsonObject();
      if (texts.size() == 1 && texts.get(0).trim().startsWith("[")) {
        try {
          return new JsonArray(texts.get(0));
        } catch (DecodeException e) {
          throw new IllegalArgumentException("must be a list: repeat the name in the query, or send JSON text [...]");
        }
      }
      JsonArray list = new JsonArray();
      for (String text : texts) {
        list.add(scalar(items, text));
      }
      return list;
    }
    return scalar(property, texts.get(texts.size() - 1));
  }

  private static Object scalar(JsonObject schema, String text) {
    String type = String.valueOf(schema.getValue("type"));
    try {
      return switch (type) {
        case "integer" -> new BigDecimal(text.trim()).longValueExact();
        case "number" -> new BigDecimal(text.trim()).doubleValue();
        case "boolean" -> switch (text.trim().toLowerCase(Locale.ROOT)) {
          case "true" -> Boolean.TRUE;
          case "false" -> Boolean.FALSE;
          default -> throw new IllegalArgumentException("must be true or false (got '" + text + "')");
        };
        default -> text;
      };
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("must be " + ("integer".equals(type) ? "a whole number" : "a number")
          + " (got '" + text + "')");
    }
  }

  /** Whole numbers of an integer property as longs (2.0 is 2), so SCRIPTD_PARAM_ reads "2". */
  private static Object normalized(JsonObject property, Object value) {
    if ("integer".equals(property.getValue("type")) && value instanceof Number number) {
      return number.longValue();
    }
    if (value instanceof JsonArray list && property.getValue("items") instanceof JsonObject items
        && "integer".equals(items.getValue("type"))) {
      JsonArray whole = new JsonArray();
      list.forEach(item -> whole.add(item instanceof Number number ? number.longValue() : item));
      return whole;
    }
    return value;
  }

  /** An integer property's value (or items) within a long, which is how runs get it. */
  private static boolean fitsLong(JsonObject property, Object value) {
    boolean integer = "integer".equals(property.getValue("type"));
    if (value instanceof JsonArray list && property.getValue("items") instanceof JsonObject items) {
      for (Object item : list) {
        if (!fitsLong(items, item)) {
          return false;
        }
      }
      return true;
    }
    if (!integer || !(value instanceof Number number) || value instanceof Integer || value instanceof Long) {
      return true;
    }
    try {
      new BigDecimal(number.toString()).longValueExact();
      return true;
    } catch (ArithmeticException | NumberFormatException e) {
      return false;
    }
  }

  private static boolean containsNul(Object value) {
    if (value instanceof String text) {
      return text.indexOf('\0') >= 0;
    }
    if (value instanceof JsonArray list) {
      for (Object item : list) {
        if (containsNul(item)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Set<String> required(JsonObject schema) {
    Set<String> names = new java.util.HashSet<>();
    if (schema != null && schema.getValue("required") instanceof JsonArray list) {
      list.forEach(name -> names.add(String.valueOf(name)));
    }
    return names;
  }

  private static JsonArray withoutField(JsonArray errors, String field) {
    JsonArray kept = new JsonArray();
    for (int i = 0; i < errors.size(); i++) {
      if (!field.equals(errors.getJsonObject(i).getString("field"))) {
        kept.add(errors.getJsonObject(i));
      }
    }
    return kept;
  }

  private static void error(JsonArray errors, String name, String message) {
    errors.add(new JsonObject().put("field", "params." + name).put("message", message));
  }
}
