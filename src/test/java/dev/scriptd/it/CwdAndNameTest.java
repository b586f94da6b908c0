package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Odd cwd values and the script names . and .. are 400 problems naming the field")
class CwdAndNameTest {
  @TempDir
  Path dataDir;
  TestServer server;
  Api api;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, dataDir);
    api = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  /** A 400 problem whose errors name {@code field} (or, for the bus-level check, whose detail does). */
  private static void assertBadField(HttpResponse<String> response, String field) {
    assertEquals(400, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
        response.headers().toString());
    JsonObject problem = new JsonObject(response.body());
    JsonArray errors = problem.getJsonArray("errors", new JsonArray());
    boolean named = errors.stream().anyMatch(error -> field.equals(((JsonObject) error).getString("field")));
    assertTrue(named, "no error names " + field + ": " + response.body());
  }

  @Test
  @DisplayName("a NUL byte in cwd: 400 on POST /api/runs, and on creating or updating a script")
  void nulInCwd() {
    assertBadField(api.post("/api/runs", new JsonObject().put("command", "true").put("cwd", "/tmp\u0000x")), "cwd");
    JsonObject script = new JsonObject().put("name", "nul").put("command", "pwd").put("cwd", "/tmp\u0000x");
    assertBadField(api.post("/api/scripts", script), "cwd");
    HttpResponse<String> created = api.post("/api/scripts", script.copy().put("cwd", dataDir.toString()));
    assertEquals(201, created.statusCode(), created.body());
    String id = new JsonObject(created.body()).getString("id");
    assertBadField(api.send("PUT", "/api/scripts/" + id, script.encode()), "cwd");
  }

  @Test
  @DisplayName("a relative, missing or over-long cwd stays a 400 (or runs, for an existing relative directory)")
  void otherCwdValues() throws Exception {
    HttpResponse<String> missing = api.post("/api/runs", new JsonObject().put("command", "true")
        .put("cwd", dataDir.resolve("nope").toString()));
    assertEquals(400, missing.statusCode(), missing.body());
    HttpResponse<String> longName = api.post("/api/runs", new JsonObject().put("command", "true")
        .put("cwd", "/" + "a".repeat(4000)));
    assertEquals(400, longName.statusCode(), longName.body());
    assertBadField(api.post("/api/runs", new JsonObject().put("command", "true").put("cwd", "/" + "a".repeat(5000))),
        "cwd");
    Files.createDirectories(dataDir.resolve("sub"));
    // relative to the server's working directory, as a shell would take it
    HttpResponse<String> relative = api.post("/api/runs", new JsonObject().put("command", "pwd").put("cwd", "."));
    assertEquals(201, relative.statusCode(), relative.body());
    String id = new JsonObject(relative.body()).getString("id");
    assertEquals("completed", api.awaitEnd(id).getString("status"));
    assertEquals(Path.of("").toAbsolutePath().toString(), api.allLines(id).get(0).getString("line"));
  }

  @Test
  @DisplayName("the script names . and .. are refused on create and update, other dotted names are fine")
  void dotNames() {
    for (String name : new String[] {".", ".."}) {
      assertBadField(api.post("/api/scripts", new JsonObject().put("name", name).put("command", "true")), "name");
    }
    HttpResponse<String> created = api.post("/api/scripts", new JsonObject().put("name", "...").put("command", "true"));
    assertEquals(201, created.statusCode(), created.body());
    assertEquals(200, api.get("/api/scripts/...").statusCode());
    String id = new JsonObject(created.body()).getString("id");
    assertBadField(api.send("PUT", "/api/scripts/" + id,
        new JsonObject().put("name", "..").put("command", "true").encode()), "name");
    HttpResponse<String> dotted = api.post("/api/scripts", new JsonObject().put("name", ".hidden").put("command", "true"));
    assertEquals(201, dotted.statusCode(), dotted.body());
  }
}
