package dev.scriptd.http;

import dev.scriptd.bus.Addresses;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.http.tail.TailHub;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/** Builds scriptd's router: API routes, health, and problem+json for every failure. */
public final class ApiRouter {
  private ApiRouter() {
  }

  /** The hub must be started by the caller (and stopped with the router's server). */
  public static Router create(Vertx vertx, ScriptdConfig config, TailHub hub) {
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
    router.get("/health").handler(ctx -> health(bus, ctx));
    router.get("/api/events").handler(ctx -> hub.runEvents().open(ctx.response()));
    RunRoutes runRoutes = new RunRoutes(bus, new LiveTails(hub));
    new ScriptRoutes(bus, runRoutes, config.runs().defaultTimeoutSeconds()).mount(router); // before the run routes: /api/runs/stats is not a run id
    runRoutes.mount(router);
    WebUi.mount(router);

    router.route().failureHandler(problems::handle);
    for (int status : new int[] {400, 404, 405, 413, 415, 500}) {
      router.errorHandler(status, problems::handle);
    }
    return router;
  }

  private static void health(Bus bus, io.vertx.ext.web.RoutingContext ctx) {
    bus.<JsonObject>request(Addresses.DB_HEALTH, null)
        .onSuccess(database -> Json.send(ctx, 200, new JsonObject().put("status", "UP")
            .put("checks", new JsonObject().put("database", database.put("status", "UP")))))
        .onFailure(failure -> Json.send(ctx, 503, new JsonObject().put("status", "DOWN")
            .put("checks", new JsonObject().put("database", new JsonObject()
                .put("status", "DOWN").put("error", failure.getMessage())))));
  }
}
