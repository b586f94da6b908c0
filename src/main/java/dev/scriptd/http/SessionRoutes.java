package dev.scriptd.http;

import dev.scriptd.auth.ApiToken;
import dev.scriptd.auth.Caller;
import dev.scriptd.auth.SessionCheck;
import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The UI's session: {@code POST /api/login {"token"}} sets the HttpOnly, SameSite=Strict
 * {@code scriptd_token} cookie (it holds the token itself), {@code POST /api/logout} clears it,
 * {@code GET /api/me} names the caller, and {@code GET /?token=...} (the link printed at first start)
 * sets the cookie and redirects to {@code /} when the person opened it, or asks first when another
 * page led there.
 */
final class SessionRoutes {
  private final AuthHandler auth;
  private final SessionLookup sessions;
  private final boolean authEnabled;

  /** Without single sign-on sessions to end at logout. */
  SessionRoutes(AuthHandler auth, boolean authEnabled) {
    this(auth, null, authEnabled);
  }

  SessionRoutes(AuthHandler auth, SessionLookup sessions, boolean authEnabled) {
    this.auth = auth;
    this.sessions = sessions;
    this.authEnabled = authEnabled;
  }

  void mount(Router router) {
    router.post("/api/login").handler(this::login);
    router.post("/api/logout").handler(this::logout);
    router.get("/api/me").handler(this::me);
    router.get("/").handler(this::link);
  }

  private void login(RoutingContext ctx) {
    JsonObject body = Json.bodyObject(ctx);
    Fields fields = new Fields();
    String secret = fields.requiredString(body, "token", 256);
    fields.check();
    // a refused login names nobody, whatever session the browser already has
    AuditTrail.actor(ctx, Caller.anonymous());
    auth.login(secret.trim())
        .onSuccess(token -> {
          AuditTrail.actor(ctx, Caller.of(token));
          ctx.response().addCookie(cookie(secret.trim())).addCookie(hint("1"));
          Json.send(ctx, 200, me(Caller.of(token)));
        })
        .onFailure(ctx::fail);
  }

  /** Clears the cookies; a single sign-on session also ends server-side, so a copy of its cookie is worthless. */
  private void logout(RoutingContext ctx) {
    Cookie session = ctx.request().getCookie(SessionCheck.COOKIE);
    (sessions == null || session == null ? Future.<Void>succeededFuture() : sessions.end(session.getValue()))
        .onSuccess(v -> {
          ctx.response().addCookie(cookie("").setMaxAge(0)).addCookie(hint("").setMaxAge(0));
          if (session != null) {
            ctx.response().addCookie(Cookie.cookie(SessionCheck.COOKIE, "").setPath("/").setHttpOnly(true)
                .setSameSite(CookieSameSite.LAX).setMaxAge(0));
          }
          ctx.response().setStatusCode(204).end();
        })
        .onFailure(ctx::fail);
  }

  private void me(RoutingContext ctx) {
    Caller caller = AuthHandler.caller(ctx);
    if (!caller.authenticated()) {
      // only reachable with auth.enabled = false: everyone is admin
      Json.send(ctx, 200, new JsonObject().put("name", "anonymous").put("role", "admin").put("auth", false));
    } else {
      Json.send(ctx, 200, me(caller));
    }
  }

  private void link(RoutingContext ctx) {
    String secret = ctx.request().getParam("token");
    if (!authEnabled) {
      ctx.response().addCookie(hint("open"));
    }
    if (secret == null || !authEnabled) {
      ctx.next();
      return;
    }
    auth.login(secret.trim())
        .onSuccess(token -> {
          if (startedHere(ctx.request().getHeader("Sec-Fetch-Site"))) {
            AuditTrail.actor(ctx, Caller.of(token)); // a login through the link: recorded as one
            ctx.response().addCookie(cookie(secret.trim())).addCookie(hint("1"))
                .putHeader("Location", "/").putHeader("Cache-Control", "no-store").setStatusCode(302).end();
          } else {
            confirm(ctx, token, secret.trim());
          }
        })
        .onFailure(ctx::fail);
  }

  /**
   * True when the person opened the link themselves (typed, pasted, a bookmark: {@code none}) or
   * the UI did ({@code same-origin}). A link followed from another page (or a client that does not
   * say) must not replace the browser's session by itself: that would log a victim in as someone
   * else (login CSRF).
   */
  static boolean startedHere(String fetchSite) {
    return fetchSite != null && (fetchSite.trim().equalsIgnoreCase("none")
        || fetchSite.trim().equalsIgnoreCase("same-origin"));
  }

  /**
   * A page that asks first; its button logs in with a same-origin {@code POST /api/login}. The token
   * stays in the page (never in a Location header), the page is not cached, and the UI's
   * Referrer-Policy keeps its address out of Referer headers. Paths are relative, so it also works
   * under a host's mount point.
   */
  private static void confirm(RoutingContext ctx, ApiToken token, String secret) {
    String who = escape(token.name()) + " (" + escape(token.role().wire()) + ")";
    String page = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <meta name="color-scheme" content="dark">
          <title>scriptd: log in?</title>
          <link rel="stylesheet" href="css/app.css">
          <script src="js/login-link.js" defer></script>
        </head>
        <body>
          <section class="login">
            <form class="login-card" id="link-login">
              <h1>Log in as %s?</h1>
              <p class="muted">A page you came from wants to log this browser in to scriptd as %s. If you did not
              mean to, leave this page: your current session stays as it is.</p>
              <input type="hidden" id="link-token" value="%s">
              <div class="msg" id="link-msg" hidden></div>
              <button type="submit" class="btn btn-primary" id="link-confirm">Log in as %s</button>
              <a class="btn btn-ghost" href="./">Cancel</a>
            </form>
          </section>
        </body>
        </html>
        """.formatted(escape(token.name()), who, escape(secret), escape(token.name()));
    ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").putHeader("Cache-Control", "no-store")
        .setStatusCode(200).end(page);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }

  /** {@code source} says how the caller authenticated: {@code token} or {@code oidc}. */
  static JsonObject me(Caller caller) {
    return new JsonObject().put("id", caller.id()).put("name", caller.name()).put("role", caller.role().wire())
        .put("source", caller.type());
  }

  /**
   * {@code scriptd_ui}: readable by the UI's script and holding no secret, it tells the UI that a
   * session cookie was set (or that auth is off), so a logged-out browser shows the login form
   * without first asking {@code /api/me} for a 401.
   */
  static Cookie hint(String value) {
    return Cookie.cookie("scriptd_ui", value).setPath("/").setSameSite(CookieSameSite.STRICT);
  }

  private static Cookie cookie(String value) {
    return Cookie.cookie(TokenCheck.COOKIE, value).setPath("/").setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT);
  }
}
