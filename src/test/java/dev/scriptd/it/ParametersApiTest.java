package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Parameters and outputs: schemas on save, values on every trigger, the environment, outputs")
class ParametersApiTest {
  static final JsonObject SCHEMA = new JsonObject("""
      {"type": "object", "required": ["day"], "properties": {
        "day": {"type": "string", "format": "date", "title": "Day"},
        "count": {"type": "integer", "minimum": 1, "maximum": 9, "default": 3},
        "env": {"type": "string", "enum": ["dev", "prod"], "default": "dev"},
        "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "tags": {"type": "array", "items": {"type": "integer", "maximum": 5}},
        "password": {"type": "string", "x-secret": true}
      }}""");

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

  JsonObject create(JsonObject body) {
    HttpResponse<String> response = api.post("/api/scripts", body);
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  static Set<String> errorFields(HttpResponse<String> response) {
    assertEquals(400, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    JsonArray errors = new JsonObject(response.body()).getJsonArray("errors");
    return errors.stream().map(e -> ((JsonObject) e).getString("field")).collect(Collectors.toSet());
  }

  @Test
  @DisplayName("parameters are saved and returned as saved, null when none; an unknown keyword or a bad default is a 400 naming it")
  void schemaOnSave() {
    JsonObject created = create(new JsonObject().put("name", "p").put("command", "true").put("parameters", SCHEMA));
    assertEquals(SCHEMA, created.getJsonObject("parameters"));
    assertEquals(SCHEMA, new JsonObject(api.get("/api/scripts/p").body()).getJsonObject("parameters"));
    assertNull(create(new JsonObject().put("name", "none").put("command", "true")).getValue("parameters"));
    assertTrue(create(new JsonObject().put("name", "none2").put("command", "true")).containsKey("parameters"));

    JsonObject unknown = SCHEMA.copy();
    unknown.getJsonObject("properties").getJsonObject("day").put("oneOf", new JsonArray());
    HttpResponse<String> refused = api.post("/api/scripts", new JsonObject().put("name", "u").put("command", "true")
        .put("parameters", unknown));
    assertEquals(Set.of("parameters.properties.day.oneOf"), errorFields(refused));
    assertTrue(refused.body().contains("oneOf"), refused.body());

    JsonObject badDefault = SCHEMA.copy();
    badDefault.getJsonObject("properties").getJsonObject("count").put("default", 12);
    assertEquals(Set.of("parameters.properties.count.default"), errorFields(api.post("/api/scripts",
        new JsonObject().put("name", "d").put("command", "true").put("parameters", badDefault))));
    assertEquals(404, api.get("/api/scripts/d").statusCode());
  }

  @Test
  @DisplayName("schedule.params are checked against parameters on save; secret ones are shown as *** and kept when sent back")
  void scheduleParamsOnSave() {
    JsonObject schedule = new JsonObject().put("cron", "0 0 1 1 *").put("params", new JsonObject().put("count", 99));
    assertEquals(Set.of("schedule.params.count", "schedule.params.day"), errorFields(api.post("/api/scripts",
        new JsonObject().put("name", "s").put("command", "true").put("parameters", SCHEMA).put("schedule", schedule))));

    JsonObject good = new JsonObject().put("cron", "0 0 1 1 *")
        .put("params", new JsonObject().put("day", "2026-01-31").put("password", "hunter2"));
    JsonObject created = create(new JsonObject().put("name", "s").put("command", "true").put("parameters", SCHEMA)
        .put("schedule", good));
    assertEquals("***", created.getJsonObject("schedule").getJsonObject("params").getString("password"));
    assertFalse(api.get("/api/scripts/export").body().contains("hunter2"));
    // sent back as shown: the stored secret stays
    HttpResponse<String> updated = api.send("PUT", "/api/scripts/s", created.encode(), "Content-Type", "application/json");
    assertEquals(200, updated.statusCode(), updated.body());
    assertFalse(updated.body().contains("hunter2"));
  }
}
