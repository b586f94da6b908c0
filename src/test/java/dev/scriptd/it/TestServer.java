package dev.scriptd.it;

import dev.scriptd.Scriptd;
import dev.scriptd.ScriptdHandle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real scriptd deployed into the test's Vertx, on a free port, with its data in a temp dir. */
final class TestServer {
  /** The admin token every test server starts with (config admin_token). */
  static final String ADMIN_TOKEN = "sd_test-admin-token-0123456789abcdef";

  final Vertx vertx;
  final ScriptdHandle handle;
  final int port;
  final Api api;

  private TestServer(Vertx vertx, ScriptdHandle handle, int port) {
    this.vertx = vertx;
    this.handle = handle;
    this.port = port;
    this.api = new Api("http://127.0.0.1:" + port, ADMIN_TOKEN);
  }

  static JsonObject config(Path dataDir, int port) {
    return new JsonObject()
        .put("host", "127.0.0.1")
        .put("port", port)
        .put("data_dir", dataDir.toString())
        .put("admin_token", ADMIN_TOKEN)
        .put("http", new JsonObject().put("instances", 2))
        .put("runs", new JsonObject().put("kill_grace_ms", 1000));
  }

  /** As {@link #config(Path, int)}, on PostgreSQL when {@code databaseUrl} is not null (else SQLite). */
  static JsonObject config(Path dataDir, int port, String databaseUrl) {
    JsonObject config = config(dataDir, port);
    if (databaseUrl != null) {
      config.put("database", new JsonObject().put("url", databaseUrl));
    }
    return config;
  }

  static TestServer start(Vertx vertx, Path dataDir) throws Exception {
    return start(vertx, config(dataDir, freePort()));
  }

  /** On PostgreSQL when {@code databaseUrl} is not null (e.g. PostgresServer.shared().newDatabaseUrl()). */
  static TestServer start(Vertx vertx, Path dataDir, String databaseUrl) throws Exception {
    return start(vertx, config(dataDir, freePort(), databaseUrl));
  }

  static TestServer start(Vertx vertx, JsonObject config) throws Exception {
    ScriptdHandle handle = Scriptd.deploy(vertx, config).await(30, TimeUnit.SECONDS);
    return new TestServer(vertx, handle, config.getInteger("port"));
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  void close() throws Exception {
    handle.close().await(30, TimeUnit.SECONDS);
  }
}
