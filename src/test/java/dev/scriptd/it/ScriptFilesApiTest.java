package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.domain.YamlText;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Scripts as files: GET /api/scripts/export and POST /api/scripts/apply")
class ScriptFilesApiTest {
  /** The database the servers of a test use: null for SQLite in the data dir; PostgreSQL variants override it. */
  String databaseUrl() {
    return null;
  }

  @TempDir
  Path dataDir;
  TestServer server;
  Api api;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    server = TestServer.start(vertx, dataDir, databaseUrl());
    api = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  static JsonObject shell(String name, String command) {
    return new JsonObject().put("name", name).put("command", command);
  }

  static JsonObject applyBody(JsonObject... scripts) {
    return new JsonObject().put("scripts", new JsonArray(List.of((Object[]) scripts)));
  }

  JsonObject apply(JsonObject body) {
    HttpResponse<String> response = api.post("/api/scripts/apply", body);
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  JsonObject script(String name) {
    HttpResponse<String> response = api.get("/api/scripts/" + name);
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  List<String> names() {
    HttpResponse<String> response = api.get("/api/scripts");
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body()).getJsonArray("items").stream()
        .map(item -> ((JsonObject) item).getString("name")).toList();
  }

  static List<Object> list(JsonObject summary, String key) {
    return summary.getJsonArray(key).getList();
  }

  String token(String name, String role) {
    HttpResponse<String> created = api.post("/api/tokens", new JsonObject().put("name", name).put("role", role));
    assertEquals(201, created.statusCode(), created.body());
    return new JsonObject(created.body()).getString("token");
  }

  @Test
  @DisplayName("apply creates, then the same apply is all unchanged and bumps no version; a changed definition is updated")
  void applyIsIdempotent() {
    JsonObject first = apply(applyBody(shell("a", "echo a"), shell("b", "echo b")
        .put("schedule", new JsonObject().put("cron", "0 3 * * *"))));
    assertEquals(List.of("a", "b"), list(first, "created"));
    assertEquals(List.of(), list(first, "updated"));

    JsonObject again = apply(applyBody(shell("a", "echo a"), shell("b", "echo b")
        .put("schedule", new JsonObject().put("cron", "0 3 * * *"))));
    assertEquals(List.of(), list(again, "created"));
    assertEquals(List.of(), list(again, "updated"));
    assertEquals(List.of("a", "b"), list(again, "unchanged"));
    assertEquals(1, script("a").getLong("version"));

    JsonObject changed = apply(applyBody(shell("a", "echo a"), shell("b", "echo B")));
    assertEquals(List.of("b"), list(changed, "updated"));
    assertEquals(List.of("a"), list(changed, "unchanged"));
    JsonObject b = script("b");
    assertEquals(2, b.getLong("version"));
    assertEquals("echo B", b.getString("command"));
    assertEquals(null, b.getValue("schedule"));
  }

  @Test
  @DisplayName("the export has no ids, times or last_run, and applying it back changes nothing")
  void exportRoundTrip() {
    apply(applyBody(shell("one", "echo 1").put("timeout", 60).put("env", new JsonObject().put("A", "x")),
        new JsonObject().put("name", "two").put("kind", "js").put("program", "1 + 1")
            .put("endpoint", new JsonObject().put("method", "GET").put("path", "two"))));
    api.post("/api/scripts/one/run", new JsonObject()); // a last_run the export must leave out
    HttpResponse<String> response = api.get("/api/scripts/export");
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonObject export = new JsonObject(response.body());
    JsonArray scripts = export.getJsonArray("scripts");
    assertEquals(2, scripts.size());
    for (Object item : scripts) {
      JsonObject definition = (JsonObject) item;
      for (String key : List.of("id", "version", "created_at", "updated_at", "next_run_at", "last_run")) {
        assertFalse(definition.containsKey(key), key + " in " + definition.encode());
      }
    }
    assertEquals("one", scripts.getJsonObject(0).getString("name"));
    assertEquals(60, scripts.getJsonObject(0).getInteger("timeout"));

    JsonObject again = apply(export);
    assertEquals(List.of("one", "two"), list(again, "unchanged"));
    assertEquals(List.of(), list(again, "created"));
    assertEquals(List.of(), list(again, "updated"));
  }

  @Test
  @DisplayName("dry_run answers what would happen and changes nothing, prune included")
  void dryRunChangesNothing() {
    apply(applyBody(shell("keep", "echo keep"), shell("old", "echo old")));
    JsonObject plan = apply(applyBody(shell("keep", "echo changed"), shell("new", "echo new"))
        .put("prune", true).put("dry_run", true));
    assertEquals(List.of("new"), list(plan, "created"));
    assertEquals(List.of("keep"), list(plan, "updated"));
    assertEquals(List.of("old"), list(plan, "deleted"));
    assertEquals(List.of("keep", "old"), names());
    assertEquals("echo keep", script("keep").getString("command"));
    assertEquals(1, script("keep").getLong("version"));
  }

  @Test
  @DisplayName("prune deletes the scripts not listed, with their runs; without prune they stay")
  void pruneDeletesUnlisted() {
    apply(applyBody(shell("keep", "echo keep"), shell("gone", "echo gone")));
    JsonObject run = new JsonObject(api.post("/api/scripts/gone/run", new JsonObject()).body());
    api.awaitEnd(run.getString("id"));

    JsonObject without = apply(applyBody(shell("keep", "echo keep")));
    assertEquals(List.of(), list(without, "deleted"));
    assertEquals(List.of("gone", "keep"), names());

    JsonObject pruned = apply(applyBody(shell("keep", "echo keep")).put("prune", true));
    assertEquals(List.of("gone"), list(pruned, "deleted"));
    assertEquals(List.of("keep"), names());
    assertEquals(404, api.get("/api/runs/" + run.getString("id")).statusCode());
  }

  @Test
  @DisplayName("prune refuses (409, nothing changed) while a script to delete has a running run")
  void pruneRefusesActiveRuns() {
    apply(applyBody(shell("busy", "sleep 30"), shell("keep", "echo keep")));
    JsonObject run = new JsonObject(api.post("/api/scripts/busy/run", new JsonObject()).body());
    HttpResponse<String> refused = api.post("/api/scripts/apply",
        applyBody(shell("keep", "echo changed"), shell("added", "echo added")).put("prune", true));
    assertEquals(409, refused.statusCode(), refused.body());
    assertTrue(new JsonObject(refused.body()).getString("detail").contains("busy"), refused.body());
    assertEquals(List.of("busy", "keep"), names());
    assertEquals("echo keep", script("keep").getString("command"));
    api.post("/api/runs/" + run.getString("id") + "/kill", null);
    api.awaitEnd(run.getString("id"));
  }

  @Test
  @DisplayName("one invalid definition among good ones is a 400 naming it (scripts[i].field), and nothing is created")
  void allOrNothing() {
    HttpResponse<String> response = api.post("/api/scripts/apply", applyBody(shell("good-1", "echo 1"),
        shell("good-2", "echo 2"), shell("bad-one", "echo 3").put("timeout", -5)));
    assertEquals(400, response.statusCode(), response.body());
    JsonObject problem = new JsonObject(response.body());
    assertEquals("scripts[2].timeout", problem.getJsonArray("errors").getJsonObject(0).getString("field"));
    assertTrue(problem.getString("detail").contains("bad-one"), problem.getString("detail"));
    assertEquals(List.of(), names());

    HttpResponse<String> duplicate = api.post("/api/scripts/apply",
        applyBody(shell("twice", "echo 1"), shell("twice", "echo 2")));
    assertEquals(400, duplicate.statusCode(), duplicate.body());
    assertTrue(new JsonObject(duplicate.body()).getString("detail").contains("scripts[1].name"), duplicate.body());
    assertEquals(List.of(), names());
  }

  @Test
  @DisplayName("YAML both ways: the export as YAML with Accept, a YAML body applied, application/x-yaml too")
  void yamlBothWays() {
    String yaml = """
        scripts:
          - name: from-yaml
            command: |
              echo one
              echo two
            timeout: 30
            schedule:
              cron: "*/5 * * * *"
        """;
    HttpResponse<String> applied = api.send("POST", "/api/scripts/apply", yaml, "Content-Type", "application/yaml");
    assertEquals(200, applied.statusCode(), applied.body());
    assertEquals(List.of("from-yaml"), new JsonObject(applied.body()).getJsonArray("created").getList());
    assertEquals("echo one\necho two\n", script("from-yaml").getString("command"));

    HttpResponse<String> export = api.send("GET", "/api/scripts/export", null, "Accept", "application/yaml");
    assertEquals(200, export.statusCode(), export.body());
    assertTrue(export.headers().firstValue("Content-Type").orElse("").startsWith("application/yaml"));
    JsonObject parsed = (JsonObject) YamlText.parse(export.body());
    assertEquals("from-yaml", parsed.getJsonArray("scripts").getJsonObject(0).getString("name"));

    HttpResponse<String> again = api.send("POST", "/api/scripts/apply", export.body(),
        "Content-Type", "application/x-yaml");
    assertEquals(200, again.statusCode(), again.body());
    assertEquals(List.of("from-yaml"), new JsonObject(again.body()).getJsonArray("unchanged").getList());

    HttpResponse<String> broken = api.send("POST", "/api/scripts/apply", "scripts: [ {name: x", "Content-Type",
        "application/yaml");
    assertEquals(400, broken.statusCode(), broken.body());
    assertTrue(new JsonObject(broken.body()).getString("detail").contains("line"), broken.body());
    HttpResponse<String> elsewhere = api.send("POST", "/api/scripts", "name: x", "Content-Type", "application/yaml");
    assertEquals(415, elsewhere.statusCode(), elsewhere.body());
  }

  @Test
  @DisplayName("a secret exported as *** and applied back keeps its stored value; *** for an unknown secret is a 400")
  void maskedSecretKeepsStoredValue() {
    JsonObject secret = new JsonObject().put("value", "s3cr3t-value").put("secret", true);
    apply(applyBody(shell("vault", "echo \"$PASSWORD\" | wc -c").put("env", new JsonObject().put("PASSWORD", secret))));
    HttpResponse<String> export = api.get("/api/scripts/export");
    assertFalse(export.body().contains("s3cr3t-value"), export.body());
    JsonObject masked = new JsonObject(export.body());
    assertEquals("***", masked.getJsonArray("scripts").getJsonObject(0).getJsonObject("env")
        .getJsonObject("PASSWORD").getString("value"));

    assertEquals(List.of("vault"), list(apply(masked), "unchanged"));
    JsonObject run = new JsonObject(api.post("/api/scripts/vault/run", new JsonObject()).body());
    api.awaitEnd(run.getString("id"));
    // 12 characters and a newline: the stored value, not the three of "***"
    assertEquals("13", api.allLines(run.getString("id")).get(0).getString("line").trim());

    JsonObject unknown = shell("fresh", "true").put("env", new JsonObject()
        .put("TOKEN", new JsonObject().put("value", "***").put("secret", true)));
    HttpResponse<String> refused = api.post("/api/scripts/apply", applyBody(unknown));
    assertEquals(400, refused.statusCode(), refused.body());
    assertTrue(new JsonObject(refused.body()).getString("detail").contains("scripts[0].env.TOKEN"), refused.body());
    assertEquals(List.of("vault"), names());
  }

  @Test
  @DisplayName("roles: a viewer exports but cannot apply, an operator applies but cannot prune, an admin prunes")
  void roles() {
    apply(applyBody(shell("x", "true")));
    Api viewer = api.as(token("v", "viewer"));
    Api operator = api.as(token("o", "operator"));
    assertEquals(200, viewer.get("/api/scripts/export").statusCode());
    assertEquals(403, viewer.post("/api/scripts/apply", applyBody(shell("y", "true"))).statusCode());
    assertEquals(200, operator.post("/api/scripts/apply", applyBody(shell("y", "true"))).statusCode());
    HttpResponse<String> prune = operator.post("/api/scripts/apply", applyBody(shell("y", "true")).put("prune", true));
    assertEquals(403, prune.statusCode(), prune.body());
    assertEquals(List.of("x", "y"), names());
    assertEquals(401, api.as(null).get("/api/scripts/export").statusCode());
    assertEquals(200, api.post("/api/scripts/apply", applyBody(shell("y", "true")).put("prune", true)).statusCode());
    assertEquals(List.of("y"), names());
  }
}
