package dev.scriptd.http;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.LogPage;
import dev.scriptd.bus.LogQuery;
import dev.scriptd.bus.RunQuery;
import dev.scriptd.bus.RunReads;
import dev.scriptd.config.SecurityConfig;
import dev.scriptd.domain.Ansi;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Map;

/** The /api/runs routes: ad-hoc runs, history, kill, restart, delete, and stored logs. */
final class RunRoutes {
  private static final int LOG_TEXT_PAGE = 5000;

  /** A run's stored lines, through the node that runs it when that is another node of a cluster. */
  private final RunLines lines;
  private final Bus bus;
  private final RunReads runs;
  private final LiveTails tails;
  private final SecurityConfig.Adhoc adhoc;

  RunRoutes(Bus bus, RunReads runs, LiveTails tails, SecurityConfig.Adhoc adhoc, RunLines lines) {
    this.bus = bus;
    this.lines = lines;
    this.runs = runs;
    this.tails = tails;
    this.adhoc = adhoc;
  }

  void mount(Router router) {
    router.post("/api/runs").handler(this::create);
    router.get("/api/runs").handler(this::list);
    router.get("/api/runs/:id").handler(this::get);
    router.delete("/api/runs/:id").handler(this::delete);
    router.post("/api/runs/:id/kill").handler(this::kill);
    router.post("/api/runs/:id/restart").handler(this::restart);
    router.post("/api/runs/:id/pin").handler(ctx -> pin(ctx, true));
    router.delete("/api/runs/:id/pin").handler(ctx -> pin(ctx, false));
    router.get("/api/runs/:id/logs").handler(ctx -> logs(ctx, runId(ctx)));
    router.get("/api/runs/:id/log.txt").handler(this::logText);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Json.bodyObject(ctx);
    Fields fields = new Fields();
    String command = fields.requiredString(body, "command", 65_536);
    Long timeout = fields.optionalLong(body, "timeout", 1, 604_800);
    JsonObject env = fields.optionalEnv(body, "env", 256);
    String cwd = fields.optionalString(body, "cwd", 4096);
    if (cwd != null && cwd.indexOf('\0') >= 0) {
      fields.error("cwd", "must not contain a NUL character");
    }
    String trigger = fields.optionalString(body, "trigger", 16);
    if (trigger != null && !trigger.equals("api") && !trigger.equals("ui")) {
      fields.error("trigger", "must be \"api\" or \"ui\"");
    }
    fields.check();
    if (!adhoc.enabled()) {
      throw new ApiException(403, "adhoc-disabled",
          "ad-hoc runs are disabled on this server (adhoc.enabled = false); run a saved script instead");
    }
    if (!adhoc.allows(command)) {
      throw new ApiException(403, "command-not-allowed",
          "this command matches none of the patterns of adhoc.allow; ask an admin or run a saved script");
    }
    JsonObject start = new JsonObject()
        .put("command", command)
        .put("env", env)
        .put("trigger", trigger == null ? "api" : trigger)
        .put("created_by", AuthHandler.startedBy(ctx));
    if (timeout != null) {
      start.put("timeout", timeout);
    }
    if (cwd != null) {
      start.put("cwd", cwd);
    }
    NodeChoice.then(bus, body, node -> bus.<JsonObject>request(Addresses.RUNS_START, node == null ? start
            : start.copy().put("node", node)))
        .onSuccess(run -> {
          AuditTrail.note(ctx, run.getString("id"), auditDetails(run));
          Json.send(ctx, 201, run);
        })
        .onFailure(ctx::fail);
  }

  /**
   * What the audit log keeps of a run started: its kind, trigger and script. Never its command or
   * env, which may hold secrets.
   */
  static JsonObject auditDetails(JsonObject run) {
    return new JsonObject().put("kind", run.getString("kind")).put("trigger", run.getString("trigger"))
        .put("script_id", run.getString("script_id"));
  }

  private void list(RoutingContext ctx) {
    Fields fields = new Fields();
    RunQuery query = historyQuery(ctx, fields, null);
    fields.check();
    runs.pageJson(query)
        .onSuccess(page -> Json.send(ctx, 200, page))
        .onFailure(ctx::fail);
  }

  /** The filters shared by every run list: script_id, status, from, to, limit, cursor, created_by. */
  static RunQuery historyQuery(RoutingContext ctx, Fields fields, String scriptId) {
    String script = scriptId != null ? scriptId : ctx.request().getParam("script_id");
    if (script != null && script.length() > 128) {
      fields.error("script_id", "must be a script id or name of at most 128 characters");
      script = null;
    }
    RunStatus status = null;
    String statusText = ctx.request().getParam("status");
    if (statusText != null && !statusText.isEmpty()) {
      try {
        status = RunStatus.fromWire(statusText);
      } catch (IllegalArgumentException e) {
        fields.error("status", "must be one of pending, running, completed, failed, killed, timed_out, lost");
      }
    }
    Instant from = fields.queryInstant("from", ctx.request().getParam("from"));
    Instant to = fields.queryInstant("to", ctx.request().getParam("to"));
    int limit = (int) fields.queryLong("limit", ctx.request().getParam("limit"), 50, 1, 1000);
    String cursor = ctx.request().getParam("cursor");
    String createdBy = ctx.request().getParam("created_by");
    if (createdBy != null && createdBy.length() > 128) {
      fields.error("created_by", "must be a caller's name of at most 128 characters");
      createdBy = null;
    }
    String parent = runIdParam(ctx, fields, "parent_run_id");
    String retryOf = runIdParam(ctx, fields, "retry_of");
    String trigger = ctx.request().getParam("trigger");
    if (trigger != null && !trigger.isEmpty() && !TRIGGERS.contains(trigger)) {
      fields.error("trigger", "must be one of " + String.join(", ", TRIGGERS));
    }
    return new RunQuery(script == null || script.isEmpty() ? null : script, status, from, to, limit,
        cursor == null || cursor.isEmpty() ? null : cursor, parent,
        trigger == null || trigger.isEmpty() ? null : trigger, retryOf,
        createdBy == null || createdBy.isEmpty() ? null : createdBy);
  }

  /** The run triggers of the contract, the values of the {@code trigger} filter. */
  static final java.util.List<String> TRIGGERS = java.util.List.of("api", "cron", "endpoint", "restart", "ui",
      "chain", "retry");

  /** A run id filter: a UUID (lower-cased) or absent. */
  private static String runIdParam(RoutingContext ctx, Fields fields, String name) {
    String text = ctx.request().getParam(name);
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (!isUuid(text)) {
      fields.error(name, "must be a run id (a UUID)");
      return null;
    }
    return text.toLowerCase();
  }

  private void get(RoutingContext ctx) {
    runs.runJson(runId(ctx)).onSuccess(run -> Json.send(ctx, 200, run)).onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    String id = runId(ctx);
    bus.request(Addresses.DB_DELETE_RUN, id)
        .onSuccess(ignored -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  private void pin(RoutingContext ctx, boolean pinned) {
    bus.<Run>request(Addresses.DB_PIN_RUN, new JsonObject().put("run_id", runId(ctx)).put("pinned", pinned))
        .onSuccess(run -> Json.send(ctx, 200, run.toJson()))
        .onFailure(ctx::fail);
  }

  private void kill(RoutingContext ctx) {
    String id = runId(ctx);
    bus.<JsonObject>request(Addresses.RUNS_KILL, new JsonObject().put("run_id", id))
        .onSuccess(run -> Json.send(ctx, 202, run))
        .onFailure(ctx::fail);
  }

  private void restart(RoutingContext ctx) {
    String id = runId(ctx);
    bus.<JsonObject>request(Addresses.RUNS_RESTART, new JsonObject().put("run_id", id).put("trigger", "restart")
            .put("created_by", AuthHandler.startedBy(ctx)))
        .onSuccess(run -> {
          AuditTrail.note(ctx, null, new JsonObject().put("run_id", run.getString("id")));
          Json.send(ctx, 201, run);
        })
        .onFailure(ctx::fail);
  }

  /** One path, three forms: WebSocket on upgrade, SSE when accepted, JSON pages otherwise. */
  void logs(RoutingContext ctx, String runId) {
    if (!tails.serve(ctx, runId)) {
      logPage(ctx, runId);
    }
  }

  private void logPage(RoutingContext ctx, String runId) {
    Fields fields = new Fields();
    long since = fields.queryLong("since", ctx.request().getParam("since"), 0, 0, Long.MAX_VALUE);
    int limit = (int) fields.queryLong("limit", ctx.request().getParam("limit"), 1000, 1, 10_000);
    fields.check();
    bus.<Run>request(Addresses.DB_GET_RUN, runId)
        .compose(run -> lines.read(run, since, limit)
            .map(page -> {
              JsonArray lines = new JsonArray();
              page.lines().forEach(line -> lines.add(line.toJson()));
              boolean complete = run.status().isFinal() && page.nextSince() >= run.logLines();
              return new JsonObject().put("lines", lines).put("next_since", page.nextSince())
                  .put("complete", complete);
            }))
        .onSuccess(json -> Json.send(ctx, 200, json))
        .onFailure(ctx::fail);
  }

  private void logText(RoutingContext ctx) {
    String ansi = ctx.request().getParam("ansi");
    if (ansi != null && !ansi.equals("strip") && !ansi.equals("keep")) {
      throw ApiException.badRequest("ansi must be \"strip\" or \"keep\"");
    }
    boolean strip = "strip".equals(ansi);
    HttpServerResponse response = ctx.response();
    runById(ctx)
        .compose(run -> {
          response.setChunked(true)
              .putHeader("Content-Type", "text/plain; charset=utf-8")
              .putHeader("Content-Disposition", "inline; filename=\"" + run.id() + ".log\"");
          return writeText(response, run, 0, strip);
        })
        .onSuccess(done -> response.end())
        .onFailure(ctx::fail);
  }

  /** Writes pages one after another; each write completes before the next read, so memory stays bounded. */
  private Future<Void> writeText(HttpServerResponse response, Run run, long since, boolean strip) {
    return lines.read(run, since, LOG_TEXT_PAGE)
        .compose(page -> {
          if (page.lines().isEmpty()) {
            return Future.succeededFuture();
          }
          StringBuilder text = new StringBuilder(page.lines().size() * 80);
          for (LogLine line : page.lines()) {
            text.append(strip ? Ansi.strip(line.text()) : line.text()).append('\n');
          }
          return response.write(text.toString())
              .compose(written -> writeText(response, run, page.nextSince(), strip));
        });
  }

  private Future<Run> runById(RoutingContext ctx) {
    return bus.request(Addresses.DB_GET_RUN, runId(ctx));
  }

  /**
   * True for a UUID in its 36-character form, in either case: {@code 8-4-4-4-12} hex digits. Checked
   * by hand, not by a regular expression: it runs on every run read.
   */
  static boolean isUuid(String text) {
    if (text == null || text.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = text.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return false;
        }
      } else if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
        return false;
      }
    }
    return true;
  }

  /** The {id} path parameter; anything that is not a UUID cannot name a run. */
  static String runId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!isUuid(id)) {
      throw ApiException.notFound("run '" + id + "'");
    }
    return id.toLowerCase();
  }
}
