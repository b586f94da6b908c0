package dev.scriptd.ui;

import dev.scriptd.Scriptd;
import dev.scriptd.ScriptdHandle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.support.ui.FluentWait;

/** The real scriptd, deployed in-process on a free port with its data in a temp dir, plus a tiny API client. */
final class UiServer implements AutoCloseable {
  /** The admin token of the UI test server; the browser logs in with {@code /?token=}. */
  static final String ADMIN_TOKEN = "sd_ui-test-admin-token-0123456789abcdef";
  private static final Set<String> FINAL = Set.of("completed", "failed", "killed", "timed_out", "lost");

  final Vertx vertx;
  final ScriptdHandle handle;
  final String base;
  private final HttpClient http = HttpClient.newHttpClient();

  private UiServer(Vertx vertx, ScriptdHandle handle, int port) {
    this.vertx = vertx;
    this.handle = handle;
    this.base = "http://127.0.0.1:" + port;
  }

  static UiServer start(Path dataDir) throws Exception {
    return start(dataDir, freePort(), new JsonObject());
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** On {@code port}, with {@code extra} merged over the test config (e.g. an {@code auth} section). */
  static UiServer start(Path dataDir, int port, JsonObject extra) throws Exception {
    JsonObject config = new JsonObject()
        .put("host", "127.0.0.1")
        .put("port", port)
        .put("data_dir", dataDir.toString())
        .put("admin_token", ADMIN_TOKEN)
        .put("rate_limit", 0)
        .put("http", new JsonObject().put("instances", 2))
        .put("runs", new JsonObject().put("kill_grace_ms", 1000));
    config.mergeIn(extra, true);
    Vertx vertx = Vertx.vertx();
    ScriptdHandle handle = Scriptd.deploy(vertx, config).await(30, TimeUnit.SECONDS);
    return new UiServer(vertx, handle, port);
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonObject getJson(String path) throws IOException, InterruptedException {
    return new JsonObject(get(path).body());
  }

  JsonObject post(String path, JsonObject body) throws IOException, InterruptedException {
    return send("POST", path, body);
  }

  /** A JSON request as the admin; fails on any status from 300 up. */
  JsonObject send(String method, String path, JsonObject body) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + ADMIN_TOKEN)
        .method(method, HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + " -> " + response.statusCode() + " " + response.body());
    }
    return new JsonObject(response.body());
  }

  /** Polls the run until it has a final status (or fails after the timeout); returns it. */
  JsonObject awaitFinished(String runId, Duration timeout) {
    return new FluentWait<>(this).withTimeout(timeout).pollingEvery(Duration.ofMillis(50))
        .withMessage("run " + runId + " finishes")
        .until(s -> {
          try {
            JsonObject run = s.getJson("/api/runs/" + runId);
            return FINAL.contains(run.getString("status")) ? run : null;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        });
  }

  /** GET with another token (or none when null). */
  HttpResponse<String> getAs(String token, String path) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws Exception {
    try {
      handle.close().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }
}
