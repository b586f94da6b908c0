package dev.scriptd.js;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusReplies;
import dev.scriptd.bus.Codecs;
import dev.scriptd.bus.JsOutcome;
import dev.scriptd.bus.JsProgram;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.StopRun;
import dev.scriptd.config.ClusterConfig;
import dev.scriptd.config.JsConfig;
import dev.scriptd.config.SecurityConfig;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.OutputGuard;
import dev.scriptd.domain.RunOutputs;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The JS executor: runs the programs of js runs the run owner started (JS_EXECUTE) on the
 * {@code scriptd-js} worker pool (never on an event loop) with the shared engine, its compiled
 * source cache and its pooled endpoint contexts; streams their log lines in chunks through each
 * run's guard (secrets masked, limits.max_log_bytes; storage first, then the live stream); and
 * answers with how the program ended. It neither saves nor publishes runs: the run owner does.
 * Also JS_STOP (the owner's kills), JS_STATS, and SCRIPTS_CHANGED to drop stale compiled sources.
 * Execution state lives on this verticle's context.
 */
public final class JsVerticle extends VerticleBase {
  private static final long DRAIN_MS = 20;

  private Namespace ns;
  private final Map<String, JsExecution> live = new HashMap<>();
  private JsConfig settings;
  private RunLimits defaultLimits;
  private JsEngine engine;
  private WorkerExecutor executor;
  private ScriptdMetrics metrics;
  private IntSupplier vmSource;
  private long drainTimer = -1;

  public JsVerticle() {
  }

  @Override
  public Future<?> start() {
    ns = Namespace.from(config());
    settings = JsConfig.fromJson(config());
    defaultLimits = SecurityConfig.fromJson(config()).limits().perRun();
    EventBus eventBus = vertx.eventBus();
    Codecs.register(eventBus);
    metrics = ScriptdMetrics.of(vertx, config());
    return vertx.executeBlocking(() -> new JsEngine(settings), false).compose(created -> {
      engine = created;
      vmSource = engine::contextsInUse;
      metrics.addVmSource(vmSource);
      executor = vertx.createSharedWorkerExecutor("scriptd-js", settings.workers(), 7, TimeUnit.DAYS);
      drainTimer = vertx.setPeriodic(DRAIN_MS, t -> live.values().forEach(this::drain));
      Handler<Message<JsonObject>> invalidate = message -> {
        Object id = message.body() == null ? null : message.body().getValue("script_id");
        if (id instanceof String scriptId) {
          engine.invalidate(scriptId);
        }
      };
      // clustered, a script changed through any node drops its compiled source here too
      if (ClusterConfig.fromJson(config()).enabled()) {
        eventBus.consumer(ns.of(Addresses.SCRIPTS_CHANGED), invalidate);
      } else {
        eventBus.localConsumer(ns.of(Addresses.SCRIPTS_CHANGED), invalidate);
      }
      return Future.join(
          eventBus.<JsProgram>localConsumer(ns.of(Addresses.JS_EXECUTE),
              message -> BusReplies.answer(message, this::execute)).completion(),
          eventBus.<StopRun>localConsumer(ns.of(Addresses.JS_STOP), message -> stop(message.body())).completion(),
          eventBus.<JsonObject>localConsumer(ns.of(Addresses.JS_STATS),
              message -> BusReplies.answer(message, body -> Future.succeededFuture(stats()))).completion());
    });
  }

  /** Every live program is stopped (the owner saves them killed); waits (bounded) for their ends, then closes the engine. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(drainTimer);
    List<Future<JsOutcome>> ends = new ArrayList<>();
    for (JsExecution execution : List.copyOf(live.values())) {
      engine.stop(execution, RunStatus.KILLED, "the server stopped while this program ran");
      ends.add(execution.ended.future());
    }
    return Future.join(ends)
        .timeout(5, TimeUnit.SECONDS)
        .recover(e -> Future.succeededFuture())
        .compose(v -> {
          if (vmSource != null) {
            metrics.removeVmSource(vmSource);
          }
          if (executor != null) {
            executor.close();
          }
          return engine == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
            engine.close();
            return null;
          }, false);
        });
  }

  private JsonObject stats() {
    return new JsonObject()
        .put("compilations", engine.compilations())
        .put("cached_sources", engine.cachedSources())
        .put("contexts_in_use", engine.contextsInUse())
        .put("executions", engine.executions())
        .put("contexts_created", engine.contextsCreated())
        .put("live", live.size());
  }

  /**
   * Runs the program now (the owner holds its slot and saved it running); answers once it ended.
   * A script's program is cached (and its endpoint contexts pooled) by script id and version, an
   * ad-hoc one by its content.
   */
  private Future<JsOutcome> execute(JsProgram program) {
    String scriptId = program.run().scriptId();
    String key = scriptId != null && program.version() != null ? JsEngine.scriptKey(scriptId, program.version())
        : JsEngine.adHocKey(program.program());
    JsSource source = new JsSource(key, scriptId, program.name(), program.program());
    String runId = program.run().id();
    JsExecution execution = new JsExecution(program.run(), source, program.request(),
        new JsOutput(settings.maxLineChars(), () -> context.runOnContext(v -> drainLive(runId))), program.timeoutMs(),
        defaultLimits.resolve(program.run().limits()));
    live.put(runId, execution);
    execution.startClock();
    executor.<JsEngine.Outcome>executeBlocking(() -> engine.execute(execution), false)
        .onComplete(ar -> finish(execution, ar));
    return execution.ended.future();
  }

  private void stop(StopRun stop) {
    JsExecution execution = stop == null ? null : live.get(stop.runId());
    if (execution != null) {
      engine.stop(execution, stop.status(), stop.error());
    }
  }

  private void drainLive(String runId) {
    JsExecution execution = live.get(runId);
    if (execution != null) {
      drain(execution);
    }
  }

  /**
   * Through the run's guard (secrets masked, limits.max_log_bytes), then storage first, then the live
   * stream: the order the tails rely on for a gap-free hand-over.
   */
  private void drain(JsExecution execution) {
    List<LogLine> taken = execution.output.take();
    OutputGuard guard = execution.guard;
    if (taken == null || guard.limitHit()) {
      return;
    }
    long before = guard.taken();
    List<LogLine> lines = guard.admit(taken);
    long bytes = guard.taken() - before;
    execution.lines += lines.size();
    execution.bytes += bytes;
    LogChunk chunk = new LogChunk(execution.id(), lines, bytes);
    vertx.eventBus().send(ns.of(Addresses.DB_APPEND_LOGS), chunk);
    vertx.eventBus().publish(ns.runLog(execution.id()), chunk);
    if (guard.limitHit()) {
      // a program that already ended is not killed: its output was truncated
      boolean kill = execution.limits.killOnLogLimit() && !execution.ending;
      execution.limitError = guard.limitError(kill);
      execution.output.discard();
      if (kill) {
        engine.stop(execution, RunStatus.FAILED, execution.limitError);
      }
    }
  }

  /** The last lines are taken, then the owner is told how the program ended (result and error masked). */
  private void finish(JsExecution execution, AsyncResult<JsEngine.Outcome> ar) {
    execution.ending = true;
    drain(execution);
    live.remove(execution.id());
    JsEngine.Outcome outcome = ar.succeeded() ? ar.result()
        : new JsEngine.Outcome(RunStatus.FAILED, null, "the execution failed: " + ar.cause());
    RunOutputs declared = execution.output.declared();
    String error = endError(execution, outcome);
    if (declared.dropped() != null) {
      error = error == null ? declared.dropped() : error + "; " + declared.dropped();
    }
    execution.ended.tryComplete(new JsOutcome(outcome.status(), execution.guard.redactValue(outcome.result()),
        execution.guard.redact(error), execution.lines, execution.bytes,
        (JsonObject) execution.guard.redactValue(declared.outputs())));
  }

  /** The program's error, and the output limit's when the output was truncated (a kill is its own error). */
  private static String endError(JsExecution execution, JsEngine.Outcome outcome) {
    String limit = execution.limitError;
    if (limit == null || limit.equals(outcome.error())) {
      return outcome.error();
    }
    return outcome.error() == null ? limit : outcome.error() + "; " + limit;
  }
}
