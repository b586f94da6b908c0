package dev.scriptd.http;

import dev.scriptd.auth.Caller;
import dev.scriptd.auth.IdTokenRules;
import dev.scriptd.auth.LoginState;
import dev.scriptd.auth.ReturnPath;
import dev.scriptd.auth.Role;
import dev.scriptd.auth.RoleMapper;
import dev.scriptd.auth.SessionCheck;
import dev.scriptd.auth.SsoSession;
import dev.scriptd.bus.Addresses;
import dev.scriptd.config.SsoConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2AuthorizationURL;
import io.vertx.ext.auth.oauth2.OAuth2FlowType;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import io.vertx.ext.auth.oauth2.providers.OpenIDConnectAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single sign-on with OpenID Connect (authorization code, PKCE S256, {@code state}, {@code nonce}).
 * {@code GET /auth/login[?return_to=/path]} sends the browser to the provider with a short-lived
 * HttpOnly login cookie (path {@code /auth}) holding the state, nonce and code verifier;
 * {@code GET /auth/callback} checks the state, exchanges the code, checks the ID token (signature
 * against the provider's keys, iss, aud, exp, nonce), maps the role claim to a role (none: 403),
 * stores a session (hashed) and sets {@code scriptd_session}; {@code POST /auth/logout} ends it.
 * {@code GET /auth/info} tells the login page whether SSO is on. The provider is discovered from
 * the issuer in the background at start; while it cannot be reached, {@code /auth/login} answers
 * 503 and a later sign-in tries again, so tokens keep working through a provider outage.
 */
final class SsoRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(SsoRoutes.class);
  static final String LOGIN_COOKIE = "scriptd_sso";
  static final String CALLBACK = "/auth/callback";
  static final String LOGOUT = "/auth/logout";
  /** A failed discovery is tried again by a sign-in at most this often. */
  private static final long RETRY_MS = 5_000;

  private final Vertx vertx;
  private final Bus bus;
  private final SsoConfig sso;
  private final SessionLookup sessions;
  private final String redirectUri;
  /**
   * The public URL's path ({@code ""} at a host's root, {@code /ops/scriptd} behind a proxy that
   * serves scriptd there): what the browser's paths to scriptd start with, for cookie paths and
   * redirects back into the UI.
   */
  private final String basePath;
  private final RoleMapper roles;
  private final SecureRandom random = new SecureRandom();
  private Future<OAuth2Auth> provider;
  private long discoveredAt;
  /** The issuer the discovery document names: what every ID token's {@code iss} must be. */
  private String issuer;

  SsoRoutes(Vertx vertx, Bus bus, SsoConfig sso, SessionLookup sessions, String publicUrl) {
    this.vertx = vertx;
    this.bus = bus;
    this.sso = sso;
    this.sessions = sessions;
    this.redirectUri = publicUrl + CALLBACK;
    String path = URI.create(publicUrl).getRawPath();
    this.basePath = path == null ? "" : path;
    this.roles = sso.enabled() ? new RoleMapper(sso.oidc().roleClaim(), sso.oidc().roles()) : null;
  }

  /** Starts discovering the provider (not awaited: the server starts whether or not it answers). */
  void start() {
    if (sso.enabled()) {
      provider();
    }
  }

  /** Closes the provider's HTTP client (a server stopping, or a host's router going away). */
  void stop() {
    if (provider != null && provider.succeeded()) {
      provider.result().close();
    }
  }

  void mount(Router router) {
    router.get("/auth/info").handler(this::info);
    router.get("/auth/login").handler(this::login);
    router.get(CALLBACK).handler(this::callback);
    router.post(LOGOUT).handler(this::logout);
  }

  private void info(RoutingContext ctx) {
    JsonObject info = new JsonObject().put("sso", sso.enabled());
    if (sso.enabled()) {
      info.put("login", "/auth/login");
    }
    Json.send(ctx, 200, info);
  }

  /** The discovered provider; a failed discovery is retried when asked again after {@link #RETRY_MS}. */
  private Future<OAuth2Auth> provider() {
    long now = System.currentTimeMillis();
    if (provider == null || provider.failed() && now - discoveredAt >= RETRY_MS) {
      discoveredAt = now;
      SsoConfig.Oidc oidc = sso.oidc();
      OAuth2Options options = new OAuth2Options()
          .setSite(oidc.issuer())
          .setClientId(oidc.clientId())
          .setClientSecret(oidc.clientSecret());
      provider = OpenIDConnectAuth.discover(vertx, options)
          .map(auth -> {
            String named = options.getJWTOptions() == null ? null : options.getJWTOptions().getIssuer();
            issuer = named != null ? named : oidc.issuer();
            // keys rotated at the provider: fetch its key set again (at most once per unknown key id)
            auth.missingKeyHandler(kid -> auth.jWKSet().onFailure(e -> LOG.warn(
                "could not refresh the OpenID provider's keys from {}: {}", oidc.issuer(), e.getMessage())));
            LOG.info("single sign-on: OpenID provider {} discovered", oidc.issuer());
            return auth;
          })
          .onFailure(e -> LOG.warn("single sign-on: the OpenID provider {} cannot be reached or is not one"
              + " (discovery failed: {}); sign-ins fail with 503 and try again", oidc.issuer(), e.getMessage()));
    }
    return provider;
  }

  private void login(RoutingContext ctx) {
    if (!sso.enabled()) {
      ctx.fail(notConfigured());
      return;
    }
    Future<OAuth2Auth> discovered = provider();
    discovered.onFailure(e -> ctx.fail(unavailable())).onSuccess(auth -> {
      LoginState state = LoginState.fresh(random, ReturnPath.safe(ctx.request().getParam("return_to")),
          System.currentTimeMillis());
      String url = auth.authorizeURL(new OAuth2AuthorizationURL()
          .setRedirectUri(redirectUri)
          .setScopes(sso.oidc().scopes())
          .setState(state.state())
          .setCodeChallenge(state.challenge())
          .setCodeChallengeMethod("S256")
          .putAdditionalParameter("nonce", state.nonce()));
      ctx.response().addCookie(loginCookie(ctx.request(), state.encode()).setMaxAge(LoginState.MAX_AGE_MS / 1000))
          .putHeader("Location", url).putHeader("Cache-Control", "no-store").setStatusCode(302).end();
    });
  }

  private void callback(RoutingContext ctx) {
    if (!sso.enabled()) {
      ctx.fail(notConfigured());
      return;
    }
    HttpServerRequest request = ctx.request();
    Cookie cookie = request.getCookie(LOGIN_COOKIE);
    // the login cookie serves one callback only, whatever its outcome
    ctx.response().addCookie(loginCookie(request, "").setMaxAge(0));
    LoginState state = LoginState.decode(cookie == null ? null : cookie.getValue(), System.currentTimeMillis());
    if (state == null) {
      refused(ctx, new ApiException(403, "sso-state", "this sign-in expired or was started in another browser;"
          + " start again from the login page (/auth/login)"));
      return;
    }
    if (!state.matches(request.getParam("state"))) {
      refused(ctx, new ApiException(403, "sso-state", "the sign-in's state does not match the one this browser"
          + " started with, so it is refused; start again from the login page (/auth/login)"));
      return;
    }
    String error = request.getParam("error");
    if (error != null) {
      refused(ctx, new ApiException(403, "sso-refused", "the OpenID provider refused the sign-in ("
          + brief(error) + "); ask its administrator, or sign in with a token"));
      return;
    }
    String code = request.getParam("code");
    if (code == null || code.isEmpty() || code.length() > 4096) {
      ctx.fail(ApiException.badRequest("the callback carries no authorization code"));
      return;
    }
    provider().onFailure(e -> ctx.fail(unavailable())).onSuccess(auth -> {
      String named = request.getParam("iss");
      if (named != null && !named.equals(issuer)) {
        // RFC 9207: the provider names itself in its answer; another issuer means the browser was
        // sent back from a provider this sign-in did not start at (a mix-up)
        refused(ctx, new ApiException(403, "sso-state", "the callback comes from another issuer than "
            + issuer + "; start again from the login page (/auth/login)"));
        return;
      }
      signIn(ctx, auth, state, code);
    });
  }

  /** Exchanges the code, checks the ID token and the role, stores the session and sets its cookie. */
  private void signIn(RoutingContext ctx, OAuth2Auth auth, LoginState state, String code) {
    auth.authenticate(new Oauth2Credentials()
            .setFlow(OAuth2FlowType.AUTH_CODE)
            .setCode(code)
            .setRedirectUri(redirectUri)
            .setCodeVerifier(state.verifier()))
        .recover(e -> {
          LOG.info("single sign-on: the provider did not exchange the code: {}", e.getMessage());
          return Future.failedFuture(new ApiException(401, "sso-token", "the OpenID provider did not accept the"
              + " sign-in's code; start again from the login page (/auth/login)"));
        })
        .compose(user -> claims(auth, user, state))
        .compose(claims -> {
          Role role = roles.map(claims);
          if (role == null) {
            // the provider named the person, who is no scriptd user: recorded with who it was
            AuditTrail.actor(ctx, new Caller(Caller.ANONYMOUS, claims.getString("sub"),
                IdTokenRules.displayName(claims), null));
            return Future.failedFuture(new ApiException(403, "sso-no-role", "you signed in as '"
                + IdTokenRules.displayName(claims) + "', but your " + sso.oidc().roleClaim()
                + " claim gives no scriptd role; ask an admin to add one of your values to auth.oidc.roles"));
          }
          return startSession(claims, role);
        })
        .onSuccess(signedIn -> {
          SsoSession session = signedIn.session();
          AuditTrail.actor(ctx, Caller.oidc(session.subject(), session.name(), session.role()));
          AuditTrail.note(ctx, null, new JsonObject().put("source", Caller.OIDC).put("role", session.role().wire()));
          ctx.response()
              .addCookie(sessionCookie(ctx.request(), signedIn.id()).setMaxAge(sso.sessionTtlMs() / 1000))
              .addCookie(SessionRoutes.hint("1"))
              .putHeader("Location", basePath + state.returnTo())
              .putHeader("Cache-Control", "no-store")
              .setStatusCode(302).end();
        })
        .onFailure(e -> refused(ctx, e));
  }

  /**
   * The ID token's claims once they pass {@link IdTokenRules}. A role claim that the ID token lacks
   * is taken from the userinfo endpoint (some providers put groups there only), for the same subject.
   */
  private Future<JsonObject> claims(OAuth2Auth auth, User user, LoginState state) {
    JsonObject idToken = user.attributes().getJsonObject("idToken");
    long now = System.currentTimeMillis() / 1000;
    String refusal = IdTokenRules.refusal(idToken, issuer, sso.oidc().clientId(), state.nonce(), now);
    if (idToken == null) {
      // the library drops an ID token that fails its checks without saying why: read the unverified
      // claims only to name the reason in the refusal (the sign-in is refused whatever they say)
      String why = IdTokenRules.refusal(IdTokenRules.unverifiedClaims(user.principal().getString("id_token")),
          issuer, sso.oidc().clientId(), state.nonce(), now);
      refusal = why != null ? why : refusal;
    }
    if (refusal != null) {
      LOG.info("single sign-on: ID token refused: {}", refusal);
      return Future.failedFuture(new ApiException(401, "sso-token", refusal + "; the sign-in is refused"));
    }
    if (roles.hasClaim(idToken)) {
      return Future.succeededFuture(idToken);
    }
    return auth.userInfo(user)
        .map(info -> {
          JsonObject merged = idToken.copy();
          // only for the same person, and only the role claim: the ID token stays what was verified
          if (idToken.getString("sub").equals(info.getString("sub")) && roles.hasClaim(info)) {
            String top = sso.oidc().roleClaim().contains(".") && !info.containsKey(sso.oidc().roleClaim())
                ? sso.oidc().roleClaim().split("\\.")[0] : sso.oidc().roleClaim();
            merged.put(top, info.getValue(top));
          }
          return merged;
        })
        .otherwise(idToken);
  }

  /** A stored session and the id only its cookie holds. */
  private record SignedIn(String id, SsoSession session) {
  }

  private Future<SignedIn> startSession(JsonObject claims, Role role) {
    String id = SsoSession.newId(random);
    Instant now = Instant.now();
    SsoSession session = new SsoSession(SsoSession.hash(id), claims.getString("sub"),
        IdTokenRules.displayName(claims), role, now, now.plusMillis(sso.sessionTtlMs()));
    return bus.<SsoSession>request(Addresses.DB_SAVE_SESSION, session).map(saved -> {
      LOG.info("single sign-on: '{}' signed in as {}", saved.name(), saved.role().wire());
      return new SignedIn(id, saved);
    });
  }

  /** Ends the session (server-side and the cookie) and goes back to the UI. */
  private void logout(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(SessionCheck.COOKIE);
    Caller caller = AuthHandler.caller(ctx);
    sessions.end(cookie == null ? null : cookie.getValue())
        .onSuccess(v -> {
          if (caller.type().equals(Caller.OIDC)) {
            AuditTrail.note(ctx, null, new JsonObject().put("source", Caller.OIDC));
          }
        })
        .onSuccess(v -> ctx.response().addCookie(sessionCookie(ctx.request(), "").setMaxAge(0))
            .addCookie(SessionRoutes.hint("").setMaxAge(0))
            .putHeader("Location", basePath + "/").putHeader("Cache-Control", "no-store").setStatusCode(303).end())
        .onFailure(ctx::fail);
  }

  /**
   * A refused sign-in (401 or 403): the audit trail records it as a denied {@code login}, with this
   * note saying it was single sign-on (and the trail adds the problem's type: why).
   */
  private void refused(RoutingContext ctx, Throwable failure) {
    AuditTrail.note(ctx, null, new JsonObject().put("source", Caller.OIDC));
    ctx.fail(failure);
  }

  /**
   * {@code scriptd_session}: HttpOnly; SameSite=Lax because the sign-in ends with a redirect chain
   * that started at the provider, another site, and a Strict cookie set there would be left off the
   * landing request. Lax still keeps it off other sites' subrequests and POSTs, and changes made
   * with it must pass the same-origin check like the token cookie's.
   */
  Cookie sessionCookie(HttpServerRequest request, String value) {
    return Cookie.cookie(SessionCheck.COOKIE, value).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.LAX)
        .setSecure(overHttps(request.isSSL(), request.getHeader("X-Forwarded-Proto"), sso.trustProxy()));
  }

  /** The login cookie must be Lax: the callback is a navigation from the provider's site. */
  private Cookie loginCookie(HttpServerRequest request, String value) {
    return Cookie.cookie(LOGIN_COOKIE, value).setPath(basePath + "/auth").setHttpOnly(true)
        .setSameSite(CookieSameSite.LAX)
        .setSecure(overHttps(request.isSSL(), request.getHeader("X-Forwarded-Proto"), sso.trustProxy()));
  }

  /**
   * Whether the browser reached us over HTTPS: directly, or through a proxy that says so in
   * {@code X-Forwarded-Proto} (its first value: the proxy nearest the client writes it) when
   * {@code http.trust_proxy} is on. Anyone can send that header, so it counts only when trusted.
   */
  static boolean overHttps(boolean ssl, String forwardedProto, boolean trustProxy) {
    if (ssl) {
      return true;
    }
    if (!trustProxy || forwardedProto == null) {
      return false;
    }
    String first = forwardedProto.split(",", 2)[0].trim().toLowerCase(Locale.ROOT);
    return first.equals("https");
  }

  private static ApiException notConfigured() {
    return new ApiException(404, "not-found", "single sign-on is not configured on this server (auth.oidc);"
        + " log in with a token");
  }

  private ApiException unavailable() {
    return new ApiException(503, "sso-unavailable", "the OpenID provider " + sso.oidc().issuer() + " cannot be"
        + " reached right now; try again shortly, or log in with a token");
  }

  private static String brief(String text) {
    String clean = text.replaceAll("[^A-Za-z0-9_.-]", "?");
    return clean.length() > 64 ? clean.substring(0, 64) : clean;
  }
}
