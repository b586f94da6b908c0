package dev.scriptd.http;

import dev.scriptd.auth.ApiToken;
import dev.scriptd.auth.SsoSession;
import dev.scriptd.config.TrafficConfig;
import dev.scriptd.http.tail.StreamOwner;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;

/**
 * Admits a stream (SSE, WebSocket, {@code /api/events}): at most {@code http.max_streams_per_token}
 * open per token and {@code http.max_streams_per_address} per client address without one, across
 * every HTTP instance; past that, 429. The owner it hands out names the token, or the single
 * sign-on session, so revoking the token or ending the session ends the stream, and gives the
 * place back when the stream ends. A session's stream also ends when the session expires: nothing
 * else would notice, since only new requests read the session again.
 */
final class StreamGate {
  private final StreamQuota quota;
  private final TrafficConfig.Connections limits;
  private final Vertx vertx;
  private final Consumer<String> sessionExpired;

  /**
   * {@code sessionExpired} gets the hash of a session whose expiry came while a stream opened with
   * it was still open, on this instance's event loop (the same call as a revocation).
   */
  StreamGate(StreamQuota quota, TrafficConfig.Connections limits, Vertx vertx, Consumer<String> sessionExpired) {
    this.quota = quota;
    this.limits = limits;
    this.vertx = vertx;
    this.sessionExpired = sessionExpired;
  }

  /** The owner of a new stream for this request, or an ApiException 429 thrown when over the quota. */
  StreamOwner admit(RoutingContext ctx) {
    ApiToken token = AuthHandler.token(ctx);
    String key;
    int max;
    if (token != null) {
      key = "token:" + token.id();
      max = limits.maxStreamsPerToken();
    } else {
      SocketAddress remote = ctx.request().remoteAddress();
      key = "addr:" + (remote == null || remote.host() == null ? "unknown" : remote.host());
      max = limits.maxStreamsPerAddress();
    }
    if (!quota.tryOpen(key, max)) {
      ctx.response().putHeader("Retry-After", "1");
      throw new ApiException(429, "too-many-streams", (token != null ? "token '" + token.name() + "'"
          : "this address") + " already has " + max + " streams open (http.max_streams_per_"
          + (token != null ? "token" : "address") + "); close one first");
    }
    SsoSession session = token == null ? AuthHandler.session(ctx) : null;
    if (session == null) {
      return new StreamOwner(token == null ? null : token.hash(), () -> quota.closed(key));
    }
    long untilExpiry = Math.max(1, session.expiresAt().toEpochMilli() - System.currentTimeMillis());
    long expiry = vertx.setTimer(untilExpiry, id -> sessionExpired.accept(session.hash()));
    return new StreamOwner(session.hash(), () -> {
      vertx.cancelTimer(expiry);
      quota.closed(key);
    });
  }
}
