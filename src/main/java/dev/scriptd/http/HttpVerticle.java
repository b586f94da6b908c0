package dev.scriptd.http;

import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/** Serves the API. Deployed with several instances; Vert.x spreads connections across them. */
public final class HttpVerticle extends VerticleBase {
  private HttpServer server;

  @Override
  public Future<?> start() {
    ScriptdConfig config = ScriptdConfig.fromJson(config());
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(config.http().port())
        .setCompressionSupported(false)
        .setMaxInitialLineLength(16 * 1024)
        .setMaxHeaderSize(32 * 1024);
    server = vertx.createHttpServer(options).requestHandler(ApiRouter.create(vertx, config));
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
