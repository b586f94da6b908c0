package dev.scriptd.http;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The counters every HTTP instance of one server shares (handed out through a Vert.x local map,
 * like the request rate limiter): open connections, open streams per client, and the rate buckets
 * of endpoints. Thread-safe.
 */
final class SharedTraffic implements Shareable {
  private static final int MAX_ENDPOINT_KEYS = 100_000;

  final AtomicInteger connections = new AtomicInteger();
  final StreamQuota streams = new StreamQuota();
  /** Keyed by script id; each take names the endpoint's own rate. */
  final RateLimiter endpointRates = new RateLimiter(0, 1, MAX_ENDPOINT_KEYS);

  /** The one instance of the server listening at {@code key} (bus namespace, host and port). */
  static SharedTraffic of(Vertx vertx, String key) {
    LocalMap<String, SharedTraffic> all = vertx.sharedData().getLocalMap("scriptd.traffic");
    SharedTraffic fresh = new SharedTraffic();
    SharedTraffic existing = all.putIfAbsent(key, fresh);
    return existing != null ? existing : fresh;
  }
}
