package dev.scriptd.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * Serves the web UI: {@code webroot/} (the working directory's folder when present, else the copy
 * packed into the jar) and the browser libraries from WebJars under {@code /webjars/}. Mounted after
 * the API routes, for GET and HEAD only and never under {@code /api/}, so an unknown API path still
 * gets its problem+json 404.
 */
final class WebUi {
  private static final long ONE_YEAR = 365L * 24 * 3600;

  private WebUi() {
  }

  static void mount(Router router) {
    // WebJar paths carry the library version, so they never change: cache them for a year
    StaticHandler webjars = StaticHandler.create("META-INF/resources/webjars")
        .setMaxAgeSeconds(ONE_YEAR)
        .setDirectoryListing(false);
    router.route("/webjars/*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(webjars);

    // the UI's own files change with each release: let browsers keep them but revalidate every
    // time (Last-Modified / If-Modified-Since gives a 304 when nothing changed)
    StaticHandler webroot = StaticHandler.create("webroot")
        .setIndexPage("index.html")
        .setDirectoryListing(false);
    router.route().method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(ctx -> {
          String path = relativePath(ctx);
          if (path.equals("/api") || path.startsWith("/api/") || path.startsWith("/hooks/")) {
            ctx.next();
          } else {
            revalidate(ctx);
          }
        })
        .handler(webroot);
  }

  /** The path below the mount point, so the rule holds when a host mounts scriptd under a prefix. */
  private static String relativePath(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    String mount = ctx.mountPoint();
    if (mount != null && !mount.isEmpty() && !mount.equals("/") && path.startsWith(mount)) {
      String rest = path.substring(mount.endsWith("/") ? mount.length() - 1 : mount.length());
      return rest.isEmpty() ? "/" : rest;
    }
    return path;
  }

  private static void revalidate(RoutingContext ctx) {
    ctx.addHeadersEndHandler(ignored -> {
      if (ctx.response().getStatusCode() < 400) {
        ctx.response().headers().set("Cache-Control", "no-cache");
      }
    });
    ctx.next();
  }
}
