package dev.scriptd.http;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.RunQuery;
import dev.scriptd.bus.RunReads;
import dev.scriptd.bus.ScheduleFire;
import dev.scriptd.bus.ScriptEntry;
import dev.scriptd.bus.ScriptRunsCommand;
import dev.scriptd.bus.StartScript;
import dev.scriptd.domain.Run;
import dev.scriptd.bus.ScriptList;
import dev.scriptd.bus.ScriptQuery;
import dev.scriptd.cron.CronSchedule;
import dev.scriptd.cron.Crons;
import dev.scriptd.cron.Schedules;
import dev.scriptd.domain.Script;
import dev.scriptd.domain.Times;
import dev.scriptd.params.RunParameters;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The /api/scripts routes, and the run statistics and retention routes of /api/runs (mounted before
 * /api/runs/:id, which would take "stats" and "cleanup" for run ids).
 */
final class ScriptRoutes {
  private static final long CLEANUP_TIMEOUT_MS = TimeUnit.HOURS.toMillis(6);
  /** A restart waits for the kill of the active runs (their grace and the group's end) before it starts. */
  private static final long RESTART_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(2);

  private final Bus bus;
  private final RunReads reads;
  private final RunRoutes runs;
  private final ScriptDefinitions definitions;

  ScriptRoutes(Bus bus, RunReads reads, RunRoutes runs, ScriptDefinitions definitions) {
    this.bus = bus;
    this.reads = reads;
    this.runs = runs;
    this.definitions = definitions;
  }

  /** The routes under /api/runs that are not a run's: mount them before /api/runs/:id, which would take them. */
  void mountRunRoutes(Router router) {
    router.get("/api/runs/stats").handler(this::stats);
    router.post("/api/runs/cleanup").handler(this::cleanup);
    router.get("/api/runs/cleanup/status").handler(this::cleanupStatus);
  }

  /** The script routes (after ScriptFileRoutes, whose export and apply /api/scripts/:id would take). */
  void mount(Router router) {
    router.post("/api/scripts").handler(this::create);
    router.get("/api/scripts").handler(this::list);
    router.get("/api/scripts/:id").handler(this::get);
    router.put("/api/scripts/:id").handler(this::update);
    router.delete("/api/scripts/:id").handler(this::delete);
    router.post("/api/scripts/:id/run").handler(this::run);
    router.post("/api/scripts/:id/kill").handler(this::kill);
    router.post("/api/scripts/:id/restart").handler(this::restart);
    router.get("/api/scripts/:id/logs").handler(this::logs);
    router.get("/api/scripts/:id/runs").handler(this::scriptRuns);
    router.get("/api/scripts/:id/schedule/preview").handler(this::preview);
    router.get("/api/scripts/:id/schedule/history").handler(this::history);
    router.get("/api/schedules/preview").handler(this::previewExpression);
  }

  private void create(RoutingContext ctx) {
    JsonObject definition = definition(Json.bodyObject(ctx));
    bus.<JsonObject>request(Addresses.SCRIPTS_CREATE, definition)
        .onSuccess(script -> {
          AuditTrail.note(ctx, script.getString("id"), scriptDetails(script));
          Json.send(ctx, 201, script);
        })
        .onFailure(ctx::fail);
  }

  /** What the audit log keeps of a script created or changed: its name and version, no definition. */
  static JsonObject scriptDetails(JsonObject script) {
    return new JsonObject().put("name", script.getString("name")).put("version", script.getValue("version"));
  }

  private JsonObject definition(JsonObject body) {
    ScriptDefinitions.Checked checked = definitions.check(body);
    if (!checked.valid()) {
      throw ApiException.invalid(checked.errors());
    }
    return checked.definition();
  }

  private void list(RoutingContext ctx) {
    Fields fields = new Fields();
    int limit = (int) fields.queryLong("limit", ctx.request().getParam("limit"), 50, 1, 1000);
    fields.check();
    bus.<ScriptList>request(Addresses.DB_LIST_SCRIPTS, new ScriptQuery(limit, ctx.request().getParam("cursor")))
        .onSuccess(list -> {
          JsonArray items = new JsonArray();
          list.items().forEach(entry -> items.add(scriptJson(entry)));
          Json.send(ctx, 200, new JsonObject().put("items", items).put("next_cursor", list.nextCursor()));
        })
        .onFailure(ctx::fail);
  }

  /** The script object, with next_run_at from its schedule (null when disabled or unscheduled). */
  private static JsonObject scriptJson(ScriptEntry entry) {
    return entry.script().toJson(entry.lastRun(), Schedules.nextRunAt(entry.script(), Instant.now()));
  }

  private void get(RoutingContext ctx) {
    script(ctx).onSuccess(entry -> Json.send(ctx, 200, scriptJson(entry)))
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    JsonObject definition = definition(Json.bodyObject(ctx));
    command(ctx, Addresses.SCRIPTS_UPDATE, new JsonObject().put("definition", definition), 200);
  }

  private void delete(RoutingContext ctx) {
    bus.request(Addresses.SCRIPTS_DELETE, new JsonObject().put("script_id", scriptId(ctx)))
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  private void run(RoutingContext ctx) {
    JsonObject body = Json.bodyObject(ctx);
    Fields fields = new Fields();
    Map<String, String> env = fields.optionalStringMap(body, "env", 256);
    String trigger = fields.optionalString(body, "trigger", 16);
    if (trigger != null && !trigger.equals("api") && !trigger.equals("ui")) {
      fields.error("trigger", "must be \"api\" or \"ui\"");
    }
    Object rawParams = body.getValue("params");
    if (rawParams != null && !(rawParams instanceof JsonObject)) {
      fields.error("params", "must be an object of parameter values");
    }
    fields.check();
    JsonObject params = (JsonObject) rawParams;
    StartScript start = StartScript.of(scriptId(ctx), env, trigger == null ? "api" : trigger,
        AuthHandler.startedBy(ctx)).withParams(params);
    // straight to the run owner, which checks the values, resolves the script and applies its
    // concurrency; only when it refuses the values is the definition read, to list them in errors[]
    NodeChoice.then(bus, body, node -> bus.<Run>request(Addresses.RUNS_START_SCRIPT, start.withNode(node)))
        .recover(e -> BusFailure.is(e, ReplyCodes.BAD_REQUEST) && e.getMessage() != null
            && e.getMessage().startsWith(RunParameters.INVALID) ? invalidParams(ctx, params, e) : Future.failedFuture(e))
        .onSuccess(run -> {
          AuditTrail.note(ctx, run.id(), RunRoutes.auditDetails(run.toJson()));
          Json.send(ctx, 201, run.toJson());
        })
        .onFailure(ctx::fail);
  }

  /** The owner's refusal of {@code params} as a 400 with one errors[] item per bad value. */
  private Future<Run> invalidParams(RoutingContext ctx, JsonObject params, Throwable refusal) {
    return script(ctx).compose(entry -> {
      RunParameters.Result checked = RunParameters.resolve(entry.script().parameters(), params);
      // valid now: the definition changed in between; the owner's words stand
      return Future.failedFuture(checked.valid() ? refusal : ApiException.invalid(checked.errors()));
    });
  }

  private void kill(RoutingContext ctx) {
    bus.<JsonObject>request(Addresses.RUNS_SCRIPT_RUNS, new ScriptRunsCommand(scriptId(ctx), ScriptRunsCommand.Action.KILL))
        .onSuccess(reply -> Json.send(ctx, 202, reply))
        .onFailure(ctx::fail);
  }

  private void restart(RoutingContext ctx) {
    bus.<Run>request(Addresses.RUNS_SCRIPT_RUNS, new ScriptRunsCommand(scriptId(ctx), ScriptRunsCommand.Action.RESTART,
            AuthHandler.startedBy(ctx)),
            RESTART_TIMEOUT_MS)
        .onSuccess(run -> {
          AuditTrail.note(ctx, null, new JsonObject().put("run_id", run.id()));
          Json.send(ctx, 201, run.toJson());
        })
        .onFailure(ctx::fail);
  }

  private void command(RoutingContext ctx, String address, JsonObject body, int status) {
    bus.<JsonObject>request(address, body.put("script_id", scriptId(ctx)))
        .onSuccess(reply -> {
          if (address.equals(Addresses.SCRIPTS_UPDATE)) {
            AuditTrail.note(ctx, reply.getString("id"), scriptDetails(reply));
          }
          Json.send(ctx, status, reply);
        })
        .onFailure(ctx::fail);
  }

  /** As /api/runs/{id}/logs (JSON, SSE or WebSocket) for the script's latest run. */
  private void logs(RoutingContext ctx) {
    script(ctx).onSuccess(entry -> {
      if (entry.lastRun() == null) {
        ctx.fail(new ApiException(404, "not-found", "script " + entry.script().name()
            + " has not run yet; start it with POST /api/scripts/" + entry.script().id() + "/run"));
      } else {
        runs.logs(ctx, entry.lastRun().id());
      }
    }).onFailure(ctx::fail);
  }

  private void scriptRuns(RoutingContext ctx) {
    script(ctx).compose(entry -> {
      Fields fields = new Fields();
      RunQuery query = RunRoutes.historyQuery(ctx, fields, entry.script().id());
      fields.check();
      return reads.pageJson(query);
    }).onSuccess(page -> Json.send(ctx, 200, page)).onFailure(ctx::fail);
  }

  private void preview(RoutingContext ctx) {
    Fields fields = new Fields();
    int count = (int) fields.queryLong("count", ctx.request().getParam("count"), 10, 1, 100);
    fields.check();
    script(ctx).onSuccess(entry -> {
      Script script = entry.script();
      JsonObject schedule = script.schedule();
      if (schedule == null || schedule.getString("cron") == null) {
        ctx.fail(ApiException.badRequest("script " + script.name()
            + " has no schedule; set \"schedule\": {\"cron\": \"...\"} with PUT /api/scripts/" + script.id()));
        return;
      }
      JsonArray times = new JsonArray();
      CronSchedule.of(schedule.getString("cron"), schedule.getString("timezone", "UTC"))
          .next(Instant.now(), count).forEach(time -> times.add(Times.format(time)));
      Json.send(ctx, 200, new JsonObject().put("times", times));
    }).onFailure(ctx::fail);
  }

  /** The schedule ledger of a script, newest fire time first. */
  private void history(RoutingContext ctx) {
    Fields fields = new Fields();
    int limit = (int) fields.queryLong("limit", ctx.request().getParam("limit"), 50, 1, 1000);
    fields.check();
    String cursor = ctx.request().getParam("cursor");
    script(ctx).compose(entry -> bus.<ScheduleFire.Page>request(Addresses.DB_SCHEDULE_FIRES,
            new ScheduleFire.Query(entry.script().id(), limit, cursor)))
        .onSuccess(page -> {
          JsonArray items = new JsonArray();
          for (ScheduleFire fire : page.items()) {
            items.add(new JsonObject()
                .put("fire_time", Times.format(fire.fireTime()))
                .put("decided_at", Times.format(fire.decidedAt()))
                .put("outcome", fire.outcome())
                .put("run_id", fire.runId())
                .put("detail", fire.detail()));
          }
          Json.send(ctx, 200, new JsonObject().put("items", items).put("next_cursor", page.nextCursor()));
        })
        .onFailure(ctx::fail);
  }

  /**
   * Checks an expression that is not saved yet ({@code ?cron=&timezone=&count=}), for the editor
   * while the user types. The verdict is the answer, so a wrong expression is a 200 too:
   * {@code {"valid": false, "errors": [{"field","message"}], "times": []}} with the messages a
   * script's {@code schedule} would get; only a bad {@code count} is a 400.
   */
  private void previewExpression(RoutingContext ctx) {
    Fields fields = new Fields();
    int count = (int) fields.queryLong("count", ctx.request().getParam("count"), 10, 1, 100);
    fields.check();
    String cron = ctx.request().getParam("cron");
    String timezone = ctx.request().getParam("timezone");
    timezone = timezone == null || timezone.isBlank() ? "UTC" : timezone.trim();
    JsonArray errors = new JsonArray();
    if (cron == null || cron.isBlank()) {
      errors.add(fieldError("cron", "is required, e.g. */5 * * * *"));
    } else if (cron.length() > 256) {
      errors.add(fieldError("cron", "must be at most 256 characters"));
    } else {
      try {
        Crons.parse(cron.trim());
      } catch (IllegalArgumentException e) {
        errors.add(fieldError("cron", "'" + cron.trim() + "' is not a valid cron expression: " + e.getMessage()));
      }
    }
    try {
      ZoneId.of(timezone);
    } catch (DateTimeException e) {
      errors.add(fieldError("timezone", "'" + timezone + "' is not a time zone; use an IANA name such as Europe/Paris or UTC"));
    }
    JsonArray times = new JsonArray();
    if (errors.isEmpty()) {
      CronSchedule.of(cron.trim(), timezone).next(Instant.now(), count).forEach(time -> times.add(Times.format(time)));
    }
    Json.send(ctx, 200, new JsonObject().put("valid", errors.isEmpty()).put("errors", errors).put("times", times));
  }

  private static JsonObject fieldError(String field, String message) {
    return new JsonObject().put("field", field).put("message", message);
  }

  private void stats(RoutingContext ctx) {
    Fields fields = new Fields();
    RunQuery query = RunRoutes.historyQuery(ctx, fields, null);
    fields.check();
    reads.stats(query)
        .onSuccess(stats -> Json.send(ctx, 200, stats))
        .onFailure(ctx::fail);
  }

  private void cleanup(RoutingContext ctx) {
    JsonObject body = Json.bodyObject(ctx);
    Fields fields = new Fields();
    Long days = fields.optionalLong(body, "days", 0, 36_500);
    Boolean dryRun = fields.optionalBoolean(body, "dry_run");
    fields.check();
    JsonObject request = new JsonObject().put("dry_run", Boolean.TRUE.equals(dryRun));
    if (days != null) {
      request.put("days", days);
    }
    bus.<JsonObject>request(Addresses.SCRIPTS_CLEANUP, request, CLEANUP_TIMEOUT_MS)
        .onSuccess(stats -> Json.send(ctx, 200, stats))
        .onFailure(ctx::fail);
  }

  private void cleanupStatus(RoutingContext ctx) {
    bus.<JsonObject>request(Addresses.SCRIPTS_CLEANUP_STATUS, null)
        .onSuccess(status -> Json.send(ctx, 200, status))
        .onFailure(ctx::fail);
  }

  private Future<ScriptEntry> script(RoutingContext ctx) {
    return bus.request(Addresses.DB_GET_SCRIPT, scriptId(ctx));
  }

  /** The {id} path parameter: a script id or name; anything else cannot name a script. */
  private String scriptId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (id == null || !(RunRoutes.isUuid(id) || definitions.isName(id))) {
      throw new ApiException(404, "not-found", "script '" + id
          + "' not found; check the id or name (list them with GET /api/scripts)");
    }
    return id;
  }
}
