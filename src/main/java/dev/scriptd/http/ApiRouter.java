package dev.scriptd.http;

import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.RunReads;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.config.TrafficConfig;
import dev.scriptd.http.tail.TailHub;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.Locale;

/** Builds scriptd's router: API routes, health, metrics, and problem+json for every failure. */
public final class ApiRouter {
  private ApiRouter() {
  }

  /** Which counters of {@link SharedTraffic} a server uses: one set per deployment and listening address. */
  static String trafficKey(Namespace ns, ScriptdConfig config) {
    return ns.name() + "@" + config.http().host() + ":" + config.http().port();
  }

  /**
   * The hub must be started by the caller (and stopped with the router's server). {@code scripts}
   * checks script definitions (the composition root hands it over; HTTP does not import scripts).
   */
  public static Router create(Vertx vertx, Namespace ns, ScriptdConfig config, TailHub hub,
      ScriptdMetrics metrics, HttpSecurity security, ScriptDefinitions scripts, TrafficConfig traffic,
      RunReads runs) {
    Router router = Router.router(vertx);
    SharedTraffic shared = SharedTraffic.of(vertx, trafficKey(ns, config));
    // streams opened with a token end as soon as it is revoked, those opened with a single sign-on
    // session as soon as it ends (logout, published like a revocation) or expires
    StreamGate streams = new StreamGate(shared.streams, traffic.connections(), vertx, hub::revoked);
    security.tokens().onRevoked(hub::revoked);
    security.guard(router, metrics); // first: tokens, roles and the rate limit before anything else
    Problems problems = new Problems(config.http().maxBodyBytes());
    Bus bus = new Bus(vertx.eventBus(), ns);

    // bodies only where requests have them; GET stays untouched so WebSocket upgrades work
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes());
    router.route("/api/*").handler(ctx -> {
      // only the methods the API takes bodies with: BodyHandler throws on a multipart TRACE or FOO
      HttpMethod method = ctx.request().method();
      if (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH
          || method == HttpMethod.DELETE) {
        String type = ctx.request().getHeader("Content-Type");
        if (type != null && (type.regionMatches(true, 0, "multipart/", 0, 10)
            || type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33))
            || hasBody(ctx.request()) && !isJson(type) && !takesYaml(ctx, type)) {
          // the API reads JSON only (and YAML on apply); and a page elsewhere can send text/plain,
          // forms and multipart without asking the browser first (no CORS preflight), never a
          // JSON or YAML type
          ctx.fail(new ApiException(415, "unsupported-media-type", "the API takes JSON bodies; send"
              + " Content-Type: application/json" + (type == null ? "" : " (this request says " + brief(type) + ")")));
          return;
        }
        bodies.handle(ctx);
      } else {
        ctx.next();
      }
    });
    router.get("/health").handler(new Health(vertx, ns, config)::handle);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics.scrapeRegistry()));
    new ApiDocs(vertx.fileSystem(), config.http().publicUrl()).mount(router);
    router.get("/api/events").handler(ctx -> hub.runEvents().open(ctx.request(), streams.admit(ctx)));
    RunRoutes runRoutes = new RunRoutes(bus, runs, new LiveTails(hub, streams), security.adhoc(),
        new RunLines(vertx.eventBus(), bus, hub.nodeId()));
    ScriptRoutes scriptRoutes = new ScriptRoutes(bus, runs, runRoutes, scripts);
    // the run routes, the most read, come first: a request is matched against the routes in order,
    // and each /api/scripts/:id... route before it costs a regular-expression match
    scriptRoutes.mountRunRoutes(router); // before the run routes: /api/runs/stats is not a run id
    runRoutes.mount(router);
    new ScriptFileRoutes(bus, scripts).mount(router); // before /api/scripts/:id, which would take "export"
    scriptRoutes.mount(router);
    new SearchRoutes(bus).mount(router);
    new NotificationRoutes(bus).mount(router);
    new ClusterRoutes(bus).mount(router);
    security.mountRoutes(router, bus);
    new JsRoutes(bus, hub, streams).mount(router);
    EndpointRequestView requestView = new EndpointRequestView(security.endpointCredentials().dropHeaders(),
        security.endpointCredentials().dropQuery());
    new HookRoutes(vertx, bus, config.http().maxBodyBytes(), security::hookAllowed, requestView,
        new EndpointLimiter(shared.endpointRates, traffic.endpoints()), hub.everyNode()).mount(router);
    WebUi.mount(router);

    router.route().failureHandler(problems::handle);
    for (int status : new int[] {400, 401, 403, 404, 413, 415, 429, 500}) {
      router.errorHandler(status, problems::handle);
    }
    // every route is mounted by now; a 405 names the methods the path does take
    AllowedMethods allowed = AllowedMethods.of(router);
    router.errorHandler(405, ctx -> {
      String methods = allowed.at(ctx.request().path());
      if (methods != null && !ctx.response().headWritten()) {
        ctx.response().putHeader("Allow", methods);
      }
      problems.handle(ctx);
    });
    return router;
  }

  /** A body follows when Content-Length is above 0 or the body is chunked. */
  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      return !length.trim().equals("0");
    }
    return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  /** A YAML body, which only {@code POST /api/scripts/apply} takes. */
  private static boolean takesYaml(RoutingContext ctx, String type) {
    return ScriptFileRoutes.isYaml(type) && ctx.request().method() == HttpMethod.POST
        && AuthHandler.path(ctx).equals(ScriptFileRoutes.APPLY_PATH);
  }

  /** {@code application/json} or any {@code type/subtype+json}, parameters aside. */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType).trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json") || type.indexOf('/') > 0 && type.endsWith("+json");
  }

  private static String brief(String text) {
    String clean = text.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
  }
}
