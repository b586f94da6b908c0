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
  public static Router create(Vertx vertx, ScriptdConfig config, TailHub hub, HttpSecurity security) {
    Router router = Router.router(vertx);
    security.guard(router); // first: tokens, roles and the rate limit before anything else
    Problems problems = new Problems(config.http().maxBodyBytes());
    Bus bus = new Bus(vertx.eventBus());

    // bodies only where requests have them; GET stays untouched so WebSocket upgrades work
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes());
    router.route("/api/*").handler(ctx -> {
      // only the methods the API takes bodies with: BodyHandler throws on a multipart TRACE or FOO
      HttpMethod method = ctx.request().method();
      if (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH
          || method == HttpMethod.DELETE) {
        bodies.handle(ctx);
      } else {
        ctx.next();
      }
    });
    router.get("/health").handler(ctx -> health(bus, ctx));
    router.get("/api/events").handler(ctx -> hub.runEvents().open(ctx.response()));
    new RunRoutes(bus, new LiveTails(hub), security.adhoc()).mount(router);
    security.mountRoutes(router, bus);
    WebUi.mount(router);

    router.route().failureHandler(problems::handle);
    for (int status : new int[] {400, 401, 403, 404, 405, 413, 415, 429, 500}) {
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
