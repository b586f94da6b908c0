package dev.scriptd.http;

import dev.scriptd.auth.ApiToken;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The UI's session: {@code POST /api/login {"token"}} sets the HttpOnly, SameSite=Strict
 * {@code scriptd_token} cookie (it holds the token itself), {@code POST /api/logout} clears it,
 * {@code GET /api/me} names the caller, and {@code GET /?token=...} (the link printed at first start)
 * sets the cookie and redirects to {@code /}.
 */
final class SessionRoutes {
  private final AuthHandler auth;
  private final boolean authEnabled;

  SessionRoutes(AuthHandler auth, boolean authEnabled) {
    this.auth = auth;
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
    auth.login(secret.trim())
        .onSuccess(token -> {
          ctx.response().addCookie(cookie(secret.trim())).addCookie(hint("1"));
          Json.send(ctx, 200, me(token));
        })
        .onFailure(ctx::fail);
  }

  private void logout(RoutingContext ctx) {
    ctx.response().addCookie(cookie("").setMaxAge(0)).addCookie(hint("").setMaxAge(0)).setStatusCode(204).end();
  }

  private void me(RoutingContext ctx) {
    ApiToken token = AuthHandler.token(ctx);
    if (token == null) {
      // only reachable with auth.enabled = false: everyone is admin
      Json.send(ctx, 200, new JsonObject().put("name", "anonymous").put("role", "admin").put("auth", false));
    } else {
      Json.send(ctx, 200, me(token));
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
        .onSuccess(token -> ctx.response().addCookie(cookie(secret.trim())).addCookie(hint("1"))
            .putHeader("Location", "/").putHeader("Cache-Control", "no-store").setStatusCode(302).end())
        .onFailure(ctx::fail);
  }

  private static JsonObject me(ApiToken token) {
    return new JsonObject().put("id", token.id()).put("name", token.name()).put("role", token.role().wire());
  }

  /**
   * {@code scriptd_ui}: readable by the UI's script and holding no secret, it tells the UI that a
   * session cookie was set (or that auth is off), so a logged-out browser shows the login form
   * without first asking {@code /api/me} for a 401.
   */
  private static Cookie hint(String value) {
    return Cookie.cookie("scriptd_ui", value).setPath("/").setSameSite(CookieSameSite.STRICT);
  }

  private static Cookie cookie(String value) {
    return Cookie.cookie(TokenCheck.COOKIE, value).setPath("/").setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT);
  }
}
