package dev.scriptd.http;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.AuditQuery;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Set;

/**
 * {@code GET /api/audit} (admin): the audit log, newest first, filtered by actor (name, id or type),
 * action, result and time; {@code GET /api/audit/verify} (admin): the hash chain checked from its
 * anchor. Nothing here changes a record: the log has no write route.
 */
final class AuditRoutes {
  /** A check walks every record; a large log takes a while, and the walk is off the event loop. */
  private static final long VERIFY_TIMEOUT_MS = 600_000;
  private static final Set<String> RESULTS = Set.of("ok", "denied", "error");

  private final Bus bus;

  AuditRoutes(Bus bus) {
    this.bus = bus;
  }

  void mount(Router router) {
    router.get("/api/audit").handler(this::list);
    router.get("/api/audit/verify").handler(this::verify);
  }

  private void list(RoutingContext ctx) {
    Fields fields = new Fields();
    String actor = text(ctx, fields, "actor", 256);
    String action = text(ctx, fields, "action", 64);
    String result = text(ctx, fields, "result", 16);
    if (result != null && !RESULTS.contains(result)) {
      fields.error("result", "must be one of ok, denied, error");
    }
    Instant from = fields.queryInstant("from", ctx.request().getParam("from"));
    Instant to = fields.queryInstant("to", ctx.request().getParam("to"));
    int limit = (int) fields.queryLong("limit", ctx.request().getParam("limit"), 50, 1, 1000);
    String cursor = text(ctx, fields, "cursor", 128);
    fields.check();
    bus.<JsonObject>request(Addresses.DB_AUDIT_LIST, new AuditQuery(actor, action, result, from, to, limit, cursor))
        .onSuccess(page -> Json.send(ctx, 200, page))
        .onFailure(ctx::fail);
  }

  private void verify(RoutingContext ctx) {
    bus.<JsonObject>request(Addresses.DB_AUDIT_VERIFY, null, VERIFY_TIMEOUT_MS)
        .onSuccess(outcome -> Json.send(ctx, 200, outcome))
        .onFailure(ctx::fail);
  }

  private static String text(RoutingContext ctx, Fields fields, String name, int max) {
    String value = ctx.request().getParam(name);
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (value.length() > max) {
      fields.error(name, "must be at most " + max + " characters");
      return null;
    }
    return value;
  }
}
