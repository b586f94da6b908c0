package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("GET /api/openapi.json: every route documented, every documented operation routed, a valid OpenAPI 3.1 document")
class OpenApiTest {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  /**
   * Router paths with a wildcard: what each is in the document (null: not an API operation). A new
   * wildcard route must be added here, with its reason.
   */
  private static final Map<String, String> WILDCARDS = Map.of(
      "/api/*", "", // reads the bodies of every API request: not an operation of its own
      "/webjars/*", "", // the UI's and Swagger UI's static browser libraries
      "/hooks/*", "/hooks/{path}"); // endpoints: a script's path, any of the methods the document lists

  @TempDir
  Path dataDir;
  TestServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private void start(Vertx vertx, JsonObject extra) throws Exception {
    server = TestServer.start(vertx, TestServer.config(dataDir, TestServer.freePort()).mergeIn(extra, true));
  }

  /** "METHOD /path/{param}" for every operation the router really serves (as the server builds it). */
  private Set<String> routedOperations(JsonObject document) {
    Set<String> routed = new TreeSet<>();
    for (Route route : server.handle.router().getRoutes()) {
      String path = route.getPath();
      if (path == null) {
        assertFalse(route.isRegexPath(), "a pathRegex route cannot be compared with the document; use a path with :params");
        continue; // guards and the UI's static files: no path of their own
      }
      if (!route.isExactPath()) {
        path = path + (path.endsWith("/") ? "*" : "/*"); // Vert.x keeps the prefix of "/x/*"
        String documented = WILDCARDS.get(path);
        assertNotNull(documented, "the router has a new wildcard route " + path
            + "; say in OpenApiTest.WILDCARDS what it is in the document (or \"\" if it is not an operation)");
        if (!documented.isEmpty()) {
          JsonObject item = document.getJsonObject("paths").getJsonObject(documented);
          assertNotNull(item, path + " is routed but " + documented + " is not in the document");
          item.fieldNames().stream().filter(METHODS::contains).forEach(m -> routed.add(m.toUpperCase() + " " + documented));
        }
        continue;
      }
      String template = path.replaceAll(":([A-Za-z_][A-Za-z0-9_]*)", "{$1}");
      if (route.methods() == null || route.methods().isEmpty()) {
        fail("route " + path + " takes every method; give it its methods, or add it to OpenApiTest.WILDCARDS");
      }
      for (HttpMethod method : route.methods()) {
        routed.add(method.name() + " " + template);
      }
    }
    return routed;
  }

  private static Set<String> documentedOperations(JsonObject document) {
    Set<String> documented = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        if (METHODS.contains(method)) {
          documented.add(method.toUpperCase() + " " + path);
        }
      }
    }
    return documented;
  }

  @Test
  @DisplayName("every route of the router is in the document, and every documented operation is a route")
  void routesAndDocumentAgree(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    JsonObject document = OpenApi.load();
    Set<String> routed = routedOperations(document);
    Set<String> documented = documentedOperations(document);
    assertTrue(routed.size() >= 40, "the route list looks incomplete: " + routed);

    Set<String> undocumented = new TreeSet<>(routed);
    undocumented.removeAll(documented);
    Set<String> unrouted = new TreeSet<>(documented);
    unrouted.removeAll(routed);
    StringBuilder why = new StringBuilder();
    if (!undocumented.isEmpty()) {
      why.append("routed but missing from src/main/resources/").append(OpenApi.RESOURCE)
          .append(" (add each under \"paths\", with its operationId, parameters, requestBody and responses):");
      undocumented.forEach(op -> why.append("\n  ").append(op));
    }
    if (!unrouted.isEmpty()) {
      why.append(why.length() > 0 ? "\n" : "").append("documented but not served by the router:");
      unrouted.forEach(op -> why.append("\n  ").append(op));
    }
    assertTrue(why.length() == 0, why.toString());
  }

  @Test
  @DisplayName("the document is OpenAPI 3.1: every $ref resolves, every operation has an id, responses and its path parameters")
  void theDocumentIsValidOpenApi31() {
    JsonObject document = OpenApi.load();
    OpenApi openApi = new OpenApi(document); // compiles the document as a schema resource
    assertTrue(document.getString("openapi", "").matches("3\\.1\\.\\d+"), "openapi: " + document.getValue("openapi"));
    assertFalse(document.getJsonObject("info").getString("title", "").isBlank());
    assertFalse(document.getJsonObject("info").getString("version", "").isBlank());
    JsonObject schemes = document.getJsonObject("components").getJsonObject("securitySchemes");
    assertEquals(Set.of("bearer", "tokenQuery", "cookie"), schemes.fieldNames());

    List<String> problems = new ArrayList<>();
    refs(document, "#", document, problems);
    Set<String> operationIds = new HashSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      if (!path.startsWith("/")) {
        problems.add(path + ": a path must start with /");
      }
      Set<String> templateParams = new TreeSet<>();
      Matcher m = Pattern.compile("\\{([^}]+)\\}").matcher(path);
      while (m.find()) {
        templateParams.add(m.group(1));
      }
      for (String method : paths.getJsonObject(path).fieldNames()) {
        if (!METHODS.contains(method)) {
          problems.add(path + ": " + method + " is not an HTTP method");
          continue;
        }
        String what = method.toUpperCase() + " " + path;
        JsonObject operation = paths.getJsonObject(path).getJsonObject(method);
        String id = operation.getString("operationId");
        if (id == null || !operationIds.add(id)) {
          problems.add(what + ": operationId missing or not unique: " + id);
        }
        JsonObject responses = operation.getJsonObject("responses");
        if (responses == null || responses.isEmpty()) {
          problems.add(what + ": no responses");
        } else {
          for (String status : responses.fieldNames()) {
            if (!status.matches("[1-5](\\d\\d|XX)|default")) {
              problems.add(what + ": " + status + " is not a status");
            }
            JsonObject response = responses.getJsonObject(status);
            response = response.containsKey("$ref") ? openApi.resolve(response.getString("$ref")) : response;
            if (response == null || response.getString("description") == null) {
              problems.add(what + " " + status + ": a response needs a description");
              continue;
            }
            JsonObject content = response.getJsonObject("content", new JsonObject());
            for (String media : content.fieldNames()) {
              if (media.contains("json") && !content.getJsonObject(media).containsKey("schema")) {
                problems.add(what + " " + status + " " + media + ": a JSON body needs a schema");
              }
            }
          }
        }
        JsonObject body = operation.getJsonObject("requestBody");
        if (body != null && body.getJsonObject("content", new JsonObject()).fieldNames().stream()
            .anyMatch(media -> media.contains("json") && !body.getJsonObject("content").getJsonObject(media).containsKey("schema"))) {
          problems.add(what + ": a JSON request body needs a schema");
        }
        Set<String> declared = new TreeSet<>();
        for (Object p : operation.getJsonArray("parameters", new JsonArray())) {
          JsonObject parameter = (JsonObject) p;
          parameter = parameter.containsKey("$ref") ? openApi.resolve(parameter.getString("$ref")) : parameter;
          if (parameter == null) {
            continue; // reported by refs()
          }
          if (!Set.of("path", "query", "header", "cookie").contains(parameter.getString("in"))) {
            problems.add(what + ": parameter " + parameter.getString("name") + " has no valid \"in\"");
          }
          if (!parameter.containsKey("schema")) {
            problems.add(what + ": parameter " + parameter.getString("name") + " has no schema");
          }
          if ("path".equals(parameter.getString("in"))) {
            declared.add(parameter.getString("name"));
            if (!parameter.getBoolean("required", false)) {
              problems.add(what + ": path parameter " + parameter.getString("name") + " must be required");
            }
          }
        }
        if (!declared.equals(templateParams)) {
          problems.add(what + ": path parameters " + declared + " do not match the template's " + templateParams);
        }
      }
    }
    assertTrue(problems.isEmpty(), "the OpenAPI document is not valid:\n  " + String.join("\n  ", problems));
  }

  /** Every {@code $ref} must point at something in the document. */
  private static void refs(Object node, String at, JsonObject document, List<String> problems) {
    if (node instanceof JsonObject object) {
      Object ref = object.getValue("$ref");
      if (ref != null) {
        if (!(ref instanceof String text) || !text.startsWith("#/") || OpenApi.resolveIn(document, text) == null) {
          problems.add(at + ": $ref " + ref + " does not resolve");
        }
      }
      for (String key : object.fieldNames()) {
        refs(object.getValue(key), at + "/" + OpenApi.escape(key), document, problems);
      }
    } else if (node instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        refs(array.getValue(i), at + "/" + i, document, problems);
      }
    }
  }

  @Test
  @DisplayName("the document is served without a token, as JSON with Cache-Control, with public_url among its servers")
  void theDocumentIsOpen(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("public_url", "https://scripts.example.com"));
    HttpResponse<String> response = server.api.as(null).get("/api/openapi.json");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
    assertTrue(response.headers().firstValue("Cache-Control").orElse("").contains("max-age="), response.headers().toString());
    JsonObject served = new JsonObject(response.body());
    JsonArray servers = served.getJsonArray("servers");
    assertEquals("/", servers.getJsonObject(0).getString("url"), "the origin the client used comes first");
    assertEquals("https://scripts.example.com", servers.getJsonObject(1).getString("url"));
    served.remove("servers");
    JsonObject resource = OpenApi.load();
    resource.remove("servers");
    assertEquals(resource, served, "the served document is the resource file");
    assertEquals(200, server.api.as(null).send("HEAD", "/api/openapi.json", null).statusCode());
  }

  @Test
  @DisplayName("Swagger UI at /api/docs without a token, under a policy that runs no inline script; its files are served")
  void swaggerUiIsServed(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    Api anonymous = server.api.as(null);
    HttpResponse<String> page = anonymous.get("/api/docs");
    assertEquals(200, page.statusCode(), page.body());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    String policy = page.headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(policy.contains("script-src 'self';"), policy);
    assertTrue(policy.contains("frame-ancestors 'none'"), policy);
    assertFalse(page.body().matches("(?s).*<script>.*"), "no inline script: " + page.body());

    List<String> files = new ArrayList<>();
    Matcher link = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
    while (link.find()) {
      files.add(link.group(1));
    }
    assertEquals(4, files.size(), "icon, style sheet, Swagger UI, its start-up: " + page.body());
    for (String file : files) {
      // relative to /api/docs, whose folder is /api/
      String path = file.startsWith("../") ? file.substring(2) : "/api/" + file;
      HttpResponse<String> served = anonymous.get(path);
      assertEquals(200, served.statusCode(), path);
      String type = served.headers().firstValue("Content-Type").orElse("");
      String expected = path.endsWith(".css") ? "text/css" : path.endsWith(".png") ? "image/png" : "javascript";
      assertTrue(type.contains(expected), path + ": " + type);
    }
    String init = anonymous.get("/api/docs/init.js").body();
    assertTrue(init.contains("url: \"openapi.json\""), init);

    // with a trailing slash the relative links would miss: sent back to /api/docs
    HttpResponse<String> slash = anonymous.get("/api/docs/");
    assertEquals(301, slash.statusCode());
    assertEquals("../docs", slash.headers().firstValue("Location").orElse(""));
  }

  @Test
  @DisplayName("the answers' check fails a body, a status or a media type the document does not allow, and passes one it does")
  void theCheckRejectsWhatTheDocumentDoesNotAllow() {
    OpenApi openApi = OpenApi.shared();
    String path = "/api/runs/" + UUID.randomUUID();
    JsonObject run = new JsonObject().put("id", UUID.randomUUID().toString()).putNull("script_id").put("kind", "shell")
        .put("command", "true").put("status", "completed").put("exit_code", 0).put("pid", 42).put("progress", 0)
        .put("trigger", "api").put("created_at", "2026-11-22T10:30:00.123Z").put("started_at", "2026-11-22T10:30:00.124Z")
        .put("ended_at", "2026-11-22T10:30:00.200Z").put("duration_ms", 76).put("timeout", 3600).put("log_lines", 0)
        .put("log_bytes", 0).putNull("restarted_from").putNull("result").putNull("error").putNull("cwd")
        .put("params", new JsonObject()).put("outputs", new JsonObject()).put("pinned", false);
    assertNull(openApi.check("GET", path, 200, "application/json", run.encode()));
    assertNull(openApi.check("GET", "/api/runs/stats", 400, "application/problem+json",
        new JsonObject().put("type", "urn:x").put("title", "Bad Request").put("status", 400).put("detail", "d").encode()),
        "/api/runs/stats is its own operation, not a run id");

    String missing = openApi.check("GET", path, 200, "application/json", run.copy().put("status", "done").encode());
    assertNotNull(missing);
    assertTrue(missing.contains("/status") && missing.contains("GET /api/runs/{id}"), missing);
    String extra = openApi.check("GET", path, 200, "application/json", run.copy().put("secret", "x").encode());
    assertNotNull(extra, "a field the document does not know fails");
    String time = openApi.check("GET", path, 200, "application/json", run.copy().put("created_at", "yesterday").encode());
    assertNotNull(time, "times are ISO-8601 with milliseconds");

    String status = openApi.check("GET", path, 418, "application/problem+json", "{}");
    assertNotNull(status);
    assertTrue(status.contains("status 418") && status.contains("not documented"), status);
    String noDetail = openApi.check("GET", path, 404, "application/problem+json",
        new JsonObject().put("type", "urn:x").put("title", "Not Found").put("status", 404).encode());
    assertNotNull(noDetail, "a problem needs its detail");
    String media = openApi.check("GET", path, 200, "application/problem+json", run.encode());
    assertNotNull(media);
    String unknown = openApi.check("GET", "/api/nothing-here", 200, "application/json", "{}");
    assertTrue(unknown != null && unknown.contains("no operation"), unknown);
    assertNull(openApi.check("GET", "/api/nothing-here", 404, "application/problem+json",
        new JsonObject().put("type", "urn:x").put("title", "Not Found").put("status", 404).put("detail", "no route").encode()));
    assertNull(openApi.check("GET", path + "/log.txt", 200, "text/plain", "not json"), "only JSON answers are checked");
  }
}
