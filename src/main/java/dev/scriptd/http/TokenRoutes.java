package dev.scriptd.http;

import dev.scriptd.auth.ApiToken;
import dev.scriptd.auth.Role;
import dev.scriptd.auth.TokenSecrets;
import dev.scriptd.bus.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.UUID;

/** {@code /api/tokens}: create (the secret is in this one answer only), list (no secrets), revoke. */
final class TokenRoutes {
  private final Bus bus;
  private final EventBus eventBus;

  TokenRoutes(Bus bus, EventBus eventBus) {
    this.bus = bus;
    this.eventBus = eventBus;
  }

  void mount(Router router) {
    router.post("/api/tokens").handler(this::create);
    router.get("/api/tokens").handler(this::list);
    router.delete("/api/tokens/:id").handler(this::revoke);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Json.bodyObject(ctx);
    Fields fields = new Fields();
    String name = fields.requiredString(body, "name", 64);
    String roleText = fields.requiredString(body, "role", 16);
    if (name != null && !name.isBlank() && !name.chars().allMatch(c -> c >= 32 && c != 127)) {
      fields.error("name", "must not contain control characters");
    }
    Role role = roleText == null ? null : Role.fromWire(roleText);
    if (roleText != null && role == null) {
      fields.error("role", "must be one of viewer, operator, admin");
    }
    fields.check();
    String secret = TokenSecrets.generate();
    ApiToken token = new ApiToken(UUID.randomUUID().toString(), name.trim(), role, TokenSecrets.hash(secret),
        Instant.now(), null);
    bus.<ApiToken>request(Addresses.DB_SAVE_TOKEN, token)
        .onSuccess(saved -> {
          // the record names the token, never its secret
          AuditTrail.note(ctx, saved.id(), new JsonObject().put("name", saved.name()).put("role", saved.role().wire()));
          Json.send(ctx, 201, new JsonObject().put("id", saved.id()).put("name", saved.name())
              .put("role", saved.role().wire()).put("token", secret)
              .put("created_at", saved.toJson().getString("created_at")));
        })
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    Fields fields = new Fields();
    JsonObject query = new JsonObject()
        .put("limit", (int) fields.queryLong("limit", ctx.request().getParam("limit"), 50, 1, 1000));
    String cursor = ctx.request().getParam("cursor");
    if (cursor != null && !cursor.isEmpty()) {
      query.put("cursor", cursor);
    }
    fields.check();
    bus.<JsonObject>request(Addresses.DB_PAGE_TOKENS, query)
        .onSuccess(page -> Json.send(ctx, 200, page))
        .onFailure(ctx::fail);
  }

  private void revoke(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (id == null || !RunRoutes.isUuid(id)) {
      throw new ApiException(404, "not-found", "token '" + id + "' not found; list them with GET /api/tokens");
    }
    bus.<ApiToken>request(Addresses.DB_DELETE_TOKEN, id.toLowerCase())
        .onSuccess(deleted -> {
          // before answering: every HTTP instance drops the token from its cache
          eventBus.publish(bus.namespace().of(Addresses.TOKENS_REVOKED), deleted.hash());
          AuditTrail.note(ctx, deleted.id(), new JsonObject().put("name", deleted.name())
              .put("role", deleted.role().wire()));
          ctx.response().setStatusCode(204).end();
        })
        .onFailure(ctx::fail);
  }
}
