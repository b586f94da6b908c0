package dev.scriptd.it;

import dev.scriptd.Scriptd;
import dev.scriptd.ScriptdHandle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A host application as a developer writes it, for {@link EmbeddedShutdownTest}: scriptd deployed
 * from its verticle's start() (a child deployment), the verticle's stop() closing the handle, and
 * (with {@code hook}) a JVM shutdown hook that closes the Vertx on SIGTERM. Arguments: data dir,
 * port, {@code hook} or {@code no-hook}.
 */
public final class EmbeddedHostMain {
  private EmbeddedHostMain() {
  }

  static final class Host extends VerticleBase {
    private final JsonObject config;
    private ScriptdHandle scriptd;

    Host(JsonObject config) {
      this.config = config;
    }

    @Override
    public Future<?> start() {
      return Scriptd.deploy(vertx, config).onSuccess(handle -> scriptd = handle);
    }

    @Override
    public Future<?> stop() {
      return scriptd == null ? Future.succeededFuture() : scriptd.close();
    }
  }

  public static void main(String[] args) throws Exception {
    JsonObject config = new JsonObject().put("data_dir", Path.of(args[0]).toString())
        .put("port", Integer.parseInt(args[1])).put("host", "127.0.0.1")
        .put("admin_token", TestServer.ADMIN_TOKEN)
        .put("runs", new JsonObject().put("kill_grace_ms", 500));
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(new Host(config)).await(60, TimeUnit.SECONDS);
    if ("hook".equals(args[2])) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          vertx.close().await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
  }
}
