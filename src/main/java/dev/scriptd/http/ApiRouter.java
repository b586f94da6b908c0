package dev.scriptd.http;

import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.http.tail.TailHub;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** Builds scriptd's router: API routes, health, metrics, and problem+json for every failure. */
public final class ApiRouter {
  private ApiRouter() {
  }

  /** The hub must be started by the caller (and stopped with the router's server). */
  public static Router create(Vertx vertx, ScriptdConfig config, TailHub hub, ScriptdMetrics metrics) {
    Router router = Router.router(vertx);
    Problems problems = new Problems(config.http().maxBodyBytes());
    Bus bus = new Bus(vertx.eventBus());

    // bodies only where requests have them; GET stays untouched so WebSocket upgrades work
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes());
    router.route("/api/*").handler(ctx -> {
      HttpMethod method = ctx.request().method();
      if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
        ctx.next();
      } else {
        bodies.handle(ctx);
      }
    });
    router.get("/health").handler(new Health(vertx, config)::handle);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics.scrapeRegistry()));
    router.get("/api/events").handler(ctx -> hub.runEvents().open(ctx.response()));
    RunRoutes runRoutes = new RunRoutes(bus, new LiveTails(hub));
    new ScriptRoutes(bus, runRoutes, config.runs().defaultTimeoutSeconds()).mount(router); // before the run routes: /api/runs/stats is not a run id
    runRoutes.mount(router);
    new JsRoutes(bus, hub).mount(router);
    new HookRoutes(vertx, bus, config.http().maxBodyBytes(), HookRoutes::refuseTokens).mount(router);
    WebUi.mount(router);

    router.route().failureHandler(problems::handle);
    for (int status : new int[] {400, 404, 405, 413, 415, 500}) {
      router.errorHandler(status, problems::handle);
    }
    return router;
  }
}
