package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("PostgreSQL storage: /health follows the database, and the URL's password shows nowhere")
class PostgresStorageTest {
  private static final String PASSWORD = "pw-that-must-not-leak-7f3a";

  @TempDir
  Path dataDir;
  private final List<Process> servers = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Process server : servers) {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  @Test
  @DisplayName("the database refusing connections: /health answers 503 naming it without the password, a write"
      + " is a 503 problem, and both recover when it accepts them again; no log line holds the password")
  void healthFollowsTheDatabase() throws Exception {
    PostgresServer postgres = PostgresServer.shared();
    String database = postgres.newDatabase();
    // the test server trusts local connections, so the password is carried but never checked
    String url = "postgresql://postgres:" + PASSWORD + "@127.0.0.1:" + postgres.port() + "/" + database;
    String redacted = "postgresql://postgres@127.0.0.1:" + postgres.port() + "/" + database;
    int port = TestServer.freePort();
    servers.add(ServerJvm.start(dataDir, port, List.of("--database-url=" + url)));
    Api api = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
    String id = api.awaitEnd(api.startRun("echo before").getString("id")).getString("id");

    postgres.psql("postgres", "-c", "ALTER DATABASE " + database + " ALLOW_CONNECTIONS false",
        "-c", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" + database + "'");
    HttpResponse<String> down = awaitHealth(api, 503);
    assertFalse(down.body().contains(PASSWORD), down.body());
    JsonObject check = new JsonObject(down.body()).getJsonObject("checks").getJsonObject("database");
    assertEquals("DOWN", check.getString("status"), down.body());
    assertTrue(check.getString("error").contains(redacted), down.body());
    HttpResponse<String> write = api.post("/api/runs", new JsonObject().put("command", "echo during"));
    assertTrue(write.statusCode() >= 500, write.body());
    assertEquals("application/problem+json", write.headers().firstValue("Content-Type").orElse(""));
    assertFalse(write.body().contains(PASSWORD), write.body());

    postgres.psql("postgres", "-c", "ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
    awaitHealth(api, 200);
    assertEquals("completed", api.run(id).getString("status"));
    assertEquals("completed", api.awaitEnd(api.startRun("echo after").getString("id")).getString("status"));

    String log = Files.readString(dataDir.resolve("server.log"));
    assertTrue(log.contains(redacted), "the log names the database: " + log);
    assertFalse(log.contains(PASSWORD), "a log line holds the password: " + log);
  }

  @Test
  @DisplayName("a run that ends while PostgreSQL refuses connections is stored ended, with its lines, once it"
      + " accepts them again (it stayed running until the next start)")
  void anEndDuringAnOutageIsStoredAfterIt() throws Exception {
    PostgresServer postgres = PostgresServer.shared();
    String database = postgres.newDatabase();
    String url = "postgresql://postgres@127.0.0.1:" + postgres.port() + "/" + database;
    int port = TestServer.freePort();
    servers.add(ServerJvm.start(dataDir, port, List.of("--database-url=" + url)));
    Api api = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
    Path go = dataDir.resolve("go");
    Path ended = dataDir.resolve("ended");
    // the run waits for the test's word, so that it ends while the database refuses connections
    String id = api.startRun("echo started; while [ ! -e " + go + " ]; do sleep 0.05; done; echo finishing; touch "
        + ended).getString("id");
    api.awaitRun(id, run -> "running".equals(run.getString("status")), Duration.ofSeconds(30));

    postgres.psql("postgres", "-c", "ALTER DATABASE " + database + " ALLOW_CONNECTIONS false",
        "-c", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" + database + "'");
    awaitHealth(api, 503);
    Files.writeString(go, "");
    awaitLog("run end(s) wait and are stored once it does");
    assertTrue(Files.exists(ended));

    postgres.psql("postgres", "-c", "ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
    JsonObject run = api.awaitRun(id, r -> !"running".equals(r.getString("status")), Duration.ofSeconds(60));
    assertEquals("completed", run.getString("status"), run.encode());
    assertEquals(0, run.getInteger("exit_code"), run.encode());
    assertEquals(List.of("started", "finishing"), api.allLines(id).stream().map(line -> line.getString("line")).toList());
    assertTrue(Files.readString(dataDir.resolve("server.log")).contains("the database answers again"));
  }

  /** Polls the server's log for {@code text}. */
  private void awaitLog(String text) throws Exception {
    Instant end = Instant.now().plus(Duration.ofSeconds(30));
    while (Instant.now().isBefore(end)) {
      if (Files.readString(dataDir.resolve("server.log")).contains(text)) {
        return;
      }
      LockSupport.parkNanos(100_000_000L);
    }
    throw new AssertionError("the server's log never said: " + text);
  }

  @Test
  @DisplayName("a malformed --database-url stops the start with an error naming database.url, not the password")
  void badUrlStopsTheStart() throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path output = dataDir.resolve("bad.log");
    Process process = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "dev.scriptd.Main",
        "--port=" + TestServer.freePort(), "--data-dir=" + dataDir, "--admin-token=" + TestServer.ADMIN_TOKEN,
        "--database-url=mysql://root:" + PASSWORD + "@127.0.0.1/scriptd")
        .directory(dataDir.toFile()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    servers.add(process);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the server should exit");
    assertNotEquals(0, process.exitValue());
    String log = Files.readString(output);
    assertTrue(log.contains("database.url"), log);
    assertTrue(log.contains("postgresql://user:password@host:5432/database"), log);
    assertFalse(log.contains(PASSWORD), log);
  }

  private static HttpResponse<String> awaitHealth(Api api, int status) throws Exception {
    Instant end = Instant.now().plus(Duration.ofSeconds(30));
    HttpResponse<String> last = null;
    while (Instant.now().isBefore(end)) {
      last = api.client.send(HttpRequest.newBuilder(URI.create(api.base + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      if (last.statusCode() == status) {
        return last;
      }
      LockSupport.parkNanos(100_000_000L);
    }
    throw new AssertionError("/health never answered " + status + "; last: " + (last == null ? null : last.body()));
  }
}
