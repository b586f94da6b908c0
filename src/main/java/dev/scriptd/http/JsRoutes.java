package dev.scriptd.http;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.LogPage;
import dev.scriptd.bus.LogQuery;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.Times;
import dev.scriptd.http.tail.TailHub;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The four JavaScript routes of the API (src/docs/api.md). They keep their documented legacy shapes: plain
 * {@code {"error": ...}} bodies for the missing program and unknown executions, and an SSE stream
 * of unnamed events. Everything else fails as problem JSON.
 */
final class JsRoutes {
  /** Lines of {@code /api/result}'s {@code logs} at most (the full log is at /api/runs/{id}/logs). */
  static final int RESULT_LOG_LIMIT = 10_000;
  private static final String NOT_FOUND = "Execution not found";

  private final Bus bus;
  private final TailHub hub;
  private final StreamGate streams;

  JsRoutes(Bus bus, TailHub hub, StreamGate streams) {
    this.bus = bus;
    this.hub = hub;
    this.streams = streams;
  }

  void mount(Router router) {
    router.post("/api/execute").handler(this::execute);
    router.post("/api/execute-async").handler(this::executeAsync);
    router.get("/api/logs/:id").handler(this::logs);
    router.get("/api/result/:id").handler(this::result);
  }

  /** Runs to the end: 200 {"result"}, or a JS error as 422 problem JSON with its message. */
  private void execute(RoutingContext ctx) {
    JsonObject body = Json.bodyObject(ctx);
    Fields fields = new Fields();
    String program = fields.requiredString(body, "program", 1 << 20);
    Long timeout = fields.optionalLong(body, "timeout", 1, 604_800);
    fields.check();
    JsonObject start = new JsonObject().put("program", program).put("wait", true)
        .put("created_by", AuthHandler.startedBy(ctx));
    if (timeout != null) {
      start.put("timeout", timeout);
    }
    long waitMs = (timeout == null ? 604_800 : timeout) * 1000L + 30_000;
    bus.<JsonObject>request(Addresses.RUNS_START, start, waitMs).onSuccess(run -> {
      AuditTrail.note(ctx, run.getString("id"), RunRoutes.auditDetails(run));
      if (RunStatus.COMPLETED.wire().equals(run.getString("status"))) {
        Json.send(ctx, 200, new JsonObject().put("result", run.getValue("result")));
      } else {
        ctx.fail(new ApiException(422, "js-error", "the program " + run.getString("status") + ": "
            + run.getString("error")));
      }
    }).onFailure(ctx::fail);
  }

  /** 200 {"execution_id"} at once; a missing program is the legacy 400 {"error"}. */
  private void executeAsync(RoutingContext ctx) {
    JsonObject body = Json.bodyObject(ctx);
    if (!(body.getValue("program") instanceof String program) || program.isBlank()) {
      Json.send(ctx, 400, new JsonObject().put("error", "Missing program in request"));
      return;
    }
    bus.<JsonObject>request(Addresses.RUNS_START, new JsonObject().put("program", program)
            .put("created_by", AuthHandler.startedBy(ctx)))
        .onSuccess(run -> {
          AuditTrail.note(ctx, run.getString("id"), RunRoutes.auditDetails(run));
          Json.send(ctx, 200, new JsonObject().put("execution_id", run.getString("id")));
        })
        .onFailure(ctx::fail);
  }

  /** SSE: one unnamed event per line, then {@code event: done}, then the stream closes. */
  private void logs(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!RunRoutes.isUuid(id)) {
      Json.send(ctx, 404, new JsonObject().put("error", NOT_FOUND));
      return;
    }
    hub.followLegacySse(id, ctx.request(), streams.admit(ctx)).onFailure(e -> {
      if (isNotFound(e)) {
        Json.send(ctx, 404, new JsonObject().put("error", NOT_FOUND));
      } else {
        ctx.fail(e);
      }
    });
  }

  /** 200 completed, 202 running, 500 error (the program failed), 404 unknown. */
  private void result(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!RunRoutes.isUuid(id)) {
      Json.send(ctx, 404, new JsonObject().put("error", NOT_FOUND));
      return;
    }
    bus.<Run>request(Addresses.DB_GET_RUN, id)
        .compose(run -> bus.<LogPage>request(Addresses.DB_READ_LOGS, new LogQuery(id, 0, RESULT_LOG_LIMIT))
            .map(page -> resultJson(run, page)))
        .onSuccess(json -> {
          String status = json.getString("status");
          Json.send(ctx, "completed".equals(status) ? 200 : "running".equals(status) ? 202 : 500, json);
        })
        .onFailure(e -> {
          if (isNotFound(e)) {
            Json.send(ctx, 404, new JsonObject().put("error", NOT_FOUND));
          } else {
            ctx.fail(e);
          }
        });
  }

  static JsonObject resultJson(Run run, LogPage page) {
    String status = switch (run.status()) {
      case COMPLETED -> "completed";
      case PENDING, RUNNING -> "running";
      default -> "error";
    };
    JsonArray logs = new JsonArray();
    for (LogLine line : page.lines()) {
      logs.add(legacyLine(line));
    }
    JsonObject result = run.status() == RunStatus.COMPLETED
        ? new JsonObject().put("value", run.result()).put("type", typeOf(run.result())) : null;
    String error = run.status() == RunStatus.COMPLETED || !run.status().isFinal() ? null
        : run.error() != null ? run.error() : "the run ended " + run.status().wire()
            + (run.exitCode() == null ? "" : " with exit code " + run.exitCode());
    return new JsonObject()
        .put("execution_id", run.id())
        .put("status", status)
        .put("result", result)
        .put("error", error)
        .put("logs", logs);
  }

  /** A log line in the legacy form: {"timestamp","level","message"} (INFO stdout, ERROR stderr). */
  static JsonObject legacyLine(LogLine line) {
    return new JsonObject()
        .put("timestamp", Times.format(line.timestamp()))
        .put("level", line.stream() == LogStream.STDERR ? "ERROR" : "INFO")
        .put("message", line.text());
  }

  /** The JSON kind of a stored result. */
  static String typeOf(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Boolean) {
      return "boolean";
    }
    if (value instanceof Number) {
      return "number";
    }
    if (value instanceof String) {
      return "string";
    }
    return value instanceof JsonArray ? "array" : "object";
  }

  private static boolean isNotFound(Throwable e) {
    return e instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && reply.failureCode() == ReplyCodes.NOT_FOUND;
  }
}
