package dev.scriptd.http;

import dev.scriptd.auth.ApiToken;
import dev.scriptd.auth.TokenSecrets;
import dev.scriptd.auth.TokenUse;
import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.ReplyCodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Tells whether a presented token is valid, and whose it is. One per HTTP verticle instance, used
 * on its event loop only: a bounded LRU cache of valid token hashes in front of the database,
 * emptied of a token as soon as its revocation is published ({@link Addresses#TOKENS_REVOKED}).
 * Reusable by other routes (endpoints with {@code auth: token}) through {@link #presented} and
 * {@link #resolve}.
 */
public final class TokenCheck {
  public static final String COOKIE = "scriptd_token";
  private static final int CACHE_SIZE = 10_000;
  private static final int HASHES_SIZE = 1024;
  private static final long TOUCH_INTERVAL_MS = 60_000;

  private final Vertx vertx;
  private final Namespace ns;
  private final Map<String, Entry> cache = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > CACHE_SIZE;
    }
  };
  /**
   * The hashes of secrets recently seen valid here: hashing every request's secret (SHA-256) was a
   * visible share of a cheap read. Only a shortcut to the hash; validity is still the cache's.
   */
  private final Map<String, String> hashes = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > HASHES_SIZE;
    }
  };
  private MessageConsumer<String> revocations;
  /** Told the hash of every revoked token, after the cache forgot it (open streams end on it). */
  private final List<Consumer<String>> revocationListeners = new ArrayList<>();
  /** Bumped on every revocation: a lookup that started before one must not fill the cache. */
  private long generation;

  private static final class Entry {
    final ApiToken token;
    long touchedAt;

    Entry(ApiToken token, long touchedAt) {
      this.token = token;
      this.touchedAt = touchedAt;
    }
  }

  public TokenCheck(Vertx vertx, Namespace ns) {
    this.vertx = vertx;
    this.ns = ns;
  }

  public Future<Void> start() {
    revocations = vertx.eventBus().localConsumer(ns.of(Addresses.TOKENS_REVOKED), this::revoked);
    return revocations.completion();
  }

  public Future<Void> stop() {
    return revocations == null ? Future.succeededFuture() : revocations.unregister();
  }

  private void revoked(Message<String> message) {
    generation++;
    cache.remove(message.body());
    revocationListeners.forEach(listener -> listener.accept(message.body()));
  }

  /** {@code listener} gets the hash of each revoked token, on this instance's event loop. */
  public void onRevoked(Consumer<String> listener) {
    revocationListeners.add(listener);
  }

  /** The token a request carries: {@code Authorization: Bearer}, then {@code ?token=}, then the cookie. */
  public static String presented(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    String query = request.getParam("token");
    if (query != null && !query.isEmpty()) {
      return query;
    }
    Cookie cookie = request.getCookie(COOKIE);
    return cookie == null || cookie.getValue().isEmpty() ? null : cookie.getValue();
  }

  /** The valid token already known here, or null (not known does not mean invalid). */
  public ApiToken cached(String secret) {
    if (!TokenSecrets.plausible(secret)) {
      return null;
    }
    String hash = hashes.get(secret);
    if (hash == null) {
      hash = TokenSecrets.hash(secret);
    }
    Entry entry = cache.get(hash);
    if (entry == null) {
      return null;
    }
    hashes.put(secret, hash);
    touch(entry);
    return entry.token;
  }

  /** The stored token for this secret, or null when it is not valid (unknown, revoked, malformed). */
  public Future<ApiToken> resolve(String secret) {
    if (!TokenSecrets.plausible(secret)) {
      return Future.succeededFuture(null);
    }
    ApiToken known = cached(secret);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    String hash = TokenSecrets.hash(secret);
    long lookupGeneration = generation;
    return vertx.eventBus().<ApiToken>request(ns.of(Addresses.DB_FIND_TOKEN), hash)
        .map(message -> {
          ApiToken token = message.body();
          Entry entry = new Entry(token, 0);
          if (generation == lookupGeneration) {
            cache.put(hash, entry);
          }
          touch(entry);
          return token;
        })
        .recover(e -> e instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
            && reply.failureCode() == ReplyCodes.NOT_FOUND ? Future.succeededFuture(null) : Future.failedFuture(e));
  }

  /** last_used_at is written at most once a minute per token and HTTP instance. */
  private void touch(Entry entry) {
    long now = System.currentTimeMillis();
    if (now - entry.touchedAt >= TOUCH_INTERVAL_MS) {
      entry.touchedAt = now;
      vertx.eventBus().send(ns.of(Addresses.DB_TOUCH_TOKEN), new TokenUse(entry.token.id(), Instant.ofEpochMilli(now)));
    }
  }
}
