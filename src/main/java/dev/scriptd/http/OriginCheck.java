package dev.scriptd.http;

import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Requests authenticated by a session cookie must come from scriptd's own pages. Browsers attach
 * the cookie to requests that other pages start (a page on another port of the same host is the
 * same site, so SameSite=Strict does not help), so a cookie-authenticated request that changes
 * something (any method but GET, HEAD and OPTIONS) and every cookie-authenticated WebSocket upgrade
 * must carry an {@code Origin} equal to the request's own origin (scheme, Host) or to the public
 * URL's; without {@code Origin}, {@code Sec-Fetch-Site: same-origin} is accepted. With neither the
 * request is refused: browsers send one of them on every such request, so only non-browser clients
 * lack both, and those can send a bearer token. Requests with {@code Authorization: Bearer} or
 * {@code ?token=} are not affected: a page elsewhere cannot make a browser add those. Refusals are
 * 403 problem+json saying why; on {@code /hooks/*} the cookie is ignored instead.
 */
final class OriginCheck implements Handler<RoutingContext> {
  /** Cookies that authenticate a browser (the token cookie; a single sign-on session cookie). */
  static final Set<String> SESSION_COOKIES = Set.of(TokenCheck.COOKIE, "scriptd_session");

  private final String publicOrigin;

  /** {@code publicUrl}: where users reach the server; its origin is accepted besides the request's own. */
  OriginCheck(String publicUrl) {
    this.publicOrigin = origin(publicUrl);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String refusal = null;
    if (needsCheck(request.method(), isUpgrade(request)) && cookieAuthenticated(request)) {
      refusal = refusal(request.getHeader(HttpHeaders.ORIGIN), request.getHeader("Sec-Fetch-Site"),
          ownOrigin(request));
    }
    if (refusal == null) {
      ctx.next();
    } else if (AuthHandler.path(ctx).startsWith(HookRoutes.PREFIX)) {
      // an endpoint decides by its own auth: there the cookie just does not count, so a public
      // endpoint answers as for anyone and an auth: token one asks for a token (401)
      ctx.remove(AuthHandler.TOKEN);
      ctx.remove(AuthHandler.CALLER);
      ctx.next();
    } else {
      ctx.fail(new ApiException(403, "cross-origin", refusal));
    }
  }

  /** Changes (not GET, HEAD, OPTIONS) and WebSocket upgrades need the check. */
  static boolean needsCheck(HttpMethod method, boolean upgrade) {
    return upgrade || !(method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS);
  }

  private static boolean isUpgrade(HttpServerRequest request) {
    String upgrade = request.getHeader(HttpHeaders.UPGRADE);
    return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket");
  }

  private static boolean cookieAuthenticated(HttpServerRequest request) {
    boolean sessionCookie = false;
    for (String name : SESSION_COOKIES) {
      Cookie cookie = request.getCookie(name);
      sessionCookie |= cookie != null && !cookie.getValue().isEmpty();
    }
    return cookieAuthenticated(request.getHeader(HttpHeaders.AUTHORIZATION), request.getParam("token"),
        sessionCookie);
  }

  /**
   * True when the request's credential is a session cookie: a bearer header or {@code ?token=} is
   * what the server reads first, and a page on another site cannot make a browser send those.
   */
  static boolean cookieAuthenticated(String authorization, String queryToken, boolean sessionCookie) {
    boolean bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7);
    boolean query = queryToken != null && !queryToken.isEmpty();
    return sessionCookie && !bearer && !query;
  }

  /** The origin the client addressed: the connection's scheme and the Host header, or null without Host. */
  private static String ownOrigin(HttpServerRequest request) {
    HostAndPort authority = request.authority();
    if (authority == null) {
      return null;
    }
    String host = authority.host();
    String bracketed = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return origin(request.scheme() + "://" + bracketed + (authority.port() > 0 ? ":" + authority.port() : ""));
  }

  /** Why a cookie-authenticated change or upgrade is refused, or null when it comes from scriptd's own origin. */
  String refusal(String originHeader, String fetchSite, String requestOrigin) {
    if (originHeader != null) {
      String origin = origin(originHeader);
      if (origin != null && (origin.equals(requestOrigin) || origin.equals(publicOrigin))) {
        return null;
      }
      return "a request authenticated by the session cookie must come from scriptd's own pages; this one came from"
          + " Origin " + brief(originHeader) + ", which is neither " + (requestOrigin == null ? "the request's host"
          : requestOrigin) + " nor public_url (" + publicOrigin + "). Use the UI, or send Authorization: Bearer <token>";
    }
    if (fetchSite != null) {
      if (fetchSite.trim().equalsIgnoreCase("same-origin")) {
        return null;
      }
      return "a request authenticated by the session cookie must come from scriptd's own pages; the browser says"
          + " this one is Sec-Fetch-Site: " + brief(fetchSite) + ". Use the UI, or send Authorization: Bearer <token>";
    }
    return "a request authenticated by the session cookie that changes something must say where it comes from"
        + " (Origin or Sec-Fetch-Site, as browsers do); a client outside the browser should send"
        + " Authorization: Bearer <token> instead of the cookie";
  }

  /**
   * {@code scheme://host:port} in lower case with the port always written, so that
   * {@code http://Example.com} and {@code http://example.com:80} compare equal; null when the text is
   * not an http(s) origin (including the opaque origin {@code null}).
   */
  static String origin(String url) {
    if (url == null) {
      return null;
    }
    try {
      URI uri = new URI(url.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
        return null;
      }
      int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
      return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static String brief(String text) {
    String clean = text.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
  }
}
