package dev.scriptd.params;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules of a script's {@code parameters}: a JSON Schema (draft 2020-12) of {@code "type":
 * "object"} whose {@code properties} are the parameters, limited to a subset every trigger and the
 * run form understand. {@link #check} lists what a saved schema breaks; {@link #problem} says why a
 * value does not satisfy its property (vertx-json-schema decides, this class words the answer).
 */
public final class ParameterSchema {
  /** A parameter's name: it becomes {@code SCRIPTD_PARAM_<NAME>}, so a variable name's characters. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  public static final int MAX_PARAMETERS = 100;
  public static final String SECRET = "x-secret";
  static final Set<String> TYPES = Set.of("string", "integer", "number", "boolean", "array");
  static final Set<String> ITEM_TYPES = Set.of("string", "integer", "number", "boolean");
  static final Set<String> FORMATS = Set.of("date", "date-time", "email", "uri");
  private static final List<String> TOP = List.of("$schema", "type", "title", "description", "properties",
      "required");
  private static final List<String> SCALAR = List.of("type", "title", "description", "enum", "minimum", "maximum",
      "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "format");
  private static final List<String> PROPERTY;
  private static final JsonSchemaOptions OPTIONS = new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
      .setBaseUri("urn:scriptd:parameters").setOutputFormat(OutputFormat.Basic);

  static {
    List<String> property = new java.util.ArrayList<>(SCALAR);
    property.addAll(List.of("default", "items", "minItems", "maxItems", SECRET));
    PROPERTY = List.copyOf(property);
  }

  private ParameterSchema() {
  }

  /**
   * What is wrong with {@code raw} as a script's {@code parameters}, as {field, message} items with
   * fields under {@code parameters.} (empty: it is valid; null is valid and means none).
   */
  public static JsonArray check(Object raw) {
    JsonArray errors = new JsonArray();
    if (raw == null) {
      return errors;
    }
    if (!(raw instanceof JsonObject schema)) {
      add(errors, "parameters", "must be a JSON Schema object {\"type\": \"object\", \"properties\": {...}} or null");
      return errors;
    }
    for (String keyword : schema.fieldNames()) {
      if (!TOP.contains(keyword)) {
        add(errors, "parameters." + keyword, unsupported(keyword, TOP));
      }
    }
    if (!"object".equals(schema.getValue("type"))) {
      add(errors, "parameters.type", "must be \"object\"");
    }
    if (schema.getValue("$schema") != null && !(schema.getValue("$schema") instanceof String)) {
      add(errors, "parameters.$schema", "must be a string");
    }
    text(schema, "title", "parameters.", errors);
    text(schema, "description", "parameters.", errors);
    Object rawProperties = schema.getValue("properties");
    JsonObject properties = new JsonObject();
    if (rawProperties instanceof JsonObject given) {
      properties = given;
    } else if (rawProperties != null) {
      add(errors, "parameters.properties", "must be an object of parameter name -> schema");
    }
    if (properties.size() > MAX_PARAMETERS) {
      add(errors, "parameters.properties", "must have at most " + MAX_PARAMETERS + " parameters");
      return errors;
    }
    Set<String> upper = new HashSet<>();
    for (String name : properties.fieldNames()) {
      String field = "parameters.properties." + name;
      if (!NAME.matcher(name).matches()) {
        add(errors, field, "is not a valid parameter name ([A-Za-z_][A-Za-z0-9_]{0,63}: it becomes SCRIPTD_PARAM_<NAME>)");
        continue;
      }
      if (!upper.add(name.toUpperCase(Locale.ROOT))) {
        add(errors, field, "has the same upper-cased name as another parameter (both would be SCRIPTD_PARAM_"
            + name.toUpperCase(Locale.ROOT) + ")");
      }
      if (!(properties.getValue(name) instanceof JsonObject property)) {
        add(errors, field, "must be a schema object such as {\"type\": \"string\"}");
        continue;
      }
      checkProperty(property, field, errors);
    }
    Object required = schema.getValue("required");
    if (required != null) {
      if (!(required instanceof JsonArray names)) {
        add(errors, "parameters.required", "must be a list of parameter names");
      } else {
        for (Object name : names) {
          if (!(name instanceof String text) || !properties.containsKey(text)) {
            add(errors, "parameters.required", "names " + name + ", which is not one of the properties");
          }
        }
      }
    }
    return errors;
  }

  private static void checkProperty(JsonObject property, String field, JsonArray errors) {
    int before = errors.size();
    for (String keyword : property.fieldNames()) {
      if (!PROPERTY.contains(keyword)) {
        add(errors, field + "." + keyword, unsupported(keyword, PROPERTY));
      }
    }
    Object type = property.getValue("type");
    if (!(type instanceof String text) || !TYPES.contains(text)) {
      add(errors, field + ".type", "is required: one of string, integer, number, boolean, array");
    }
    checkScalarKeywords(property, field, errors);
    if (property.getValue(SECRET) != null && !(property.getValue(SECRET) instanceof Boolean)) {
      add(errors, field + "." + SECRET, "must be true or false");
    }
    boolean array = "array".equals(type);
    for (String keyword : List.of("minItems", "maxItems")) {
      count(property, keyword, field, errors);
      if (property.getValue(keyword) != null && !array) {
        add(errors, field + "." + keyword, "applies to \"type\": \"array\" only");
      }
    }
    Object items = property.getValue("items");
    if (array && !(items instanceof JsonObject)) {
      add(errors, field + ".items", "is required for an array: {\"type\": \"string|integer|number|boolean\", ...}");
    } else if (items != null && !array) {
      add(errors, field + ".items", "applies to \"type\": \"array\" only");
    } else if (items instanceof JsonObject itemSchema) {
      for (String keyword : itemSchema.fieldNames()) {
        if (!SCALAR.contains(keyword)) {
          add(errors, field + ".items." + keyword, unsupported(keyword, SCALAR));
        }
      }
      if (!(itemSchema.getValue("type") instanceof String itemType) || !ITEM_TYPES.contains(itemType)) {
        add(errors, field + ".items.type", "is required: one of string, integer, number, boolean");
      }
      checkScalarKeywords(itemSchema, field + ".items", errors);
    }
    if (errors.size() == before && property.containsKey("default")) {
      String problem = problem(property, property.getValue("default"));
      if (problem != null) {
        add(errors, field + ".default", "does not satisfy its own property: " + problem);
      }
    }
  }

  private static void checkScalarKeywords(JsonObject schema, String field, JsonArray errors) {
    text(schema, "title", field + ".", errors);
    text(schema, "description", field + ".", errors);
    for (String keyword : List.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) {
      if (schema.getValue(keyword) != null && !(schema.getValue(keyword) instanceof Number)) {
        add(errors, field + "." + keyword, "must be a number");
      }
    }
    count(schema, "minLength", field, errors);
    count(schema, "maxLength", field, errors);
    Object pattern = schema.getValue("pattern");
    if (pattern != null) {
      if (!(pattern instanceof String regex)) {
        add(errors, field + ".pattern", "must be a regular expression string");
      } else {
        try {
          Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
          add(errors, field + ".pattern", "is not a valid regular expression: " + e.getDescription());
        }
      }
    }
    Object format = schema.getValue("format");
    if (format != null && !(format instanceof String name && FORMATS.contains(name))) {
      add(errors, field + ".format", "must be one of date, date-time, email, uri");
    }
    Object values = schema.getValue("enum");
    if (values != null && (!(values instanceof JsonArray list) || list.isEmpty())) {
      add(errors, field + ".enum", "must be a non-empty list of the allowed values");
    }
  }

  private static void count(JsonObject schema, String keyword, String field, JsonArray errors) {
    Object value = schema.getValue(keyword);
    if (value != null && !(value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())
        && number.doubleValue() >= 0)) {
      add(errors, field + "." + keyword, "must be a whole number >= 0");
    }
  }

  private static void text(JsonObject schema, String keyword, String prefix, JsonArray errors) {
    if (schema.getValue(keyword) != null && !(schema.getValue(keyword) instanceof String)) {
      add(errors, prefix + keyword, "must be a string");
    }
  }

  private static String unsupported(String keyword, List<String> supported) {
    return "uses the keyword \"" + keyword + "\", which scriptd does not support here (supported: "
        + String.join(", ", supported) + ")";
  }

  private static void add(JsonArray errors, String field, String message) {
    errors.add(new JsonObject().put("field", field).put("message", message));
  }

  /** The parameters' schemas by name (empty for no schema). */
  public static JsonObject properties(JsonObject schema) {
    return schema == null || !(schema.getValue("properties") instanceof JsonObject properties)
        ? new JsonObject() : properties;
  }

  /** The names of the parameters marked {@code "x-secret": true}. */
  public static Set<String> secretNames(JsonObject schema) {
    Set<String> names = new LinkedHashSet<>();
    JsonObject properties = properties(schema);
    for (String name : properties.fieldNames()) {
      if (properties.getValue(name) instanceof JsonObject property && Boolean.TRUE.equals(property.getValue(SECRET))) {
        names.add(name);
      }
    }
    return names;
  }

  /**
   * Null when {@code value} satisfies {@code property} (a checked property schema), else why not,
   * worded to follow "params.NAME " ("must be ...", "item 2 must be ...").
   */
  public static String problem(JsonObject property, Object value) {
    // pattern is checked here, with a budget: a caller's value (a public endpoint's query) must not
    // hold the event loop in a pattern's backtracking
    JsonObject withoutPattern = property.copy();
    withoutPattern.remove("pattern");
    if (withoutPattern.getValue("items") instanceof JsonObject items) {
      items.remove("pattern");
    }
    OutputUnit result = Validator.create(JsonSchema.of(withoutPattern), OPTIONS).validate(value);
    if (Boolean.TRUE.equals(result.getValid()) || result.getErrors() == null) {
      return patternProblem(property, value);
    }
    // the most specific error: an item's own keyword rather than the "items did not match" summary
    OutputUnit worst = null;
    for (OutputUnit error : result.getErrors()) {
      if (worst == null || depth(error.getInstanceLocation()) > depth(worst.getInstanceLocation())) {
        worst = error;
      }
    }
    if (worst == null) {
      return "does not satisfy its schema";
    }
    String location = worst.getInstanceLocation() == null ? "" : worst.getInstanceLocation().replaceFirst("^#", "");
    String keywordPath = worst.getKeywordLocation() == null ? "" : worst.getKeywordLocation();
    String keyword = keywordPath.substring(keywordPath.lastIndexOf('/') + 1);
    JsonObject schema = location.isEmpty() || !(property.getValue("items") instanceof JsonObject items)
        ? property : items;
    String message = explain(keyword, schema, worst.getError());
    if (location.isEmpty()) {
      return message;
    }
    int index = Integer.parseInt(location.substring(location.lastIndexOf('/') + 1));
    return "item " + (index + 1) + " " + message;
  }

  /** The most character reads a pattern may take on one value before the value is refused. */
  static final long PATTERN_BUDGET = 1_000_000;

  /** Null when the value (or each item) matches its schema's {@code pattern}, within the budget. */
  private static String patternProblem(JsonObject property, Object value) {
    if (value instanceof JsonArray list && property.getValue("items") instanceof JsonObject items) {
      for (int i = 0; i < list.size(); i++) {
        String problem = patternProblem(items, list.getValue(i));
        if (problem != null) {
          return "item " + (i + 1) + " " + problem;
        }
      }
      return null;
    }
    if (!(property.getValue("pattern") instanceof String regex) || !(value instanceof String text)) {
      return null;
    }
    try {
      // JSON Schema patterns are not anchored: find, not matches
      return Pattern.compile(regex).matcher(new Budgeted(text, PATTERN_BUDGET)).find() ? null
          : "must match the pattern " + regex;
    } catch (Budgeted.Exhausted e) {
      return "could not be checked against the pattern " + regex + " in time; the pattern needs too much"
          + " backtracking for this value";
    }
  }

  /** A string whose reads are counted: past the budget it throws, which ends a regex search. */
  private static final class Budgeted implements CharSequence {
    static final class Exhausted extends RuntimeException {
      Exhausted() {
        super(null, null, false, false);
      }
    }

    private final String text;
    private final long[] left;

    Budgeted(String text, long budget) {
      this(text, new long[] {budget});
    }

    private Budgeted(String text, long[] left) {
      this.text = text;
      this.left = left;
    }

    @Override
    public char charAt(int index) {
      if (--left[0] < 0) {
        throw new Exhausted();
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Budgeted(text.substring(start, end), left);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  private static int depth(String location) {
    return location == null ? 0 : location.split("/", -1).length;
  }

  private static String explain(String keyword, JsonObject schema, String fallback) {
    Object limit = schema.getValue(keyword);
    return switch (keyword) {
      case "type" -> "must be " + switch (String.valueOf(limit)) {
        case "integer" -> "a whole number";
        case "number" -> "a number";
        case "boolean" -> "true or false";
        case "array" -> "a list";
        default -> "a string";
      };
      case "enum" -> "must be one of " + limit;
      case "minimum" -> "must be >= " + limit;
      case "maximum" -> "must be <= " + limit;
      case "exclusiveMinimum" -> "must be > " + limit;
      case "exclusiveMaximum" -> "must be < " + limit;
      case "minLength" -> "must be at least " + limit + " characters long";
      case "maxLength" -> "must be at most " + limit + " characters long";
      case "pattern" -> "must match the pattern " + limit;
      case "format" -> "must be " + switch (String.valueOf(limit)) {
        case "date" -> "a date (YYYY-MM-DD)";
        case "date-time" -> "a date and time (RFC 3339, e.g. 2026-01-31T10:30:00Z)";
        case "email" -> "an email address";
        default -> "an absolute URI";
      };
      case "minItems" -> "must have at least " + limit + " items";
      case "maxItems" -> "must have at most " + limit + " items";
      default -> "does not satisfy " + keyword + " (" + fallback + ")";
    };
  }
}
