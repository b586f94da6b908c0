package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.Scriptd;
import dev.scriptd.ScriptdHandle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's 5-minute tour is what a newcomer pastes into a shell, so it is run here as written:
 * every {@code ```sh} block of its section, in order, in one bash, against a started server. The
 * tour is written against http://127.0.0.1:8080; the server listens there when the port is free,
 * else on a free port substituted into the blocks. As for the newcomer, the server starts on a new
 * data dir {@code data/} under the shell's working directory and generates the admin token; the
 * tour reads it from the link the server saved there.
 */
@DisplayName("The README's 5-minute tour runs as written")
class ReadmeTourTest {
  private static final Path README = Path.of("README.md");
  private static final String TOUR_HEADING = "## A 5-minute tour";
  private static final String TOUR_URL = "http://127.0.0.1:8080";
  private static final Pattern SH_BLOCK = Pattern.compile("(?ms)^```sh\\n(.*?)^```\\s*$");
  private static final String MARK = "@@tour-block-done ";

  @TempDir
  Path tmp;
  private Vertx vertx;
  private ScriptdHandle handle;

  @AfterEach
  void stop() throws Exception {
    if (handle != null) {
      handle.close().await(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("every shell block of the tour exits 0 and shows what the prose says: the run, its kill (202), its log, the script and its endpoint, JS, history")
  void everyShellBlockOfTheTourRunsAgainstAStartedServer() throws Exception {
    List<String> blocks = tourBlocks();
    assertTrue(blocks.size() >= 5, "the tour has its shell blocks, found " + blocks.size());
    Path work = Files.createDirectories(tmp.resolve("work"));
    int port = startServer(work.resolve("data"));
    String url = "http://127.0.0.1:" + port;

    StringBuilder script = new StringBuilder();
    for (int i = 0; i < blocks.size(); i++) {
      script.append(blocks.get(i).replace(TOUR_URL, url)).append("\necho '").append(MARK).append(i).append("'\n");
    }
    Path file = tmp.resolve("tour.sh");
    Files.writeString(file, script);

    Path log = tmp.resolve("tour.out");
    ProcessBuilder builder = new ProcessBuilder("bash", "-e", file.toString()).directory(work.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(
            Path.of("/dev/null").toFile()));
    builder.environment().remove("SCRIPTD_URL");
    builder.environment().remove("SCRIPTD_TOKEN");
    Process bash = builder.start();
    boolean ended = bash.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      bash.descendants().forEach(ProcessHandle::destroyForcibly);
      bash.destroyForcibly().waitFor();
    }
    String output = Files.readString(log);
    assertTrue(ended, "the tour did not end within 2 minutes:\n" + output);
    assertEquals(0, bash.exitValue(), "a tour block failed (bash -e); output:\n" + output);
    for (int i = 0; i < blocks.size(); i++) {
      assertTrue(output.contains(MARK + i), "block " + (i + 1) + " did not finish:\n" + blocks.get(i) + "\noutput:\n"
          + output);
    }

    expect(output, "\"role\":\"admin\"", "/api/me with the pasted token");
    expect(output, "\"status\":\"running\"", "the run is running after its start");
    assertTrue(Pattern.compile("(?m)^run [0-9a-f-]{36}$").matcher(output).find(), "the run id captured with jq:\n" + output);
    assertEquals(3, output.lines().filter(l -> l.startsWith("data:")).count(), "three live lines:\n" + output);
    expect(output, "step 3", "the live log");
    assertTrue(Pattern.compile("(?m)^202$").matcher(output).find(), "the kill answers 202:\n" + output);
    expect(output, "{\"status\":\"killed\"", "the stream's done event after the kill");
    expect(output, "hello world from ", "the script's output through its endpoint");
    expect(output, "the caller sent: ping", "the endpoint's body on the script's stdin");
    expect(output, "endpoint completed", "the endpoint's run in the script's runs");
    assertTrue(Pattern.compile("(?m)^api (running|completed)$").matcher(output).find(),
        "the API's run in the script's runs:\n" + output);
    expect(output, "{\"result\":42}", "the JavaScript program");
    assertTrue(Pattern.compile("(?m)^204$").matcher(output).find(), "the script deleted:\n" + output);
  }

  private static void expect(String output, String text, String what) {
    assertTrue(output.contains(text), what + ": expected '" + text + "' in the output:\n" + output);
  }

  /** The shell blocks of the tour section, from its heading to the next second-level heading. */
  private static List<String> tourBlocks() throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf("\n" + TOUR_HEADING);
    assertTrue(start >= 0, "README.md has a '" + TOUR_HEADING + "' section");
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    List<String> blocks = new ArrayList<>();
    Matcher block = SH_BLOCK.matcher(section);
    while (block.find()) {
      blocks.add(block.group(1));
    }
    return blocks;
  }

  /** The tour's own port when it is free; else (another server, another test) a free one. */
  private int startServer(Path dataDir) throws Exception {
    if (isFree(8080)) {
      try {
        return start(8080, dataDir);
      } catch (Exception taken) {
        vertx.close().await(30, TimeUnit.SECONDS); // taken meanwhile: start afresh elsewhere
        vertx = null;
        deleteTree(dataDir);
      }
    }
    return start(TestServer.freePort(), dataDir);
  }

  /** A new data dir and no admin_token: the server generates the admin token and saves its link. */
  private int start(int port, Path dataDir) throws Exception {
    vertx = Vertx.vertx();
    JsonObject config = TestServer.config(dataDir, port);
    config.remove("admin_token");
    handle = Scriptd.deploy(vertx, config).await(30, TimeUnit.SECONDS);
    assertTrue(Files.isRegularFile(dataDir.resolve("admin-link.txt")), "the first start saves the admin link");
    return port;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
