package dev.scriptd.http;

import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.http.tail.TailHub;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.function.IntSupplier;

/** Serves the API. Deployed with several instances; Vert.x spreads connections across them. */
public final class HttpVerticle extends VerticleBase {
  private HttpServer server;
  private TailHub hub;
  private ScriptdMetrics metrics;
  private IntSupplier subscribers;

  @Override
  public Future<?> start() {
    ScriptdConfig config = ScriptdConfig.fromJson(config());
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(config.http().port())
        .setCompressionSupported(false)
        .setMaxInitialLineLength(16 * 1024)
        .setMaxHeaderSize(32 * 1024);
    hub = new TailHub(vertx, config.tail());
    metrics = ScriptdMetrics.of(vertx, config());
    subscribers = hub::subscriberCount;
    metrics.addTailSource(subscribers);
    server = vertx.createHttpServer(options).requestHandler(ApiRouter.create(vertx, config, hub, metrics));
    return hub.start().compose(ok -> server.listen());
  }

  @Override
  public Future<?> stop() {
    if (metrics != null) {
      metrics.removeTailSource(subscribers);
    }
    Future<Void> tails = hub == null ? Future.succeededFuture() : hub.stop();
    return tails.compose(ok -> server == null ? Future.succeededFuture() : server.close());
  }
}
