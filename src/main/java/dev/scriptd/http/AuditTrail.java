package dev.scriptd.http;

import dev.scriptd.auth.Caller;
import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.Namespace;
import dev.scriptd.domain.AuditRecord;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.UUID;

/**
 * Sees every request end (installed before the {@link AuthHandler}, so refusals too) and sends one
 * audit record for each that changed or tried to change something (POST, PUT, PATCH, DELETE under
 * {@code /api/}, logins, logouts, {@code /hooks/*} calls), each 401 and 403, and each request a route
 * {@link #note noted}; counts refusals. Records are sent, never awaited: the writer drops what it
 * cannot queue. Nothing of a body is copied: routes pick the fields worth keeping
 * ({@link #note}), never a secret or a token. Requests refused by the rate limit (429) are only
 * counted: they changed nothing, and recording them would let a flood fill the log.
 */
final class AuditTrail implements Handler<RoutingContext> {
  private static final String NOTE = "scriptd.audit.note";

  private final EventBus bus;
  private final String address;
  private final ScriptdMetrics metrics;

  AuditTrail(EventBus bus, Namespace ns, ScriptdMetrics metrics) {
    this.bus = bus;
    this.address = ns.of(Addresses.DB_AUDIT_APPEND);
    this.metrics = metrics;
  }

  /** What a route adds to its request's record: the target it made, chosen details, the actor. */
  private static final class Note {
    String target;
    JsonObject details = new JsonObject();
    Caller actor;
  }

  private static Note noteOf(RoutingContext ctx) {
    Note note = ctx.get(NOTE);
    if (note == null) {
      note = new Note();
      ctx.put(NOTE, note);
    }
    return note;
  }

  /** The request is recorded (even a read), with {@code target} (when not null) and these details added. */
  static void note(RoutingContext ctx, String target, JsonObject details) {
    Note note = noteOf(ctx);
    if (target != null) {
      note.target = target;
    }
    if (details != null) {
      details.forEach(entry -> note.details.put(entry.getKey(), entry.getValue()));
    }
  }

  /** The record's actor is {@code actor}, not the request's caller (a login names who logged in). */
  static void actor(RoutingContext ctx, Caller actor) {
    noteOf(ctx).actor = actor;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.addEndHandler(ended -> ended(ctx));
    ctx.next();
  }

  private void ended(RoutingContext ctx) {
    int status = ctx.response().getStatusCode();
    metrics.requestAnswered(status);
    String path = AuthHandler.path(ctx);
    HttpMethod method = ctx.request().method();
    Note note = ctx.get(NOTE);
    boolean refused = status == 401 || status == 403;
    if (!refused && (status == 429 || note == null && !changes(method, path))) {
      return;
    }
    AuditActions.Named named = AuditActions.of(method.name(), path);
    Caller actor = note != null && note.actor != null ? note.actor : AuthHandler.caller(ctx);
    JsonObject details = note == null ? new JsonObject() : note.details.copy();
    if (status >= 400 && ctx.failure() instanceof ApiException problem) {
      details.put("problem", problem.type());
    }
    String target = note != null && note.target != null ? note.target : named.target();
    bus.send(address, AuditRecord.of(UUID.randomUUID().toString(), Instant.now(), actor.type(), actor.id(),
        actor.name(), named.action(), target, AuditRecord.resultOf(status), status, address(ctx), details));
  }

  /** Requests that change something or try to: every change under /api/ and every endpoint call. */
  static boolean changes(HttpMethod method, String path) {
    if (path.equals("/hooks") || path.startsWith("/hooks/")) {
      return true;
    }
    return path.startsWith("/api/") && (method == HttpMethod.POST || method == HttpMethod.PUT
        || method == HttpMethod.PATCH || method == HttpMethod.DELETE);
  }

  private static String address(RoutingContext ctx) {
    SocketAddress remote = ctx.request().remoteAddress();
    return remote == null ? null : remote.host();
  }
}
