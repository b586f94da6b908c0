package dev.scriptd.http;

import dev.scriptd.bus.Addresses;
import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/** Builds scriptd's router: API routes, health, and problem+json for every failure. */
public final class ApiRouter {
  private ApiRouter() {
  }

  public static Router create(Vertx vertx, ScriptdConfig config) {
    Router router = Router.router(vertx);
    Problems problems = new Problems(config.http().maxBodyBytes());
    Bus bus = new Bus(vertx.eventBus());

    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes()));
    router.get("/health").handler(ctx -> health(bus, ctx));
    new RunRoutes(bus).mount(router);

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
