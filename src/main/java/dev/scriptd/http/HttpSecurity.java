package dev.scriptd.http;

import dev.scriptd.auth.Caller;
import dev.scriptd.auth.SessionCheck;
import dev.scriptd.bus.Namespace;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.config.SecurityConfig;
import dev.scriptd.config.SsoConfig;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The security parts of one HTTP verticle instance: its {@link TokenCheck} (started and stopped
 * with the verticle), the {@link RateLimiter} shared by all instances of the same server, the
 * {@link AuthHandler} in front of every route (after {@link ResponseHeaders}, before
 * {@link OriginCheck}), and the token and session routes.
 */
public final class HttpSecurity {
  private static final int MAX_RATE_KEYS = 100_000;

  private final Vertx vertx;
  private final Namespace ns;
  private final SecurityConfig security;
  private final TokenCheck tokens;
  private final AuthHandler auth;
  private final OriginCheck origins;
  private final SessionLookup sessions;
  private final SsoRoutes sso;

  /** Without single sign-on: a session cookie is never valid (a host application's router). */
  public HttpSecurity(Vertx vertx, Namespace ns, ScriptdConfig config, SecurityConfig security) {
    this(vertx, ns, config, security, new SsoConfig(null, SsoConfig.DEFAULT_SESSION_TTL_MS, false));
  }

  public HttpSecurity(Vertx vertx, Namespace ns, ScriptdConfig config, SecurityConfig security, SsoConfig sso) {
    this.vertx = vertx;
    this.ns = ns;
    this.security = security;
    this.tokens = new TokenCheck(vertx, ns);
    Bus bus = new Bus(vertx.eventBus(), ns);
    this.sessions = new SessionLookup(bus);
    // sessions exist only where single sign-on creates them; a stale cookie after it was turned off is not one
    SessionCheck check = sso.enabled() ? sessions : SessionCheck.none();
    this.auth = new AuthHandler(new AccessRules(security.auth()), tokens, check, sharedLimiter(vertx, ns, config),
        security.auth().enabled());
    this.origins = new OriginCheck(config.http().publicUrl());
    this.sso = new SsoRoutes(vertx, bus, sso, sessions, config.http().publicUrl());
  }

  /**
   * One limiter per deployment (bus namespace), listening address and setting, whatever the number
   * of HTTP instances; two scriptd instances in one Vertx never share one.
   */
  private static RateLimiter sharedLimiter(Vertx vertx, Namespace ns, ScriptdConfig config) {
    ScriptdConfig.Http http = config.http();
    String key = ns.name() + "@" + http.host() + ":" + http.port() + ":" + http.rateLimit() + "/" + http.rateBurst();
    LocalMap<String, RateLimiter> limiters = vertx.sharedData().getLocalMap("scriptd.rate-limiters");
    RateLimiter fresh = new RateLimiter(http.rateLimit(), http.rateBurst(), MAX_RATE_KEYS);
    RateLimiter existing = limiters.putIfAbsent(key, fresh);
    return existing != null ? existing : fresh;
  }

  SecurityConfig.Adhoc adhoc() {
    return security.adhoc();
  }

  SecurityConfig.EndpointCredentials endpointCredentials() {
    return security.endpointCredentials();
  }

  public TokenCheck tokens() {
    return tokens;
  }

  public Future<Void> start() {
    sso.start();
    return tokens.start();
  }

  public Future<Void> stop() {
    sso.stop();
    return tokens.stop();
  }

  /**
   * For {@code /hooks/*} endpoints with {@code auth: "token"}: a valid caller (the AuthHandler in
   * front of every route already resolved it) of at least the endpoint's role, else false (401) or a
   * 403 failure; always true with auth off.
   */
  Future<Boolean> hookAllowed(RoutingContext ctx, HookRoutes.Hook hook) {
    if (!security.auth().enabled()) {
      return Future.succeededFuture(true);
    }
    Caller caller = AuthHandler.caller(ctx);
    if (!caller.authenticated()) {
      return Future.succeededFuture(false);
    }
    if (!caller.may(hook.role())) {
      return Future.failedFuture(new ApiException(403, "forbidden", "this endpoint needs a token of the "
          + hook.role().wire() + " role (endpoint.role); " + AuthHandler.describe(caller) + " is "
          + caller.role().wire()));
    }
    return Future.succeededFuture(true);
  }

  /**
   * Must be called first on the router, before any other route: HEAD as GET and the security
   * headers of every response, the audit trail, then tokens, roles and the rate limit, then the origin of
   * cookie-authenticated changes.
   */
  void guard(Router router, ScriptdMetrics metrics) {
    router.route().handler(new ResponseHeaders());
    // before the tokens: refusals are recorded too
    router.route().handler(new AuditTrail(vertx.eventBus(), ns, metrics));
    router.route().handler(auth);
    router.route().handler(origins);
  }

  void mountRoutes(Router router, Bus bus) {
    new SessionRoutes(auth, sessions, security.auth().enabled()).mount(router);
    sso.mount(router);
    new TokenRoutes(bus, vertx.eventBus()).mount(router);
    new AdminRoutes(vertx, bus).mount(router);
    new AuditRoutes(bus).mount(router);
  }
}
