package dev.scriptd.js;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.BusReplies;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.Codecs;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.ScriptEntry;
import dev.scriptd.config.JsConfig;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.config.SecurityConfig;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.OutputGuard;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.Script;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes JavaScript runs: saves them running, executes the program on the {@code scriptd-js}
 * worker pool (never on an event loop), streams its log lines in chunks (storage first, then the
 * live stream), and saves the end with the result. Bus API: JS_START, JS_KILL, JS_STATS; listens to
 * SCRIPTS_CHANGED to drop stale compiled sources. Run state lives on this verticle's context.
 */
public final class JsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(JsVerticle.class);
  private static final long DRAIN_MS = 20;

  private Namespace ns;
  private final Map<String, JsExecution> live = new HashMap<>();
  private JsConfig settings;
  private ScriptdConfig.Runs runSettings;
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
    runSettings = ScriptdConfig.fromJson(config()).runs();
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
      eventBus.<JsonObject>localConsumer(ns.of(Addresses.SCRIPTS_CHANGED), message -> {
        Object id = message.body() == null ? null : message.body().getValue("script_id");
        if (id instanceof String scriptId) {
          engine.invalidate(scriptId);
        }
      });
      return Future.join(
          consume(ns.of(Addresses.JS_START), this::startRun),
          consume(ns.of(Addresses.JS_KILL), this::kill),
          consume(ns.of(Addresses.JS_SLOT_GRANTED), this::slotGranted),
          consume(ns.of(Addresses.JS_STATS), body -> Future.succeededFuture(stats())));
    });
  }

  /** Every live execution ends killed; waits (bounded) for their saves, then closes the engine. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(drainTimer);
    List<Future<Run>> ends = new ArrayList<>();
    for (JsExecution execution : List.copyOf(live.values())) {
      if (execution.waiting) {
        ends.add(endWaiting(execution, "the server stopped while this run waited for a free slot"));
      } else {
        engine.stop(execution, RunStatus.KILLED, "the server stopped while this program ran");
        ends.add(execution.ended.future());
      }
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

  private Future<Void> consume(String address, Function<JsonObject, Future<?>> action) {
    return vertx.eventBus().<JsonObject>localConsumer(address, message -> answer(message, action)).completion();
  }

  private static void answer(Message<JsonObject> message, Function<JsonObject, Future<?>> action) {
    BusReplies.answer(message, body -> action.apply(body == null ? new JsonObject() : body));
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

  private Future<JsonObject> startRun(JsonObject body) {
    if (body.getValue("run_id") instanceof String pendingId) {
      return startPending(pendingId);
    }
    JsStart start = JsStart.parse(body, runSettings.defaultTimeoutSeconds(), settings.endpointTimeoutMs());
    Run run = Run.pending(UUID.randomUUID().toString(), start.scriptId(), Run.KIND_JS, null, start.trigger(),
        start.timeoutSeconds(), start.env(), null, null, Instant.now(), start.limits());
    return launch(run, start.source(), start.request(), start.timeoutMs(), start.await());
  }

  /** A queued run of a js script: its program is the script's current one. */
  private Future<JsonObject> startPending(String runId) {
    EventBus eventBus = vertx.eventBus();
    return eventBus.<Run>request(ns.of(Addresses.DB_GET_RUN), runId).map(Message::body).compose(pending -> {
      if (pending.status() != RunStatus.PENDING || !Run.KIND_JS.equals(pending.kind()) || pending.scriptId() == null) {
        return Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT, "run " + runId + " is "
            + pending.status().wire() + ", not a pending js run of a script"));
      }
      return eventBus.<ScriptEntry>request(ns.of(Addresses.DB_GET_SCRIPT), pending.scriptId()).map(Message::body)
          .compose(entry -> {
            Script script = entry.script();
            JsSource source = new JsSource(JsEngine.scriptKey(script.id(), script.version()), script.id(),
                script.name() + ".js", script.program());
            return launch(pending, source, null, TimeUnit.SECONDS.toMillis(pending.timeoutSeconds()), false);
          });
    });
  }

  /**
   * Takes one of the limits.max_concurrent_runs slots, which the supervisor keeps for shell and js
   * runs alike, then saves the run running and executes it. With no slot free the run is saved
   * pending and starts once JS_SLOT_GRANTED arrives; with the wait queue full too the start fails
   * 429. Answers once running or pending is saved, or with {@code await} once the run ended.
   */
  private Future<JsonObject> launch(Run pending, JsSource source, JsonObject request, long timeoutMs,
      boolean await) {
    JsExecution execution = new JsExecution(pending, source, request,
        new JsOutput(settings.maxLineChars(), () -> context.runOnContext(v -> drainLive(pending.id()))), timeoutMs,
        defaultLimits.resolve(pending.limits()));
    live.put(pending.id(), execution);
    metrics.runQueued();
    return vertx.eventBus().<JsonObject>request(ns.of(Addresses.RUNS_SLOT_ACQUIRE), new JsonObject().put("run_id",
            pending.id()))
        .compose(slot -> {
          if (Boolean.TRUE.equals(slot.body().getBoolean("granted"))) {
            return begin(execution);
          }
          execution.waiting = true;
          return saveAndPublish(pending);
        })
        .onFailure(e -> dropped(execution, e))
        .compose(run -> await ? execution.ended.future() : Future.succeededFuture(run))
        .map(Run::toJson);
  }

  /** The run has its slot: saved running, then its program runs on the worker pool, its timeout counting. */
  private Future<Run> begin(JsExecution execution) {
    Run running = execution.run.started(null, null, Instant.now());
    execution.run = running;
    return saveAndPublish(running).onSuccess(saved -> {
      metrics.runStarted();
      LOG.atInfo().setMessage("run {} started: script={} kind=js trigger={}")
          .addArgument(running.id()).addArgument(scriptOf(running)).addArgument(running.trigger())
          .addKeyValue("run_id", running.id()).addKeyValue("script_id", scriptOf(running))
          .addKeyValue("kind", Run.KIND_JS).addKeyValue("status", RunStatus.RUNNING.wire()).log();
      execution.startClock();
      executor.<JsEngine.Outcome>executeBlocking(() -> engine.execute(execution), false)
          .onComplete(ar -> finish(execution, ar));
    });
  }

  /** A waiting run got its slot: true once it began (false gives the slot back: the run is gone or failed). */
  private Future<Boolean> slotGranted(JsonObject body) {
    JsExecution execution = body.getValue("run_id") instanceof String id ? live.get(id) : null;
    if (execution == null || !execution.waiting) {
      return Future.succeededFuture(false);
    }
    execution.waiting = false;
    return begin(execution).map(true).otherwise(e -> {
      dropped(execution, e);
      return false;
    });
  }

  /** The start failed before the program ran (no slot, or a save failed): the run is forgotten here. */
  private void dropped(JsExecution execution, Throwable cause) {
    if (live.remove(execution.id()) != null) {
      metrics.runDequeued();
    }
    releaseSlot(execution.id()); // a no-op when it had none
    execution.ended.tryFail(cause);
  }

  /** A run waiting for a slot ends killed without running (kill, or the server stopping). */
  private Future<Run> endWaiting(JsExecution execution, String error) {
    execution.waiting = false;
    live.remove(execution.id());
    releaseSlot(execution.id());
    Run ended = execution.run.ended(RunStatus.KILLED, null, null, error, Instant.now());
    execution.run = ended;
    metrics.runEnded(ended, false);
    return saveAndPublish(ended)
        .onFailure(e -> LOG.error("could not save the end of waiting run {}", ended.id(), e))
        .onComplete(ar -> execution.ended.tryComplete(ended));
  }

  private void releaseSlot(String runId) {
    vertx.eventBus().request(ns.of(Addresses.RUNS_SLOT_RELEASE), new JsonObject().put("run_id", runId))
        .onFailure(e -> LOG.warn("could not give back the slot of run {}: {}", runId, e.getMessage()));
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

  private void finish(JsExecution execution, AsyncResult<JsEngine.Outcome> ar) {
    execution.ending = true;
    drain(execution);
    JsEngine.Outcome outcome = ar.succeeded() ? ar.result()
        : new JsEngine.Outcome(RunStatus.FAILED, null, "the execution failed: " + ar.cause());
    Run ended = execution.run.withLog(execution.lines, execution.bytes).ended(outcome.status(), null,
        execution.guard.redactValue(outcome.result()), execution.guard.redact(endError(execution, outcome)),
        Instant.now());
    execution.run = ended;
    metrics.runEnded(ended, true);
    Long durationMs = ended.durationMs(Instant.now());
    LOG.atInfo().setMessage("run {} ended: script={} kind=js status={} duration_ms={} lines={}")
        .addArgument(ended.id()).addArgument(scriptOf(ended)).addArgument(ended.status().wire())
        .addArgument(durationMs).addArgument(ended.logLines())
        .addKeyValue("run_id", ended.id()).addKeyValue("script_id", scriptOf(ended))
        .addKeyValue("kind", Run.KIND_JS).addKeyValue("status", ended.status().wire())
        .addKeyValue("duration_ms", durationMs).log();
    saveAndPublish(ended)
        .onFailure(e -> LOG.error("could not save the end of run {}", ended.id(), e))
        .onComplete(saved -> {
          live.remove(ended.id());
          releaseSlot(ended.id());
          execution.ended.tryComplete(ended);
        });
  }

  /** The program's error, and the output limit's when the output was truncated (a kill is its own error). */
  private static String endError(JsExecution execution, JsEngine.Outcome outcome) {
    String limit = execution.limitError;
    if (limit == null || limit.equals(outcome.error())) {
      return outcome.error();
    }
    return outcome.error() == null ? limit : outcome.error() + "; " + limit;
  }

  private Future<JsonObject> kill(JsonObject body) {
    Object id = body.getValue("run_id");
    JsExecution execution = id instanceof String text ? live.get(text) : null;
    if (execution == null) {
      return Future.failedFuture(new BusFailure(ReplyCodes.NOT_FOUND, "run " + id + " is not executing here"));
    }
    if (execution.waiting) {
      return endWaiting(execution, "killed while waiting for a free slot (limits.max_concurrent_runs)")
          .map(Run::toJson);
    }
    engine.stop(execution, RunStatus.KILLED, "killed through the API");
    return Future.succeededFuture(execution.run.toJson());
  }

  private Future<Run> saveAndPublish(Run run) {
    return vertx.eventBus().<Run>request(ns.of(Addresses.DB_SAVE_RUN), run).map(saved -> {
      vertx.eventBus().publish(ns.of(Addresses.RUNS_STATUS), run.toJson());
      return run;
    });
  }

  private static String scriptOf(Run run) {
    return run.scriptId() == null ? "adhoc" : run.scriptId();
  }
}
