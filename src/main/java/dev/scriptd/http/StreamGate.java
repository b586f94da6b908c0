package dev.scriptd.http;

import dev.scriptd.auth.ApiToken;
import dev.scriptd.config.TrafficConfig;
import dev.scriptd.http.tail.StreamOwner;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * Admits a stream (SSE, WebSocket, {@code /api/events}): at most {@code http.max_streams_per_token}
 * open per token and {@code http.max_streams_per_address} per client address without one, across
 * every HTTP instance; past that, 429. The owner it hands out names the token, so revoking it ends
 * the stream, and gives the place back when the stream ends.
 */
final class StreamGate {
  private final StreamQuota quota;
  private final TrafficConfig.Connections limits;

  StreamGate(StreamQuota quota, TrafficConfig.Connections limits) {
    this.quota = quota;
    this.limits = limits;
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
    return new StreamOwner(token == null ? null : token.hash(), () -> quota.closed(key));
  }
}
