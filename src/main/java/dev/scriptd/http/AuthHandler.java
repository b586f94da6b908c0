package dev.scriptd.http;

import dev.scriptd.auth.ApiToken;
import dev.scriptd.auth.Caller;
import dev.scriptd.auth.Role;
import dev.scriptd.auth.SessionCheck;
import dev.scriptd.auth.SsoSession;
import dev.scriptd.auth.TokenSecrets;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * First handler of every request: finds the token (header, {@code ?token=} or cookie), applies the
 * rate limit (per token, per client address when anonymous or unknown) and the role that
 * {@link AccessRules} asks for. 401 with {@code WWW-Authenticate: Bearer} for a missing, invalid or
 * revoked token, 403 for a role too low, 429 with {@code Retry-After} over the limit. Without a
 * token, a {@code scriptd_session} cookie is resolved by the {@link SessionCheck}. Every request
 * leaves its {@link Caller} in the context under {@link #CALLER} (anonymous when nothing valid was
 * presented; everyone is an admin when auth is off), the valid token, if any, under
 * {@link #TOKEN}, and the live session, if any, under {@link #SESSION}.
 */
final class AuthHandler implements Handler<RoutingContext> {
  static final String TOKEN = "scriptd.token";
  static final String CALLER = "scriptd.caller";
  static final String SESSION = "scriptd.session";

  private final AccessRules rules;
  private final TokenCheck tokens;
  private final SessionCheck sessions;
  private final RateLimiter limiter;
  private final boolean authEnabled;

  AuthHandler(AccessRules rules, TokenCheck tokens, SessionCheck sessions, RateLimiter limiter, boolean authEnabled) {
    this.rules = rules;
    this.tokens = tokens;
    this.sessions = sessions;
    this.limiter = limiter;
    this.authEnabled = authEnabled;
  }

  /** The valid token of this request, or null (no token, a session, or auth off). */
  static ApiToken token(RoutingContext ctx) {
    return ctx.get(TOKEN);
  }

  /** The live single sign-on session of this request, or null (a token, no session, or auth off). */
  static SsoSession session(RoutingContext ctx) {
    return ctx.get(SESSION);
  }

  /** Who made this request; anonymous when nothing valid was presented. */
  static Caller caller(RoutingContext ctx) {
    Caller caller = ctx.get(CALLER);
    return caller != null ? caller : Caller.anonymous();
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Role required = rules.required(request.method(), path(ctx));
    if (!authEnabled) {
      ctx.put(CALLER, Caller.open());
      if (!limited(ctx, "addr:" + address(request))) {
        ctx.next();
      }
      return;
    }
    String secret = TokenCheck.presented(request);
    if (secret == null || !TokenSecrets.plausible(secret)) {
      if (limited(ctx, "addr:" + address(request))) {
        return;
      }
      String session = secret == null ? session(request) : null;
      if (session == null) {
        decide(ctx, required, null, null, secret != null ? Presented.TOKEN : Presented.NOTHING);
      } else {
        whilePaused(ctx, sessions.session(session), found -> {
          if (found != null) {
            ctx.put(SESSION, found);
          }
          decide(ctx, required, null, found == null ? null : found.caller(), Presented.SESSION);
        });
      }
      return;
    }
    ApiToken known = tokens.cached(secret);
    if (known != null) {
      if (!limited(ctx, "token:" + known.id())) {
        decide(ctx, required, known, Caller.of(known), Presented.TOKEN);
      }
      return;
    }
    // not known here yet: lookups of unknown tokens are limited per client address
    if (limited(ctx, "addr:" + address(request))) {
      return;
    }
    whilePaused(ctx, tokens.resolve(secret),
        token -> decide(ctx, required, token, token == null ? null : Caller.of(token), Presented.TOKEN));
  }

  /** What the request carried as a credential, for the 401's detail. */
  private enum Presented { NOTHING, TOKEN, SESSION }

  /** Holds the request body back while {@code lookup} runs, then hands its result on (or fails the request). */
  private static <T> void whilePaused(RoutingContext ctx, Future<T> lookup, Handler<T> then) {
    HttpServerRequest request = ctx.request();
    boolean paused = !request.isEnded();
    if (paused) {
      request.pause();
    }
    lookup.onComplete(ar -> {
      if (paused && !request.isEnded()) {
        request.resume();
      }
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else {
        then.handle(ar.result());
      }
    });
  }

  private static String session(HttpServerRequest request) {
    Cookie cookie = request.getCookie(SessionCheck.COOKIE);
    return cookie == null || cookie.getValue().isEmpty() ? null : cookie.getValue();
  }

  private void decide(RoutingContext ctx, Role required, ApiToken token, Caller caller, Presented presented) {
    if (token != null) {
      ctx.put(TOKEN, token);
    }
    ctx.put(CALLER, caller != null ? caller : Caller.anonymous());
    if (required == null) {
      ctx.next();
    } else if (caller == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"scriptd\"");
      String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
      ctx.fail(new ApiException(401, "unauthorized", switch (presented) {
        case TOKEN -> "the token is not valid or was revoked; ask an admin for a new one (POST /api/tokens)";
        case SESSION -> "the session has expired or was ended; log in again";
        case NOTHING -> authorization != null && !authorization.isBlank()
            ? notBearer(authorization)
            : "a token is required: send Authorization: Bearer <token>, ?token=<token>, or log in (POST /api/login)";
      }));
    } else if (!caller.may(required)) {
      ctx.fail(new ApiException(403, "forbidden", ctx.request().method() + " " + path(ctx)
          + " needs the " + required.wire() + " role; " + describe(caller) + " is " + caller.role().wire()));
    } else {
      ctx.next();
    }
  }

  /**
   * The name a run started by this request records in {@code created_by}: the token's or user's
   * name; null for anonymous callers (public routes, auth off).
   */
  static String startedBy(RoutingContext ctx) {
    Caller caller = caller(ctx);
    return caller.authenticated() ? caller.name() : null;
  }

  /** How a detail names the caller: {@code token 'ci'} or {@code user 'ada'}. */
  static String describe(Caller caller) {
    return (caller.type().equals(Caller.TOKEN) ? "token '" : "user '") + caller.name() + "'";
  }

  /**
   * The detail for an Authorization header without the Bearer scheme. It names a well-known scheme
   * (Basic, Token...) but never repeats the value, which is a credential.
   */
  static String notBearer(String authorization) {
    String trimmed = authorization.trim();
    int space = trimmed.indexOf(' ');
    String scheme = space > 0 ? trimmed.substring(0, space) : null;
    String uses = scheme != null && scheme.length() <= 20 && scheme.chars().allMatch(Character::isLetter)
        ? "uses the " + scheme + " scheme" : "has no scheme";
    return "the Authorization header " + uses + "; scriptd takes Authorization: Bearer <token> (put 'Bearer '"
        + " before the token)";
  }

  /** The path below the mount point, so a host mounting scriptd under a prefix gets the same rules. */
  static String path(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    String mount = ctx.mountPoint();
    if (mount != null && !mount.isEmpty() && !mount.equals("/")) {
      String prefix = mount.endsWith("/") ? mount.substring(0, mount.length() - 1) : mount;
      if (path.startsWith(prefix)) {
        path = path.substring(prefix.length());
      }
    }
    return path.startsWith("/") ? path : "/" + path;
  }

  /** True when the request was refused (429 sent through the failure handler). */
  private boolean limited(RoutingContext ctx, String key) {
    long waitNanos = limiter.take(key);
    if (waitNanos <= 0) {
      return false;
    }
    long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    ctx.response().putHeader("Retry-After", Long.toString(seconds));
    ctx.fail(new ApiException(429, "rate-limited", "too many requests; retry after " + seconds
        + " s (the limit is set by rate_limit and rate_burst)"));
    return true;
  }

  private static String address(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    return remote == null || remote.host() == null ? "unknown" : remote.host();
  }

  /** Completes with the token of this secret, or fails 401 (for login). */
  Future<ApiToken> login(String secret) {
    return tokens.resolve(secret).compose(token -> token != null ? Future.succeededFuture(token)
        : Future.failedFuture(new ApiException(401, "unauthorized",
            "that token is not valid or was revoked; check it or ask an admin for a new one")));
  }
}
