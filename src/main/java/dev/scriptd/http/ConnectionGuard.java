package dev.scriptd.http;

import dev.scriptd.auth.ApiToken;
import dev.scriptd.auth.Role;
import dev.scriptd.config.TrafficConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps connections from using up the process's file descriptors, for one HTTP verticle instance
 * (its event loop only; the count of open connections is shared by every instance).
 *
 * <ul>
 * <li>A connection must complete a request head within {@code http.header_timeout_ms} of opening,
 * and wait at most {@code http.idle_timeout_ms} between requests, else it is closed. Vert.x has no
 * header timeout of its own, and its idle timeout would also cut quiet streams.</li>
 * <li>Past {@code http.max_connections} open connections, a new connection is served only
 * {@code /health} and requests with an admin token; anything else is answered 503 and the connection
 * closed, so a flood of connections cannot lock the operators out.</li>
 * </ul>
 */
final class ConnectionGuard {
  private final Vertx vertx;
  private final AtomicInteger open;
  private final int maxConnections;
  private final TrafficConfig.Connections limits;
  private final TokenCheck tokens;
  private final boolean authEnabled;
  private final Map<HttpConnection, State> states = new HashMap<>();

  /**
   * One connection. Its timer is not cancelled and set again around every request (two timer-queue
   * changes per request were a visible share of a cheap read): a request only counts itself in and
   * out, and when the timer fires it closes the connection if it has been idle for its limit, else
   * sets itself again for the time left.
   */
  private static final class State {
    final boolean overflow;
    long timer = -1;
    int inFlight;
    /** Turned into a WebSocket (a raw socket from then on): never timed out here again. */
    boolean upgraded;
    /** When the connection last became idle (opened, or its last request ended), System.nanoTime(). */
    long idleSince = System.nanoTime();
    /** How long it may stay idle from then: the header timeout until a first request ended, then the idle timeout. */
    long limitMs;

    State(boolean overflow) {
      this.overflow = overflow;
    }
  }

  ConnectionGuard(Vertx vertx, AtomicInteger open, int maxConnections, TrafficConfig.Connections limits,
      TokenCheck tokens, boolean authEnabled) {
    this.vertx = vertx;
    this.open = open;
    this.maxConnections = maxConnections;
    this.limits = limits;
    this.tokens = tokens;
    this.authEnabled = authEnabled;
  }

  /** The server's connection handler. */
  void connected(HttpConnection connection) {
    State state = new State(open.incrementAndGet() > maxConnections);
    states.put(connection, state);
    state.limitMs = limits.headerTimeoutMs();
    arm(connection, state, state.limitMs);
    connection.closeHandler(v -> {
      open.decrementAndGet();
      State closed = states.remove(connection);
      if (closed != null && closed.timer >= 0) {
        vertx.cancelTimer(closed.timer);
      }
    });
  }

  /** Runs before every other route of the router. */
  void install(Router router) {
    router.route().order(Integer.MIN_VALUE).handler(this::handle);
  }

  int open() {
    return open.get();
  }

  private void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpConnection connection = request.connection();
    State state = states.get(connection);
    if (state == null) {
      ctx.next();
      return;
    }
    state.inFlight++;
    if ("websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
      state.upgraded = true;
    }
    ctx.addEndHandler(v -> {
      state.inFlight--;
      if (state.inFlight == 0 && !state.upgraded && states.get(connection) == state) {
        state.idleSince = System.nanoTime();
        state.limitMs = limits.idleTimeoutMs();
        if (state.timer < 0) {
          arm(connection, state, state.limitMs);
        }
      }
    });
    if (!state.overflow || isHealth(ctx)) {
      ctx.next();
      return;
    }
    String secret = authEnabled ? TokenCheck.presented(request) : null;
    if (secret == null) {
      refuse(ctx);
      return;
    }
    boolean paused = !request.isEnded();
    if (paused) {
      request.pause();
    }
    tokens.resolve(secret).onComplete(ar -> {
      ApiToken token = ar.succeeded() ? ar.result() : null;
      if (token != null && token.role().includes(Role.ADMIN)) {
        if (paused && !request.isEnded()) {
          request.resume();
        }
        ctx.next();
      } else {
        refuse(ctx);
      }
    });
  }

  private void refuse(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    ctx.addEndHandler(v -> connection.close());
    ctx.fail(new ApiException(503, "too-many-connections", "the server has " + open.get()
        + " connections open (http.max_connections = " + maxConnections + "); past that only /health and"
        + " admin tokens are served; retry later"));
  }

  private static boolean isHealth(RoutingContext ctx) {
    String path = AuthHandler.path(ctx);
    return path.equals("/health") || path.startsWith("/health/");
  }

  /**
   * On firing: nothing while a request is in flight (its end sets the timer again) or after an
   * upgrade; the connection is closed once idle for its limit; otherwise the timer waits for the rest.
   */
  private void arm(HttpConnection connection, State state, long timeoutMs) {
    state.timer = vertx.setTimer(Math.max(1, timeoutMs), t -> {
      state.timer = -1;
      if (state.inFlight > 0 || state.upgraded || states.get(connection) != state) {
        return;
      }
      long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - state.idleSince);
      if (idleMs >= state.limitMs) {
        connection.close();
      } else {
        arm(connection, state, state.limitMs - idleMs);
      }
    });
  }
}
