package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("scripts.dir: a folder of definitions applied at start and on every change")
class ScriptsDirTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  @TempDir
  Path dataDir;
  @TempDir
  Path folder;
  TestServer server;
  Api api;

  void start(Vertx vertx, boolean prune) throws Exception {
    JsonObject config = TestServer.config(dataDir, TestServer.freePort())
        .put("scripts", new JsonObject().put("dir", folder.toString()).put("dir_prune", prune)
            .put("dir_debounce_ms", 100));
    server = TestServer.start(vertx, config);
    api = server.api;
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  JsonObject script(String name) {
    HttpResponse<String> response = api.get("/api/scripts/" + name);
    return response.statusCode() == 200 ? new JsonObject(response.body()) : null;
  }

  JsonObject health() {
    HttpResponse<String> response = api.get("/health");
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  static <T> T await(String what, Supplier<T> probe, Predicate<T> until) {
    Instant end = Instant.now().plus(DEADLINE);
    T value = probe.get();
    while (!until.test(value)) {
      if (Instant.now().isAfter(end)) {
        fail(what + " did not happen within " + DEADLINE + "; last seen: " + value);
      }
      LockSupport.parkNanos(50_000_000L);
      value = probe.get();
    }
    return value;
  }

  @Test
  @DisplayName("files are applied at start; a changed file updates its script, a new file creates one, a removed one deletes nothing")
  void appliedAtStartAndOnChange(Vertx vertx) throws Exception {
    Files.writeString(folder.resolve("backup.yaml"), """
        name: backup
        command: echo backup v1
        schedule:
          cron: "0 3 * * *"
        """);
    Files.writeString(folder.resolve("many.json"), """
        [{"name": "one", "command": "echo 1"}, {"name": "two", "kind": "js", "program": "2"}]
        """);
    Files.writeString(folder.resolve("notes.txt"), "not a definition");
    start(vertx, false);
    assertEquals("echo backup v1", script("backup").getString("command"));
    assertEquals("echo 1", script("one").getString("command"));
    assertEquals("js", script("two").getString("kind"));
    JsonObject check = health().getJsonObject("checks").getJsonObject("scripts_dir");
    assertEquals("UP", check.getString("status"), check.encode());

    Files.writeString(folder.resolve("backup.yaml"), """
        name: backup
        command: echo backup v2
        """);
    JsonObject updated = await("the update of backup", () -> script("backup"),
        s -> "echo backup v2".equals(s.getString("command")));
    assertEquals(2, updated.getLong("version"));
    Files.writeString(folder.resolve("later.yml"), "scripts:\n  - name: later\n    command: echo later\n");
    await("the creation of later", () -> script("later"), s -> s != null);
    assertEquals(1, script("one").getLong("version"), "an unchanged file leaves its scripts alone");

    // without dir_prune a removed file leaves its scripts in place
    Files.delete(folder.resolve("many.json"));
    Files.writeString(folder.resolve("later.yml"), "scripts:\n  - name: later\n    command: echo later v2\n");
    await("the update of later", () -> script("later"), s -> "echo later v2".equals(s.getString("command")));
    assertEquals("echo 1", script("one").getString("command"));
  }

  @Test
  @DisplayName("a bad file changes nothing: the log and /health name it (check DOWN, server UP), and fixing it applies")
  void badFileChangesNothing(Vertx vertx) throws Exception {
    Files.writeString(folder.resolve("a.yaml"), "name: a\ncommand: echo a\n");
    start(vertx, false);
    Files.writeString(folder.resolve("a.yaml"), "name: a\ncommand: echo changed\n");
    Files.writeString(folder.resolve("b.yaml"), "name: b\ncommand: [unclosed\n");
    JsonObject check = await("a DOWN scripts_dir check", () -> health().getJsonObject("checks")
        .getJsonObject("scripts_dir"), c -> "DOWN".equals(c.getString("status")));
    assertEquals("b.yaml", check.getString("file"), check.encode());
    assertTrue(check.getString("error").contains("line"), check.encode());
    assertEquals("UP", health().getString("status"));
    assertEquals("echo a", script("a").getString("command"), "nothing applied while a file is bad");
    assertEquals(null, script("b"));

    Files.writeString(folder.resolve("b.yaml"), "name: b\ncommand: echo b\ntimeout: -1\n");
    JsonObject invalid = await("the invalid definition reported", () -> health().getJsonObject("checks")
        .getJsonObject("scripts_dir"), c -> c.getString("error", "").contains("timeout"));
    assertEquals("b.yaml", invalid.getString("file"), invalid.encode());
    assertEquals("echo a", script("a").getString("command"));

    Files.writeString(folder.resolve("b.yaml"), "name: b\ncommand: echo b\n");
    await("the fixed folder applied", () -> script("b"), s -> s != null);
    assertEquals("echo changed", script("a").getString("command"));
    assertEquals("UP", health().getJsonObject("checks").getJsonObject("scripts_dir").getString("status"));
  }

  @Test
  @DisplayName("with dir_prune a removed file deletes its script, but an emptied folder deletes nothing")
  void pruneFollowsRemovedFiles(Vertx vertx) throws Exception {
    Files.writeString(folder.resolve("keep.yaml"), "name: keep\ncommand: echo keep\n");
    Files.writeString(folder.resolve("gone.yaml"), "name: gone\ncommand: echo gone\n");
    start(vertx, true);
    assertFalse(script("gone") == null);
    Files.delete(folder.resolve("gone.yaml"));
    await("the deletion of gone", () -> script("gone"), s -> s == null);
    assertEquals(List.of("keep"), new JsonObject(api.get("/api/scripts").body()).getJsonArray("items").stream()
        .map(item -> ((JsonObject) item).getString("name")).toList());

    Files.delete(folder.resolve("keep.yaml"));
    JsonObject check = await("an emptied folder reported", () -> health().getJsonObject("checks")
        .getJsonObject("scripts_dir"), c -> "DOWN".equals(c.getString("status")));
    assertTrue(check.getString("error").contains("no definitions"), check.encode());
    assertFalse(script("keep") == null, "an empty folder never prunes every script");
  }
}
