package dev.scriptd.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.domain.ScriptFolder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Command line rules: server or client, parameters, exit codes, problems")
class CliRulesTest {
  @Test
  @DisplayName("no command, flags and 'serve' start the server; client commands and --help do not")
  void serverOrClient() {
    assertFalse(Cli.isClientCommand(new String[0]));
    assertFalse(Cli.isClientCommand(new String[] {"--port=9000"}));
    assertFalse(Cli.isClientCommand(new String[] {"-data-dir", "/tmp/x"}));
    assertFalse(Cli.isClientCommand(new String[] {"serve", "--port", "9000"}));
    assertTrue(Cli.isClientCommand(new String[] {"serve", "--help"}));
    for (String command : List.of("run", "tail", "runs", "apply", "export", "token", "help", "--help", "-h", "--version")) {
      assertTrue(Cli.isClientCommand(new String[] {command}), command);
    }
    assertArrayEquals(new String[] {"--port=1"}, Cli.serverArgs(new String[] {"serve", "--port=1"}));
    assertArrayEquals(new String[] {"--port=1"}, Cli.serverArgs(new String[] {"--port=1"}));
  }

  @Test
  @DisplayName("--param values: JSON literals as such, anything else as text")
  void params() {
    JsonObject params = Cli.RunCommand.params(List.of("n=3", "ratio=-0.5", "on=true", "none=null", "tags=[1,2]",
        "name=Ada", "quoted=\"007\"", "empty=", "eq=a=b", "bad=[1,"));
    assertEquals(3, params.getInteger("n"));
    assertEquals(-0.5, params.getDouble("ratio"));
    assertEquals(true, params.getBoolean("on"));
    assertTrue(params.containsKey("none") && params.getValue("none") == null);
    assertEquals(new JsonArray().add(1).add(2), params.getJsonArray("tags"));
    assertEquals("Ada", params.getString("name"));
    assertEquals("007", params.getString("quoted"));
    assertEquals("", params.getString("empty"));
    assertEquals("a=b", params.getString("eq"));
    assertEquals("[1,", params.getString("bad"));
    assertThrows(CliException.class, () -> Cli.RunCommand.params(List.of("=x")));
  }

  @Test
  @DisplayName("a run's exit code, or 1 when a run that did not complete has none")
  void exitCodes() {
    assertEquals(0, RunFollower.exitCode(new JsonObject().put("status", "completed").put("exit_code", 0)));
    assertEquals(0, RunFollower.exitCode(new JsonObject().put("status", "completed")));
    assertEquals(7, RunFollower.exitCode(new JsonObject().put("status", "failed").put("exit_code", 7)));
    for (String status : List.of("failed", "killed", "lost", "timed_out")) {
      assertEquals(1, RunFollower.exitCode(new JsonObject().put("status", status).putNull("exit_code")), status);
    }
  }

  @Test
  @DisplayName("a problem answer becomes its detail; anything else the HTTP status")
  void problems() {
    assertEquals("run x not found", ScriptdClient.problem(404, "{\"status\":404,\"detail\":\"run x not found\"}")
        .getMessage());
    assertEquals("the server answered HTTP 502", ScriptdClient.problem(502, "<html>bad gateway</html>").getMessage());
  }

  @Test
  @DisplayName("usage errors exit 2 and --help exits 0, without a server")
  void usage() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Terminal terminal = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new BufferedReader(new StringReader("")), Map.of(),
        false, false, action -> { });
    assertEquals(0, new Cli(terminal).execute("--help"));
    String help = out.toString(StandardCharsets.UTF_8);
    for (String command : List.of("serve", "run", "tail", "runs", "apply", "export", "token")) {
      assertTrue(help.contains(command), help);
    }
    assertEquals(2, new Cli(terminal).execute("token", "create", "ci"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--role"), err.toString(StandardCharsets.UTF_8));
    assertEquals(2, new Cli(terminal).execute("run", "--script", "x", "echo"));
    assertEquals(2, new Cli(terminal).execute("apply", "--prune"), "apply needs -f");
  }

  @Test
  @DisplayName("a problem's errors[] are kept; apply names an error's file, list index and script")
  void applyErrorsNameTheFile() {
    CliException refused = ScriptdClient.problem(400, "{\"detail\":\"nothing was applied\",\"errors\":"
        + "[{\"field\":\"scripts[1].timeout\",\"message\":\"must be 1..604800\"}]}");
    assertEquals(1, refused.errors().size());
    ScriptFolder.Read read = new ScriptFolder.Read(new JsonArray().add(new JsonObject().put("name", "a"))
        .add(new JsonObject().put("name", "b")).add("not an object"), List.of("a.yaml", "list.yaml[0]", "list.yaml[1]"),
        2, null, null);
    assertEquals("list.yaml[0] (script b): timeout must be 1..604800",
        Cli.Apply.where(refused.errors().getJsonObject(0), read));
    assertEquals("list.yaml[1]: must be an object", Cli.Apply.where(new JsonObject().put("field", "scripts[2]")
        .put("message", "must be an object"), read));
    assertEquals("scripts: is required", Cli.Apply.where(new JsonObject().put("field", "scripts")
        .put("message", "is required"), read));
  }

  @Test
  @DisplayName("export -o file names: <name>.yaml, never hidden, never twice")
  void exportFileNames() {
    Set<String> used = new HashSet<>();
    assertEquals("backup.yaml", Cli.Export.fileName("backup", used));
    assertEquals("_.hidden.yaml", Cli.Export.fileName(".hidden", used));
    assertEquals("_.hidden-2.yaml", Cli.Export.fileName("_.hidden", used));
  }
}
