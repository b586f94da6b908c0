package dev.scriptd.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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
    for (String command : List.of("run", "tail", "runs", "token", "help", "--help", "-h", "--version")) {
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
    for (String command : List.of("serve", "run", "tail", "runs", "token")) {
      assertTrue(help.contains(command), help);
    }
    assertEquals(2, new Cli(terminal).execute("token", "create", "ci"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--role"), err.toString(StandardCharsets.UTF_8));
    assertEquals(2, new Cli(terminal).execute("run", "--script", "x", "echo"));
  }
}
