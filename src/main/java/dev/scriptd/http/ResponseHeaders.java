package dev.scriptd.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * First handler of every request. HEAD is served as GET without a body (Vert.x sends the GET's
 * status and headers and drops the body) on every route but {@code /hooks/*}, whose endpoints
 * declare their own methods. Then every response gets the security headers of its area, set when
 * its headers are written, so whatever a route or a program put there is replaced:
 * <ul>
 * <li>{@code /hooks/*}: {@code Content-Security-Policy: sandbox} (the page runs in an opaque origin,
 * so an endpoint's HTML cannot act as the UI: no cookie, no same-origin fetch) and nosniff;</li>
 * <li>the API, {@code /health}, {@code /metrics}: nosniff;</li>
 * <li>the UI: a strict CSP (scripts only from the server itself, no framing), {@code X-Frame-Options:
 * DENY}, nosniff and {@code Referrer-Policy: no-referrer}.</li>
 * </ul>
 */
final class ResponseHeaders implements Handler<RoutingContext> {
  /**
   * The UI's policy. Styles allow 'unsafe-inline' because xterm.js writes its theme into
   * {@code <style>} elements and the UI sets a few style attributes; scripts never run inline.
   */
  static final String UI_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
      + " img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none';"
      + " form-action 'self'; frame-ancestors 'none'";
  static final String ENDPOINT_POLICY = "sandbox";

  enum Area { API, ENDPOINT, UI }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String path = AuthHandler.path(ctx);
    Area area = area(path);
    if (request.method() == HttpMethod.HEAD && area != Area.ENDPOINT) {
      // a new pass through the router as GET (this handler runs again and sees GET)
      ctx.reroute(HttpMethod.GET, request.uri());
      return;
    }
    ctx.addHeadersEndHandler(ignored -> apply(area, ctx.response().headers()));
    ctx.next();
  }

  /** Which rules a path (below the mount point) follows. */
  static Area area(String path) {
    if (path.startsWith(HookRoutes.PREFIX) || path.equals("/hooks")) {
      return Area.ENDPOINT;
    }
    if (path.equals("/api") || path.startsWith("/api/") || path.equals("/health") || path.startsWith("/health/")
        || path.equals("/metrics") || path.startsWith("/metrics/")) {
      return Area.API;
    }
    return Area.UI;
  }

  // names and values encoded once (set on every response)
  private static final CharSequence CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence SECURITY_POLICY = HttpHeaders.createOptimized("Content-Security-Policy");
  private static final CharSequence ENDPOINT_POLICY_VALUE = HttpHeaders.createOptimized(ENDPOINT_POLICY);
  private static final CharSequence UI_POLICY_VALUE = HttpHeaders.createOptimized(UI_POLICY);
  private static final CharSequence FRAME_OPTIONS = HttpHeaders.createOptimized("X-Frame-Options");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence REFERRER_POLICY = HttpHeaders.createOptimized("Referrer-Policy");
  private static final CharSequence NO_REFERRER = HttpHeaders.createOptimized("no-referrer");

  static void apply(Area area, MultiMap headers) {
    headers.set(CONTENT_TYPE_OPTIONS, NOSNIFF);
    switch (area) {
      case ENDPOINT -> headers.set(SECURITY_POLICY, ENDPOINT_POLICY_VALUE);
      case UI -> headers.set(SECURITY_POLICY, UI_POLICY_VALUE)
          .set(FRAME_OPTIONS, DENY)
          .set(REFERRER_POLICY, NO_REFERRER);
      case API -> {
        // nosniff only: JSON and text are never rendered as pages
      }
    }
  }
}
