package dev.scriptd.http;

import dev.scriptd.bus.Addresses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/** GET /api/notifications: the deliveries of the notification outbox, newest first (viewer). */
final class NotificationRoutes {
  private static final Set<String> STATUSES = Set.of("pending", "delivered", "failed");

  private final Bus bus;

  NotificationRoutes(Bus bus) {
    this.bus = bus;
  }

  void mount(Router router) {
    router.get("/api/notifications").handler(this::list);
  }

  private void list(RoutingContext ctx) {
    Fields fields = new Fields();
    JsonObject query = new JsonObject();
    String runId = ctx.request().getParam("run_id");
    if (runId != null && !runId.isEmpty()) {
      if (RunRoutes.isUuid(runId)) {
        query.put("run_id", runId.toLowerCase());
      } else {
        fields.error("run_id", "must be a run id (a UUID)");
      }
    }
    String status = ctx.request().getParam("status");
    if (status != null && !status.isEmpty()) {
      if (STATUSES.contains(status)) {
        query.put("status", status);
      } else {
        fields.error("status", "must be one of pending, delivered, failed");
      }
    }
    query.put("limit", (int) fields.queryLong("limit", ctx.request().getParam("limit"), 50, 1, 1000));
    String cursor = ctx.request().getParam("cursor");
    if (cursor != null && !cursor.isEmpty()) {
      query.put("cursor", cursor);
    }
    fields.check();
    bus.<JsonObject>request(Addresses.DB_LIST_NOTIFICATIONS, query)
        .onSuccess(page -> Json.send(ctx, 200, page))
        .onFailure(ctx::fail);
  }
}
