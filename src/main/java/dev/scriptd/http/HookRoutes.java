package dev.scriptd.http;

import dev.scriptd.auth.Role;
import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.LogPage;
import dev.scriptd.bus.LogQuery;
import dev.scriptd.bus.RunEnd;
import dev.scriptd.bus.ScriptEntry;
import dev.scriptd.bus.ScriptList;
import dev.scriptd.bus.ScriptQuery;
import dev.scriptd.bus.StartScript;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.Script;
import dev.scriptd.params.ParameterSchema;
import dev.scriptd.params.RunParameters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code METHOD /hooks/{path}}: scripts served as HTTP endpoints. The routing table (method and
 * path to script) lives in each HTTP verticle instance; it is loaded at start and reloaded as soon
 * as SCRIPTS_CHANGED says a script was created, updated or deleted (requests wait for a reload in
 * progress, so a change is visible to the next request).
 */
final class HookRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(HookRoutes.class);
  static final String PREFIX = "/hooks/";
  /** Lines of stdout a {@code ?wait=true} shell answer carries at most. */
  static final int MAX_STDOUT_LINES = 10_000;
  private static final Set<HttpMethod> BODY_METHODS = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
      HttpMethod.DELETE);

  /**
   * One endpoint: the script it runs, and its definition ({@code role}, {@code rate_limit},
   * {@code max_concurrent}). {@code role} is the least role of a token that may call an
   * {@code auth: token} endpoint.
   */
  record Hook(String scriptId, String kind, String auth, long timeoutSeconds, Role role, JsonObject endpoint,
      JsonObject parameters) {
  }

  private final Vertx vertx;
  private final Bus bus;
  private final BodyHandler bodies;
  private final BiFunction<RoutingContext, Hook, Future<Boolean>> auth;
  private final EndpointRequestView requestView;
  private final EndpointLimiter limiter;
  private Map<String, Hook> table = Map.of();
  private Future<Void> loaded;
  private long generation;

  /**
   * {@code auth} decides whether a request may call an {@code auth: token} endpoint (it is asked
   * only for those). {@code requestView} is what a program sees of the request: no credentials.
   * {@code everyNode}: this node is in a cluster, so the table reloads on every node's script
   * changes, not only on its own.
   */
  HookRoutes(Vertx vertx, Bus bus, long maxBodyBytes, BiFunction<RoutingContext, Hook, Future<Boolean>> auth,
      EndpointRequestView requestView, EndpointLimiter limiter, boolean everyNode) {
    this.requestView = requestView;
    this.limiter = limiter;
    this.vertx = vertx;
    this.bus = bus;
    this.auth = auth;
    this.bodies = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    EventBus eventBus = vertx.eventBus();
    String changed = bus.namespace().of(Addresses.SCRIPTS_CHANGED);
    if (everyNode) {
      eventBus.<JsonObject>consumer(changed, message -> loaded = reload());
    } else {
      eventBus.<JsonObject>localConsumer(changed, message -> loaded = reload());
    }
    loaded = reload();
  }

  void mount(Router router) {
    router.route("/hooks/*").handler(ctx -> {
      if (BODY_METHODS.contains(ctx.request().method())) {
        bodies.handle(ctx);
      } else {
        ctx.next();
      }
    }).handler(this::dispatch);
  }

  /** The endpoints of every enabled script; a newer reload wins over an older one still in flight. */
  private Future<Void> reload() {
    long mine = ++generation;
    Map<String, Hook> next = new HashMap<>();
    return readPages(null, next).map(v -> {
      if (mine == generation) {
        table = next;
      }
      return (Void) null;
    }).onFailure(e -> LOG.warn("could not load the endpoint table; /hooks answers from the previous one: {}",
        e.getMessage()));
  }

  private Future<Void> readPages(String cursor, Map<String, Hook> into) {
    return bus.<ScriptList>request(Addresses.DB_LIST_SCRIPTS, new ScriptQuery(1000, cursor)).compose(list -> {
      for (ScriptEntry entry : list.items()) {
        Script script = entry.script();
        JsonObject endpoint = script.endpoint();
        if (endpoint != null && script.enabled()) {
          into.putIfAbsent(key(endpoint.getString("method"), endpoint.getString("path")),
              new Hook(script.id(), script.kind(), endpoint.getString("auth", "token"), script.timeoutSeconds(),
                  roleOf(endpoint), endpoint, script.parameters()));
        }
      }
      return list.nextCursor() == null ? Future.succeededFuture() : readPages(list.nextCursor(), into);
    });
  }

  /** {@code endpoint.role}, operator when absent (or unknown, which validation does not let through). */
  private static Role roleOf(JsonObject endpoint) {
    Role role = Role.fromWire(endpoint.getString("role"));
    return role == null ? Role.OPERATOR : role;
  }

  private static String key(String method, String path) {
    return method.toUpperCase(Locale.ROOT) + " " + path;
  }

  /** The methods the table serves on {@code path}, sorted and comma separated; null when none. */
  private String methodsServing(String path) {
    Set<String> methods = new TreeSet<>();
    String suffix = " " + path;
    for (String key : table.keySet()) {
      if (key.endsWith(suffix) && key.indexOf(' ') == key.length() - suffix.length()) {
        methods.add(key.substring(0, key.length() - suffix.length()));
      }
    }
    return methods.isEmpty() ? null : String.join(", ", methods);
  }

  private void dispatch(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String path = request.path().substring(PREFIX.length());
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String hookPath = path;
    loaded.recover(e -> Future.succeededFuture()).onComplete(ignored -> {
      Hook hook = table.get(key(request.method().name(), hookPath));
      if (hook == null) {
        String allow = methodsServing(hookPath);
        if (allow != null) {
          // the contract: no script for the method and path is a 404; Allow still tells the caller
          // which methods the path takes
          ctx.response().putHeader("Allow", allow);
          ctx.fail(new ApiException(404, "not-found", "no script answers " + request.method() + " "
              + request.path() + "; this endpoint answers " + allow));
          return;
        }
        ctx.fail(new ApiException(404, "not-found", "no script answers " + request.method() + " " + request.path()
            + "; give a script an endpoint {\"method\", \"path\"} to serve it"));
        return;
      }
      Future<Boolean> allowed = "public".equals(hook.auth()) ? Future.succeededFuture(true) : auth.apply(ctx, hook);
      allowed.onSuccess(ok -> {
        if (!ok) {
          ctx.fail(new ApiException(401, "unauthorized", "this endpoint needs a valid token "
              + "(Authorization: Bearer <token>)"));
          return;
        }
        // after the token: calls that may not use the endpoint do not spend its budget
        ApiException overLimit = limiter.refusal(ctx, hook.scriptId(), hook.endpoint());
        if (overLimit != null) {
          ctx.fail(overLimit);
          return;
        }
        // a 429 of the run's start (endpoint.max_concurrent, the endpoints' share of the run queue)
        // says when to come back too
        ctx.addHeadersEndHandler(v -> {
          if (ctx.response().getStatusCode() == 429 && !ctx.response().headers().contains("Retry-After")) {
            ctx.response().putHeader("Retry-After", "1");
          }
        });
        RunParameters.Result params = params(ctx, hook);
        if (!params.valid()) {
          ctx.fail(ApiException.invalid(params.errors()));
        } else if (Run.KIND_JS.equals(hook.kind())) {
          js(ctx, hook, params.values());
        } else {
          shell(ctx, hook, params.values());
        }
      }).onFailure(ctx::fail);
    });
  }

  /** The caller's name for a token-protected endpoint; null for a public one, whoever calls it. */
  private static String startedBy(RoutingContext ctx, Hook hook) {
    return "public".equals(hook.auth()) ? null : AuthHandler.startedBy(ctx);
  }

  // ---- JavaScript: the program answers

  /**
   * The run's parameter values: the query string's values of the declared names, then a JSON
   * object body's top-level fields of the same names (see RunParameters.fromRequest).
   */
  private static RunParameters.Result params(RoutingContext ctx, Hook hook) {
    Map<String, List<String>> query = new HashMap<>();
    for (String name : ParameterSchema.properties(hook.parameters()).fieldNames()) {
      List<String> values = ctx.queryParam(name);
      if (values != null && !values.isEmpty()) {
        query.put(name, values);
      }
    }
    Object json = null;
    String body = ctx.body() == null ? null : ctx.body().asString();
    if (hook.parameters() != null && body != null && body.trim().startsWith("{")) {
      try {
        json = io.vertx.core.json.Json.decodeValue(body);
      } catch (DecodeException notJson) {
        json = null; // not JSON: the body is the run's input only
      }
    }
    return RunParameters.fromRequest(hook.parameters(), query, json);
  }

  private void js(RoutingContext ctx, Hook hook, JsonObject params) {
    StartScript start = new StartScript(hook.scriptId(), null, Map.of(), "endpoint", null, requestJson(ctx), true,
        startedBy(ctx, hook), params);
    // the program is stopped at min(script timeout, js.endpoint_timeout_ms); the owner answers at its end
    long waitMs = TimeUnit.SECONDS.toMillis(hook.timeoutSeconds()) + 30_000;
    bus.<Run>request(Addresses.RUNS_START_SCRIPT, start, waitMs).map(Run::toJson).onSuccess(run -> {
      AuditTrail.note(ctx, null, new JsonObject().put("run_id", run.getString("id")));
      String status = run.getString("status");
      if (RunStatus.COMPLETED.wire().equals(status)) {
        respond(ctx, run.getValue("result"));
      } else if (RunStatus.PENDING.wire().equals(status) || RunStatus.RUNNING.wire().equals(status)) {
        Json.send(ctx, 202, new JsonObject().put("run_id", run.getString("id"))); // queued behind another run
      } else if (RunStatus.TIMED_OUT.wire().equals(status)) {
        ctx.fail(new ApiException(504, "endpoint-timeout", "the endpoint's program " + run.getString("error")
            + " (run " + run.getString("id") + ")"));
      } else {
        ctx.fail(new ApiException(502, "endpoint-failed", "the endpoint's program " + status + ": "
            + run.getString("error") + " (run " + run.getString("id") + ")"));
      }
    }).onFailure(ctx::fail);
  }

  /**
   * {method, path, query, headers, body, json}: headers with lower-case names, json null unless the
   * body parses; the caller's credentials left out (see {@link EndpointRequestView}).
   */
  private JsonObject requestJson(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String body = ctx.body() == null ? null : ctx.body().asString();
    Object json = null;
    if (body != null && !body.isBlank()) {
      try {
        json = io.vertx.core.json.Json.decodeValue(body);
      } catch (DecodeException notJson) {
        json = null;
      }
    }
    return new JsonObject()
        .put("method", request.method().name())
        .put("path", request.path())
        .put("query", requestView.query(request.params()))
        .put("headers", requestView.headers(request.headers()))
        .put("body", body == null ? "" : body)
        .put("json", json);
  }

  /** {status, headers, body} as the program returned it; any other value is the body of a 200. */
  private static void respond(RoutingContext ctx, Object result) {
    int status = 200;
    JsonObject headers = null;
    Object body = result;
    if (result instanceof JsonObject object
        && (object.containsKey("status") || object.containsKey("headers") || object.containsKey("body"))) {
      Object rawStatus = object.getValue("status");
      if (rawStatus != null) {
        if (!(rawStatus instanceof Number number) || number.intValue() < 100 || number.intValue() > 599) {
          ctx.fail(new ApiException(502, "endpoint-failed", "the endpoint's program returned status " + rawStatus
              + "; it must be a number 100..599"));
          return;
        }
        status = number.intValue();
      }
      headers = object.getValue("headers") instanceof JsonObject given ? given : null;
      body = object.getValue("body");
    }
    // checked as a whole before anything is written: a bad header is a 502, never a half-sent answer
    EndpointHeaders.Filtered filtered;
    try {
      filtered = EndpointHeaders.filter(headers);
    } catch (ApiException invalid) {
      ctx.fail(invalid);
      return;
    }
    if (!filtered.dropped().isEmpty()) {
      LOG.debug("{} {}: dropped headers the endpoint's program may not send: {}", ctx.request().method(),
          ctx.request().path(), filtered.dropped());
    }
    HttpServerResponse response = ctx.response().setStatusCode(status);
    try {
      filtered.kept().forEach(response::putHeader);
    } catch (IllegalArgumentException refused) {
      // what Vert.x's own header validation refuses beyond the checks above
      response.headers().clear();
      ctx.fail(new ApiException(502, "endpoint-failed", "the endpoint's program returned a header HTTP cannot"
          + " carry: " + refused.getMessage()));
      return;
    }
    String text;
    if (body == null) {
      text = "";
    } else if (body instanceof String string) {
      text = string;
      if (!response.headers().contains("Content-Type")) {
        response.putHeader("Content-Type", "text/plain; charset=utf-8");
      }
    } else {
      text = io.vertx.core.json.Json.encode(body);
      if (!response.headers().contains("Content-Type")) {
        response.putHeader("Content-Type", "application/json");
      }
    }
    response.end(text);
  }

  // ---- shell: the request on stdin and in SCRIPTD_* variables

  private void shell(RoutingContext ctx, Hook hook, JsonObject params) {
    HttpServerRequest request = ctx.request();
    boolean waitForEnd = "true".equalsIgnoreCase(request.getParam("wait"));
    JsonObject env = new JsonObject()
        .put("SCRIPTD_REQUEST_METHOD", request.method().name())
        .put("SCRIPTD_REQUEST_PATH", request.path());
    requestView.putVariables(env, request.params(), request.headers());
    Map<String, String> variables = new HashMap<>();
    env.forEach(entry -> variables.put(entry.getKey(), String.valueOf(entry.getValue())));
    String body = ctx.body() == null ? null : ctx.body().asString();
    // with ?wait=true the run owner answers the moment the run's end is saved, with its first
    // lines from its live buffer (storage is read only when the buffer no longer holds them)
    StartScript start = new StartScript(hook.scriptId(), null, variables, "endpoint",
        body == null || body.isEmpty() ? null : body, null, waitForEnd, startedBy(ctx, hook), params,
        waitForEnd ? MAX_STDOUT_LINES : 0);
    long waitMs = waitForEnd ? TimeUnit.SECONDS.toMillis(hook.timeoutSeconds()) + 30_000 : 30_000;
    bus.<Object>request(Addresses.RUNS_START_SCRIPT, start, waitMs).onSuccess(reply -> {
      RunEnd end = reply instanceof RunEnd ended ? ended : null;
      Run run = end != null ? end.run() : (Run) reply;
      AuditTrail.note(ctx, null, new JsonObject().put("run_id", run.id()));
      if (!waitForEnd) {
        Json.send(ctx, 202, new JsonObject().put("run_id", run.id()));
        return;
      }
      if (end != null && end.lines() != null) {
        answerShell(ctx, run.toJson(), end.lines());
        return;
      }
      bus.<LogPage>request(Addresses.DB_READ_LOGS, new LogQuery(run.id(), 0, MAX_STDOUT_LINES))
          .onSuccess(page -> answerShell(ctx, run.toJson(), page))
          .onFailure(ctx::fail);
    }).onFailure(e -> ctx.fail(waitForEnd && e instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT
        ? new ApiException(504, "endpoint-timeout", "the endpoint's run did not end in time; follow it at /api/runs")
        : e));
  }

  private static void answerShell(RoutingContext ctx, JsonObject run, LogPage page) {
    StringBuilder stdout = new StringBuilder();
    for (LogLine line : page.lines()) {
      if (line.stream() == LogStream.STDOUT) {
        stdout.append(line.text()).append('\n');
      }
    }
    String status = run.getString("status");
    if (RunStatus.COMPLETED.wire().equals(status)) {
      ctx.response().setStatusCode(200).putHeader("Content-Type", "text/plain; charset=utf-8")
          .putHeader("X-Scriptd-Run-Id", run.getString("id")).end(stdout.toString());
      return;
    }
    ctx.fail(new ApiException(502, "endpoint-failed", "the endpoint's command ended " + status
        + (run.getValue("exit_code") == null ? "" : " with exit code " + run.getValue("exit_code"))
        + (run.getString("error") == null ? "" : " (" + run.getString("error") + ")")
        + "; run " + run.getString("id") + " has its log"));
  }

  /** Until the security issue's token check is wired in: {@code auth: token} endpoints refuse every call. */
  static Future<Boolean> refuseTokens(RoutingContext ctx, Hook hook) {
    return Future.succeededFuture(false);
  }
}
