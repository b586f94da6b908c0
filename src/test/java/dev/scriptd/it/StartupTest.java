package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Starting the server: the admin link, admin_token, --reset-admin-token, a port in use, a quiet log")
class StartupTest {
  private static final Pattern LINK = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/\\?token=(sd_[A-Za-z0-9_-]+)");

  @TempDir
  Path dir;
  Process server;

  @AfterEach
  void stop() throws Exception {
    if (server != null && server.isAlive()) {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private Path dataDir() {
    return dir.resolve("data");
  }

  /** Starts Main on a free port, waits until its output holds what {@code ready} looks for. */
  private String start(Path log, Predicate<String> ready, String... extra) throws Exception {
    int port = TestServer.freePort();
    List<String> args = new java.util.ArrayList<>(List.of("--port=" + port, "--data-dir=" + dataDir()));
    args.addAll(List.of(extra));
    server = ServerJvm.launch(dir, log, args, Map.of());
    return awaitOutput(log, ready);
  }

  private String awaitOutput(Path log, Predicate<String> ready) throws IOException {
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < end) {
      String output = Files.exists(log) ? Files.readString(log) : "";
      if (ready.test(output)) {
        return output;
      }
      if (!server.isAlive()) {
        fail("the server exited with " + server.exitValue() + ":\n" + output);
      }
      LockSupport.parkNanos(50_000_000L);
    }
    fail("timed out; output so far:\n" + Files.readString(log));
    return null;
  }

  private static int status(String link, String token, String path) throws Exception {
    Matcher matcher = LINK.matcher(link);
    assertTrue(matcher.find(), link);
    Api api = new Api("http://127.0.0.1:" + matcher.group(1));
    return api.client.send(HttpRequest.newBuilder(URI.create(api.base + path))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static boolean bannerDone(String output) {
    return output.contains("delete that file once the token is kept elsewhere");
  }

  @Test
  @DisplayName("a first start logs no WARN, prints the admin link last, and saves it owner-only in admin-link.txt")
  void firstStart() throws Exception {
    String output = start(dir.resolve("first.log"), StartupTest::bannerDone);
    List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
    assertEquals(List.of(), lines.stream().filter(line -> line.contains("WARN")).toList(), output);
    int listening = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("scriptd listening on")) {
        listening = i;
      }
    }
    assertTrue(listening >= 0, output);
    // after the listening line: the banner and nothing else
    List<String> after = lines.subList(listening + 1, lines.size());
    assertEquals(3, after.size(), output);
    assertTrue(after.get(0).contains("scriptd admin token (shown once"), output);
    Matcher link = LINK.matcher(after.get(1));
    assertTrue(link.find(), output);
    String token = link.group(2);
    assertEquals(1, output.split(Pattern.quote(token), -1).length - 1, "the token is printed once, never logged");

    Path file = dataDir().resolve("admin-link.txt");
    assertEquals(link.group() + "\n", Files.readString(file));
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
    assertEquals(200, status(link.group(), token, "/api/tokens"));
  }

  @Test
  @DisplayName("a restart prints no link and keeps admin-link.txt; an admin_token the database does not know is"
      + " logged as ignored; --reset-admin-token revokes the old admin token and prints a new link")
  void restartAndReset() throws Exception {
    String first = start(dir.resolve("first.log"), StartupTest::bannerDone);
    Matcher firstLink = LINK.matcher(first.substring(first.indexOf("scriptd admin token")));
    assertTrue(firstLink.find());
    String oldToken = firstLink.group(2);
    stop();

    int port = TestServer.freePort();
    Path second = dir.resolve("second.log");
    server = ServerJvm.launch(dir, second, List.of("--port=" + port, "--data-dir=" + dataDir()),
        Map.of("SCRIPTD_ADMIN_TOKEN", "sd_some-other-admin-token-0123456789"));
    String restarted = awaitOutput(second, output -> output.contains("scriptd listening on"));
    assertTrue(restarted.contains("admin_token (SCRIPTD_ADMIN_TOKEN) is ignored: the database already has an admin"
        + " token"), restarted);
    assertFalse(restarted.contains("scriptd admin token (shown once"), restarted);
    assertEquals(firstLink.group() + "\n", Files.readString(dataDir().resolve("admin-link.txt")));
    stop();

    String reset = start(dir.resolve("third.log"), StartupTest::bannerDone, "--reset-admin-token");
    Matcher newLink = LINK.matcher(reset.substring(reset.indexOf("scriptd admin token")));
    assertTrue(newLink.find(), reset);
    String newToken = newLink.group(2);
    assertFalse(newToken.equals(oldToken));
    assertEquals(200, status(newLink.group(), newToken, "/api/tokens"));
    assertEquals(401, status(newLink.group(), oldToken, "/api/tokens"));
    assertEquals(newLink.group() + "\n", Files.readString(dataDir().resolve("admin-link.txt")));
  }

  @Test
  @DisplayName("a port already in use is one clear line naming --port, without a stack trace, and exit code 1")
  void portInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Path log = dir.resolve("taken.log");
      server = ServerJvm.launch(dir, log, List.of("--port=" + taken.getLocalPort(), "--data-dir=" + dataDir()),
          Map.of());
      assertTrue(server.waitFor(90, TimeUnit.SECONDS), "the server gave up");
      assertEquals(1, server.exitValue());
      String output = Files.readString(log);
      List<String> errors = output.lines().filter(line -> line.contains("ERROR")).toList();
      assertEquals(1, errors.size(), output);
      assertTrue(errors.get(0).contains("127.0.0.1:" + taken.getLocalPort() + ": the port is already in use"), output);
      assertTrue(errors.get(0).contains("--port"), output);
      assertFalse(output.contains("\tat ") || output.contains("Exception"), output);
    }
  }

  @Test
  @DisplayName("a second server on the same data dir exits 1 with one line naming it, and the first one's running run"
      + " keeps running; once the first has stopped, the data dir starts again")
  void dataDirInUse() throws Exception {
    Path data = Files.createDirectories(dataDir());
    int firstPort = TestServer.freePort();
    server = ServerJvm.start(data, firstPort, List.of());
    Api first = new Api("http://127.0.0.1:" + firstPort, TestServer.ADMIN_TOKEN);
    JsonObject run = first.startRun("echo started; exec sleep 300");
    String id = run.getString("id");
    JsonObject running = first.awaitRun(id, r -> "running".equals(r.getString("status")) && r.getInteger("pid") != null,
        Duration.ofSeconds(30));
    int pgid = running.getInteger("pid");

    Path log = dir.resolve("second.log");
    Process second = ServerJvm.launch(dir, log, List.of("--port=" + TestServer.freePort(), "--data-dir=" + data),
        Map.of());
    try {
      assertTrue(second.waitFor(90, TimeUnit.SECONDS), "the second server gave up");
    } finally {
      second.destroyForcibly();
    }
    assertEquals(1, second.exitValue());
    String output = Files.readString(log);
    List<String> errors = output.lines().filter(line -> line.contains("ERROR")).toList();
    assertEquals(1, errors.size(), output);
    assertTrue(errors.get(0).contains("the data dir " + data.toRealPath() + " is used by another scriptd"), output);
    assertTrue(errors.get(0).contains("(pid " + server.pid() + " holds " + data.toRealPath().resolve(".lock") + ")"),
        output);
    assertFalse(output.contains("\tat ") || output.contains("Exception"), output);

    assertEquals("running", first.run(id).getString("status"));
    assertFalse(Processes.group(pgid).isEmpty(), "the first server's run was signalled");

    server.destroy(); // SIGTERM: a clean stop, which releases the lock
    assertTrue(server.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, server.exitValue());
    int port = TestServer.freePort();
    server = ServerJvm.start(data, port, List.of());
    Api again = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
    assertEquals("killed", again.run(id).getString("status"));
  }
}
