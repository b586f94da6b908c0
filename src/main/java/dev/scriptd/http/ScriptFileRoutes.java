package dev.scriptd.http;

import dev.scriptd.auth.Caller;
import dev.scriptd.auth.Role;
import dev.scriptd.bus.Addresses;
import dev.scriptd.domain.YamlText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * Scripts as files: {@code GET /api/scripts/export} (every script as a definition, JSON or YAML by
 * {@code Accept}) and {@code POST /api/scripts/apply} (a JSON or YAML body). Mounted before
 * {@code /api/scripts/:id}, which would take "export" for a script name. Apply needs operator, and
 * admin when it prunes (pruning deletes scripts, as DELETE does).
 */
final class ScriptFileRoutes {
  static final String APPLY_PATH = "/api/scripts/apply";
  private static final String YAML = "application/yaml";
  /** A prune deletes runs and their lines, which may take longer than the bus's default 30 s. */
  private static final long APPLY_TIMEOUT_MS = 660_000;

  private final Bus bus;
  private final ScriptDefinitions definitions;

  ScriptFileRoutes(Bus bus, ScriptDefinitions definitions) {
    this.bus = bus;
    this.definitions = definitions;
  }

  void mount(Router router) {
    router.get("/api/scripts/export").handler(this::export);
    router.post(APPLY_PATH).handler(this::apply);
  }

  /** {@code application/yaml}, {@code application/x-yaml} or {@code text/yaml}, parameters aside. */
  static boolean isYaml(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType).trim().toLowerCase(Locale.ROOT);
    return type.equals(YAML) || type.equals("application/x-yaml") || type.equals("text/yaml");
  }

  /** YAML when the client lists a YAML type and no JSON type before it. */
  static boolean wantsYaml(String accept) {
    if (accept == null) {
      return false;
    }
    for (String part : accept.split(",")) {
      if (isYaml(part)) {
        return true;
      }
      if (ApiRouter.isJson(part)) {
        return false;
      }
    }
    return false;
  }

  private void export(RoutingContext ctx) {
    bus.<JsonObject>request(Addresses.SCRIPTS_EXPORT, null).onSuccess(export -> {
      if (wantsYaml(ctx.request().getHeader("Accept"))) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", YAML + "; charset=utf-8")
            .end(YamlText.write(export));
      } else {
        Json.send(ctx, 200, export);
      }
    }).onFailure(ctx::fail);
  }

  private void apply(RoutingContext ctx) {
    JsonObject body = body(ctx);
    Fields fields = new Fields();
    Object scripts = body.getValue("scripts");
    if (!(scripts instanceof JsonArray)) {
      fields.error("scripts", "is required: a list of script definitions");
    }
    boolean prune = flag(body, "prune", fields);
    flag(body, "dry_run", fields);
    fields.check();
    JsonArray list = (JsonArray) scripts;
    JsonArray errors = new JsonArray();
    StringBuilder detail = new StringBuilder();
    for (int i = 0; i < list.size(); i++) {
      String at = "scripts[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject definition)) {
        errors.add(new JsonObject().put("field", at).put("message", "must be an object (a script definition)"));
        detail.append(detail.length() == 0 ? "" : "; ").append(at).append(" must be an object");
        continue;
      }
      ScriptDefinitions.Checked checked = definitions.check(definition);
      if (!checked.valid()) {
        String name = definition.getValue("name") instanceof String text ? text : "without a valid name";
        detail.append(detail.length() == 0 ? "" : "; ").append(at).append(" (script ").append(name).append("):");
        for (int e = 0; e < checked.errors().size(); e++) {
          JsonObject error = checked.errors().getJsonObject(e);
          String field = at + "." + error.getString("field");
          errors.add(new JsonObject().put("field", field).put("message", error.getString("message")));
          detail.append(e == 0 ? " " : ", ").append(field).append(' ').append(error.getString("message"));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ApiException(400, "validation", "nothing was applied: " + detail, errors);
    }
    Caller caller = AuthHandler.caller(ctx);
    if (prune && !caller.may(Role.ADMIN)) {
      // with auth enabled every apply carries a token or a session; pruning deletes scripts, which is admin work
      throw new ApiException(403, "forbidden", "\"prune\": true deletes scripts and needs the admin role; "
          + AuthHandler.describe(caller) + " is " + caller.role().wire()
          + " (apply without prune to create and update only)");
    }
    bus.<JsonObject>request(Addresses.SCRIPTS_APPLY, body, APPLY_TIMEOUT_MS)
        .onSuccess(summary -> {
          AuditTrail.note(ctx, null, applyDetails(summary, prune));
          Json.send(ctx, 200, summary);
        })
        .onFailure(ctx::fail);
  }

  /** What the audit log keeps of an apply: how many scripts each change touched, not the definitions. */
  private static JsonObject applyDetails(JsonObject summary, boolean prune) {
    JsonObject details = new JsonObject().put("prune", prune);
    for (String change : new String[] {"created", "updated", "deleted"}) {
      Object names = summary.getValue(change);
      details.put(change, names instanceof JsonArray list ? list.size() : 0);
    }
    if (summary.getValue("dry_run") != null) {
      details.put("dry_run", summary.getValue("dry_run"));
    }
    return details;
  }

  /** The body as an object: YAML when the request says so (only this route takes it), else JSON. */
  private static JsonObject body(RoutingContext ctx) {
    if (!isYaml(ctx.request().getHeader("Content-Type"))) {
      return Json.bodyObject(ctx);
    }
    String text = ctx.body().asString();
    Object value;
    try {
      value = text == null || text.isBlank() ? new JsonObject() : YamlText.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "malformed-yaml", "the request body cannot be read: " + e.getMessage()
          + "; send a YAML map with a scripts list");
    }
    if (!(value instanceof JsonObject object)) {
      throw new ApiException(400, "malformed-yaml", "the request body must be a YAML map such as"
          + " \"scripts: [...]\", not a list or a single value");
    }
    return object;
  }

  private static boolean flag(JsonObject body, String name, Fields fields) {
    Object value = body.getValue(name);
    if (value != null && !(value instanceof Boolean)) {
      fields.error(name, "must be true or false");
    }
    return Boolean.TRUE.equals(value);
  }
}
