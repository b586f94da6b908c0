package dev.scriptd.it;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The server's OpenAPI document, as the tests read it: finds the operation of a method and path
 * (path templates {@code {name}} match one segment; a parameter named {@code path} may span several,
 * as endpoints' paths do) and checks a JSON answer against the schema the document gives for its
 * status and media type (JSON Schema draft 2020-12, vertx-json-schema).
 */
final class OpenApi {
  static final String RESOURCE = "dev/scriptd/http/openapi.json";
  private static final String BASE = "https://scriptd.invalid/openapi.json";
  private static final String WHERE = "src/main/resources/" + RESOURCE;

  final JsonObject document;
  private final SchemaRepository repository;
  private final List<Template> templates = new ArrayList<>();
  private final Map<String, Validator> validators = new ConcurrentHashMap<>();

  /** One per test JVM: the document never changes while the tests run. */
  private static final class Holder {
    static final OpenApi SHARED = new OpenApi(load());
  }

  record Template(String path, Pattern pattern, int literals) {
  }

  /** The operation that answers a request, and how well its template matched. */
  record Operation(String path, String method, JsonObject definition) {
    String name() {
      return method.toUpperCase(Locale.ROOT) + " " + path;
    }
  }

  OpenApi(JsonObject document) {
    this.document = document;
    JsonSchemaOptions options = new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri(BASE)
        .setOutputFormat(OutputFormat.Basic);
    this.repository = SchemaRepository.create(options).dereference(BASE, JsonSchema.of(document.copy()));
    for (String path : document.getJsonObject("paths").fieldNames()) {
      StringBuilder regex = new StringBuilder("^");
      int literals = 0;
      for (String part : path.split("(?=\\{)|(?<=\\})")) {
        if (part.startsWith("{")) {
          regex.append(part.equals("{path}") ? ".+" : "[^/]+");
        } else {
          regex.append(Pattern.quote(part));
          literals += part.length();
        }
      }
      templates.add(new Template(path, Pattern.compile(regex.append("/?$").toString()), literals));
    }
  }

  static OpenApi shared() {
    return Holder.SHARED;
  }

  static JsonObject load() {
    try (InputStream in = OpenApi.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The documented operation for a method and a concrete path (no query), or null. */
  Operation find(String method, String path) {
    String verb = method.toLowerCase(Locale.ROOT);
    Template best = null;
    for (Template template : templates) {
      if (template.pattern.matcher(path).matches()
          && document.getJsonObject("paths").getJsonObject(template.path).containsKey(verb)
          && (best == null || template.literals > best.literals)) {
        best = template;
      }
    }
    return best == null ? null
        : new Operation(best.path, verb, document.getJsonObject("paths").getJsonObject(best.path).getJsonObject(verb));
  }

  /**
   * Null when the answer agrees with the document, else what disagrees. Only JSON answers are
   * checked against schemas. An answer of a path or method the document does not have must be a
   * 4xx problem (404 for unknown paths, 405, 401 before routing...).
   */
  String check(String method, String path, int status, String contentType, String body) {
    String media = media(contentType);
    if (body == null || body.isEmpty() || !(media.equals("application/json") || media.endsWith("+json"))) {
      return null;
    }
    Operation operation = find(method, path);
    String request = method + " " + path + " -> " + status + " " + media;
    if (operation == null) {
      if (status >= 400 && status < 500 && media.equals("application/problem+json")) {
        return validate("#/components/schemas/Problem", body, request + " (no such operation: a problem)");
      }
      return request + ": the OpenAPI document has no operation " + method + " for this path; document it in " + WHERE;
    }
    JsonObject responses = operation.definition().getJsonObject("responses");
    String key = Integer.toString(status);
    if (!responses.containsKey(key)) {
      key = status / 100 + "XX";
    }
    if (!responses.containsKey(key)) {
      key = "default";
    }
    if (!responses.containsKey(key)) {
      return request + ": status " + status + " of " + operation.name() + " is not documented; add it to " + WHERE
          + " (documented: " + responses.fieldNames() + ")";
    }
    String pointer = "#/paths/" + escape(operation.path()) + "/" + operation.method() + "/responses/" + escape(key);
    JsonObject response = responses.getJsonObject(key);
    if (response.containsKey("$ref")) {
      pointer = response.getString("$ref");
      response = resolve(pointer);
    }
    JsonObject content = response.getJsonObject("content", new JsonObject());
    String mediaKey = content.containsKey(media) ? media : content.containsKey("*/*") ? "*/*" : null;
    if (mediaKey == null) {
      return request + ": " + operation.name() + " documents " + content.fieldNames() + " for " + key + ", not " + media
          + "; fix " + WHERE + "\n  body: " + brief(body);
    }
    if (!content.getJsonObject(mediaKey).containsKey("schema")) {
      return null; // the body is the caller's program's own (endpoints)
    }
    return validate(pointer + "/content/" + escape(mediaKey) + "/schema", body, request + " (" + operation.name() + ")");
  }

  private String validate(String pointer, String body, String request) {
    Object value;
    try {
      value = new JsonObject("{\"v\":" + body + "}").getValue("v");
    } catch (RuntimeException e) {
      return request + ": the body is not JSON: " + brief(body);
    }
    Validator validator = validators.computeIfAbsent(pointer,
        p -> repository.validator(JsonSchema.of(new JsonObject().put("$ref", BASE + p.replace("{", "%7B").replace("}", "%7D")))));
    OutputUnit result = validator.validate(value);
    if (Boolean.TRUE.equals(result.getValid())) {
      return null;
    }
    StringBuilder why = new StringBuilder(request).append(": the answer does not match the OpenAPI schema ")
        .append(pointer).append(':');
    List<OutputUnit> errors = result.getErrors() == null ? List.of() : result.getErrors();
    for (OutputUnit error : errors) {
      why.append("\n  at ").append(error.getInstanceLocation().isEmpty() ? "/" : error.getInstanceLocation())
          .append(": ").append(error.getError()).append(" (").append(error.getKeywordLocation()).append(')');
    }
    if (errors.isEmpty()) {
      why.append(' ').append(result.getError());
    }
    return why.append("\n  body: ").append(brief(body)).toString();
  }

  /** A local JSON pointer of the document ({@code #/a/b}), or null. */
  JsonObject resolve(String pointer) {
    return resolveIn(document, pointer);
  }

  static JsonObject resolveIn(JsonObject document, String pointer) {
    Object at = document;
    for (String part : pointer.substring(2).split("/")) {
      String name = part.replace("~1", "/").replace("~0", "~");
      at = at instanceof JsonObject object ? object.getValue(name) : null;
    }
    return at instanceof JsonObject object ? object : null;
  }

  static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  private static String media(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType).trim().toLowerCase(Locale.ROOT);
  }

  private static String brief(String body) {
    return body.length() > 600 ? body.substring(0, 600) + "..." : body;
  }
}
