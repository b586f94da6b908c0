package dev.scriptd.http;

import dev.scriptd.config.TrafficConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code endpoint.rate_limit}: the calls a second one endpoint takes from all its callers together
 * (a token bucket holding one second's worth, shared by every HTTP instance), by default
 * {@code endpoints.public_rate_limit} or {@code endpoints.token_rate_limit} after its auth. Its
 * {@code max_concurrent} is counted where its runs are owned (the scripts verticle).
 */
final class EndpointLimiter {
  private final RateLimiter rates;
  private final TrafficConfig.Endpoints defaults;

  EndpointLimiter(RateLimiter rates, TrafficConfig.Endpoints defaults) {
    this.rates = rates;
    this.defaults = defaults;
  }

  /** Null when this call may go ahead, else the 429 to answer (its Retry-After already set on the response). */
  ApiException refusal(RoutingContext ctx, String scriptId, JsonObject endpoint) {
    int rate = defaults.rateLimit(endpoint);
    long waitNanos = rates.take("endpoint:" + scriptId, rate, rate);
    if (waitNanos <= 0) {
      return null;
    }
    long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    ctx.response().putHeader("Retry-After", Long.toString(seconds));
    return new ApiException(429, "endpoint-rate-limited", "this endpoint takes at most " + rate
        + " calls a second from all callers (endpoint.rate_limit); retry after " + seconds + " s");
  }
}
