package dev.scriptd.http;

import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.RunReads;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.config.SecurityConfig;
import dev.scriptd.config.SsoConfig;
import dev.scriptd.config.TrafficConfig;
import dev.scriptd.http.tail.TailHub;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.function.IntSupplier;

/** Serves the API. Deployed with several instances; Vert.x spreads connections across them. */
public final class HttpVerticle extends VerticleBase {
  private final ScriptDefinitions scripts;
  private HttpServer server;
  private TailHub hub;
  private HttpSecurity security;
  private ScriptdMetrics metrics;
  private IntSupplier subscribers;
  private final RunReads runs;
  private final String nodeId;

  /**
   * {@code scripts}: the script definition rules; {@code runs}: the run reads shared by every
   * instance. Both come from the composition root. A single node's.
   */
  public HttpVerticle(ScriptDefinitions scripts, RunReads runs) {
    this(scripts, runs, null);
  }

  /** As {@link #HttpVerticle(ScriptDefinitions, RunReads)}; {@code nodeId}: this node's id in a cluster, else null. */
  public HttpVerticle(ScriptDefinitions scripts, RunReads runs, String nodeId) {
    this.scripts = scripts;
    this.runs = runs;
    this.nodeId = nodeId;
  }

  @Override
  public Future<?> start() {
    ScriptdConfig config = ScriptdConfig.fromJson(config());
    Namespace ns = Namespace.from(config());
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(config.http().port())
        .setCompressionSupported(false)
        .setMaxInitialLineLength(16 * 1024)
        .setMaxHeaderSize(32 * 1024)
        // every response is written from this verticle's event loop, so a connection needs no
        // cross-thread outbound queue: about 5 KB less per open connection (idle tails add up)
        .setStrictThreadMode(true)
        // no cleartext HTTP/2: Vert.x's HTTP/2 responses keep the body of a HEAD that a GET route
        // answers, and its detection of the preface holds a new connection before any handler sees
        // it, so a client sending a few bytes could keep it open past every timeout
        .setHttp2ClearTextEnabled(false);
    hub = new TailHub(vertx, ns, config.tail(), nodeId);
    metrics = ScriptdMetrics.of(vertx, config());
    subscribers = hub::subscriberCount;
    metrics.addTailSource(subscribers);
    SecurityConfig securityConfig = SecurityConfig.fromJson(config());
    security = new HttpSecurity(vertx, ns, config, securityConfig, SsoConfig.fromJson(config()));
    TrafficConfig traffic = TrafficConfig.fromJson(config());
    Router router = ApiRouter.create(vertx, ns, config, hub, metrics, security, scripts, traffic, runs);
    // the open-file limit is read from /proc: off the event loop
    return vertx.executeBlocking(TrafficConfig::fdSoftLimit).compose(fdLimit -> {
      SharedTraffic shared = SharedTraffic.of(vertx, ApiRouter.trafficKey(ns, config));
      ConnectionGuard guard = new ConnectionGuard(vertx, shared.connections,
          traffic.connections().maxConnections(fdLimit), traffic.connections(), security.tokens(),
          securityConfig.auth().enabled());
      guard.install(router);
      server = vertx.createHttpServer(options).connectionHandler(guard::connected).requestHandler(router);
      return security.start().compose(ok -> hub.start()).compose(ok -> server.listen());
    });
  }

  @Override
  public Future<?> stop() {
    if (metrics != null) {
      metrics.removeTailSource(subscribers);
    }
    Future<Void> tails = hub == null ? Future.succeededFuture() : hub.stop();
    return tails.compose(ok -> server == null ? Future.succeededFuture() : server.close())
        .eventually(() -> security == null ? Future.succeededFuture() : security.stop());
  }
}
