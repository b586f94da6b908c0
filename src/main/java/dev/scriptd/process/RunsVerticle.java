package dev.scriptd.process;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.BusReplies;
import dev.scriptd.bus.Codecs;
import dev.scriptd.bus.LogPage;
import dev.scriptd.bus.LogQuery;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.RunEnd;
import dev.scriptd.bus.ScriptRunsCommand;
import dev.scriptd.bus.StartScript;
import dev.scriptd.bus.InstanceLifecycle;
import dev.scriptd.config.AutomationConfig;
import dev.scriptd.config.ClusterConfig;
import dev.scriptd.config.JsConfig;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.config.SecurityConfig;
import dev.scriptd.config.TrafficConfig;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunIo;
import dev.scriptd.domain.Script;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run owner: every run of the server, shell or js, whatever started it (API, UI, cron,
 * endpoint, restart), is started, queued, killed, saved and published here, and only here. It
 * keeps the concurrency slots ({@link RunSlots}), scripts' concurrency and queues
 * ({@link ScriptRuns}), the state machine ({@link RunStateMachine}), the waits for ends
 * ({@link RunEnds}) and the start and end log lines ({@link RunLog}); every run ends through
 * {@link RunLifecycle}. A run is executed behind one {@link RunExecutor}, picked by its kind: shell
 * runs by {@link RunController} (NuProcess; a cgroup or a process group per run, see
 * {@link RunContainment}; output into log chunks, no process outliving its run), js runs by the JS
 * verticle through {@link JsRuns}.
 *
 * <p>Bus API: the public RUNS_START, RUNS_KILL, RUNS_RESTART (JSON, turned into typed commands
 * here), the internal RUNS_START_SCRIPT and RUNS_SCRIPT_RUNS (typed) and RUNS_RECENT_LINES;
 * publishes RUNS_STATUS and the per-run log streams. All run state lives on this verticle's
 * context.
 */
public final class RunsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RunsVerticle.class);
  static final String LOST_ERROR = "the server stopped while this run was active";
  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private Namespace ns;
  private ScriptdConfig.Runs settings;
  /** The shell executor; also what only shell runs have (their live lines). */
  private RunController shell;
  private JsRuns js;
  private List<RunExecutor> executors;
  private ScriptRuns scripts;
  private RunEnds ends;
  private RunBus bus;
  private OrphanReaper reaper;
  private Recovery recovery;
  private IngestGate gate;
  private ExitWatcher exits;
  private RunFollowUps followUps;
  private RunContainment containment;
  private RunFence fence;

  private final InstanceLifecycle lifecycle;
  /** This node's cluster id, recorded on its runs; null on a single node. */
  private final String node;
  private final Predicate<String> liveNode;
  private Future<Void> ending;

  /** Alone (tests): nothing else to wait for at start, nothing waits for its stop. */
  public RunsVerticle() {
    this(alone());
  }

  private static InstanceLifecycle alone() {
    InstanceLifecycle lifecycle = new InstanceLifecycle();
    lifecycle.deployed();
    return lifecycle;
  }

  /** Tells {@code lifecycle} when its runs have ended, so storage stops after it. */
  public RunsVerticle(InstanceLifecycle lifecycle) {
    this(lifecycle, null);
  }

  /** {@code node}: this node's id in a cluster, which its runs record (null on a single node). */
  public RunsVerticle(InstanceLifecycle lifecycle, String node) {
    this(lifecycle, node, member -> false);
  }

  /**
   * {@code liveNode}: whether a node id is a member of the cluster now; recovery at start leaves the
   * runs of live members alone.
   */
  public RunsVerticle(InstanceLifecycle lifecycle, String node, Predicate<String> liveNode) {
    this.lifecycle = lifecycle;
    this.node = node;
    this.liveNode = liveNode;
  }

  @Override
  public Future<?> start() {
    lifecycle.runsStarted();
    return startRuns().onFailure(e -> lifecycle.runsEnded());
  }

  private Future<?> startRuns() {
    ns = Namespace.from(config());
    settings = ScriptdConfig.fromJson(config()).runs();
    EventBus eventBus = vertx.eventBus();
    Codecs.register(eventBus);
    bus = new RunBus(eventBus, ns, node);
    ScriptdConfig.Containment containmentConfig = ScriptdConfig.containment(config());
    Path dataDir = ScriptdConfig.fromJson(config()).storage().dataDir();
    return vertx.executeBlocking(() -> RunContainment.open(containmentConfig, dataDir), false)
        .compose(opened -> {
          containment = opened;
          LOG.info("runs are contained by {}: {}", opened.mode(), opened.reason());
          return startWith(eventBus);
        });
  }

  private Future<?> startWith(EventBus eventBus) {
        if (settings.protectServerProcess()) {
      NonDumpable.apply();
    }
    ChildEnvironment childEnv = new ChildEnvironment(settings.inheritEnv(), System.getenv());
    reaper = settings.reaper() ? new OrphanReaper(context, settings.killGraceMs(), childEnv.base(),
        containment.ownParent()) : null;
    gate = new IngestGate(settings.maxUnwrittenLines(), settings.maxUnwrittenWaitMs());
    SecurityConfig.Limits limits = SecurityConfig.fromJson(config()).limits();
    RunSlots slots = new RunSlots(limits.maxConcurrentRuns(), limits.maxPendingRuns(),
        TrafficConfig.fromJson(config()).endpoints().maxRunSharePercent());
    RunLog log = new RunLog(ScriptdMetrics.of(vertx, config()));
    OutputFiles outputFiles = new OutputFiles(ScriptdConfig.fromJson(config()).storage().dataDir().resolve("outputs"),
        limits.user());
    recovery = new Recovery(vertx, context, bus, settings.killGraceMs(), containment, log, liveNode);
    exits = settings.exitWatcher() ? new ExitWatcher() : null;
    RunLifecycle runLifecycle = new RunLifecycle(bus, slots, log);
    shell = new RunController(vertx, context, settings, bus, reaper, limits, runLifecycle,
        gate, exits != null && exits.available() ? exits : null, childEnv, outputFiles, containment);
    js = new JsRuns(eventBus, ns, bus, runLifecycle, ScriptdConfig.jsEnabled(config()),
        JsConfig.fromJson(config()).endpointTimeoutMs());
    executors = List.of(shell, js);
    ends = new RunEnds(bus, id -> liveExecutor(id) != null || scripts.has(id) || followUps.has(id));
    scripts = new ScriptRuns(eventBus, ns, bus, ends, new ScriptRuns.Runner() {
      @Override
      public Future<Run> start(Script script, StartScript how) {
        return startScript(script, how);
      }

      @Override
      public Future<Run> startQueued(Run pending, Script script, StartScript input) {
        return startQueuedRun(pending, script, input);
      }

      @Override
      public Future<Run> kill(String runId) {
        return killLive(runId);
      }
    }, new EndpointRuns(TrafficConfig.fromJson(config()).endpoints()), settings.killGraceMs());
    followUps = new RunFollowUps(vertx, ns, bus, new RunFollowUps.Scripts() {
      @Override
      public Future<Script> resolve(String ref) {
        return scripts.resolve(ref);
      }

      @Override
      public Future<Run> startHeld(Run pending) {
        return scripts.startHeld(pending);
      }
    }, AutomationConfig.fromJson(config()), ScriptdMetrics.of(vertx, config()),
        ScriptdConfig.fromJson(config()).http().publicUrl());
    fence = new RunFence(vertx, bus, shell, lost -> {
      ends.ended(lost);
      scripts.ended(lost);
    }, node == null ? 0 : RunFence.interval(ClusterConfig.fromJson(config()).failureTimeoutMs()));
    bus.onRefused(fence::refused);
    bus.onEnd(run -> {
      ends.ended(run);
      scripts.ended(run);
      followUps.ended(run);
    });
    Future<Void> reaperStarted = reaper == null ? Future.succeededFuture() : reaper.start();
    return reaperStarted
        .compose(v -> vertx.executeBlocking(() -> {
          outputFiles.clearLeftovers();
          return null;
        }, false))
        .compose(v -> recovery.recoverUnfinished())
        .compose(v -> Future.join(List.of(
            consume(eventBus, ns.of(Addresses.RUNS_START), this::startRun),
            consume(eventBus, ns.of(Addresses.RUNS_START_SCRIPT), this::startScriptCommand),
            consume(eventBus, ns.of(Addresses.RUNS_SCRIPT_RUNS), this::scriptRuns),
            consume(eventBus, ns.of(Addresses.RUNS_KILL), this::killRun),
            consume(eventBus, ns.of(Addresses.RUNS_RESTART), this::restartRun),
            consume(eventBus, ns.of(Addresses.RUNS_RECENT_LINES), this::recentLines),
            consume(eventBus, ns.of(Addresses.RUNS_CONTAINMENT), body -> Future.succeededFuture(containment.health())),
            consume(eventBus, ns.of(Addresses.RUNS_NODE_LEFT), (String left) -> recovery.nodeLeft(left)
                .map(lost -> new JsonObject().put("lost", lost))),
            eventBus.<JsonObject>localConsumer(ns.of(Addresses.RUNS_PINNED), m -> {
              if (m.body() != null && m.body().getValue("run_id") instanceof String id) {
                pinned(id, Boolean.TRUE.equals(m.body().getBoolean("pinned")));
              }
            }).completion(),
            // clustered, a script changed through any node (its concurrency, its definition)
            (node == null ? eventBus.<JsonObject>localConsumer(ns.of(Addresses.SCRIPTS_CHANGED))
                : eventBus.<JsonObject>consumer(ns.of(Addresses.SCRIPTS_CHANGED))).handler(m -> {
              if (m.body() != null && m.body().getValue("script_id") instanceof String id) {
                scripts.changed(id);
              }
            }).completion(),
            eventBus.<Long>localConsumer(ns.of(Addresses.DB_LINES_COMMITTED), m -> gate.committed(m.body()))
                .completion())))
        .onSuccess(v -> {
          fence.start();
          lifecycle.whenDeployed().onComplete(deployed -> context.runOnContext(go -> restore()));
          lifecycle.whenJvmExiting().onComplete(exiting -> context.runOnContext(go -> endRuns()));
        });
  }

  /** Once the whole instance is deployed (a restored js run needs the JS verticle): the runs left waiting. */
  private void restore() {
    restoreSlotWaiting()
        .compose(v -> scripts.restore())
        .compose(v -> followUps.restore())
        .onFailure(e -> LOG.error("could not restore the runs a previous server left waiting", e));
  }

  /**
   * Runs a previous server left waiting for a free slot wait again, in their order, before the
   * scripts' queues go on (they were ahead of them). A script's run is tracked under its script's
   * concurrency, so its queue waits for it.
   */
  private Future<Void> restoreSlotWaiting() {
    return bus.slotWaiting().compose(page -> {
      List<Future<Run>> restored = new ArrayList<>();
      for (Run pending : page.items()) {
        restored.add((pending.scriptId() == null ? executor(pending.kind()).startSaved(pending, null, null)
            : scripts.restoreWaiting(pending))
            .onFailure(e -> LOG.warn("run {} waited for a slot but could not be queued again: {}", pending.id(),
                e.getMessage())));
      }
      if (!restored.isEmpty()) {
        LOG.info("{} run(s) waiting for a free slot restored", restored.size());
      }
      return Future.join(restored).<Void>mapEmpty().recover(e -> Future.succeededFuture());
    });
  }

  /** Every live run ends killed; waits (bounded) until each exited and was saved, then the reaper. */
  @Override
  public Future<?> stop() {
    return endRuns();
  }

  /** The stop's work, once: at the undeploy, or earlier at JVM exit (the undeploy then waits for the same). */
  private Future<Void> endRuns() {
    if (ending == null) {
      ending = endRunsOnce();
    }
    return ending;
  }

  private Future<Void> endRunsOnce() {
    fence.stop();
    scripts.stop();
    followUps.stop();
    List<Future<?>> ends = new ArrayList<>();
    for (RunExecutor executor : executors) {
      ends.add(executor.stopAll());
    }
    return Future.join(ends)
        .timeout(settings.killGraceMs() + 3000, TimeUnit.MILLISECONDS)
        .recover(e -> {
          LOG.warn("{} run(s) did not end in time at shutdown; the reaper takes over",
              executors.stream().mapToInt(RunExecutor::size).sum());
          return Future.succeededFuture();
        })
        .onComplete(ar -> {
          if (exits != null) {
            exits.close();
          }
        })
        .compose(v -> reaper == null ? Future.<Void>succeededFuture() : reaper.stop())
        .compose(v -> containment == null ? Future.<Void>succeededFuture() : vertx.<Void>executeBlocking(() -> {
          containment.close();
          return null;
        }, false))
        .eventually(() -> {
          lifecycle.runsEnded();
          return Future.succeededFuture();
        });
  }

  /** For tests: the reaper, to simulate a JVM death. */
  OrphanReaper reaper() {
    return reaper;
  }

  private <T> Future<Void> consume(EventBus eventBus, String address, Function<T, Future<?>> action) {
    return eventBus.<T>localConsumer(address, message -> BusReplies.answer(message, action)).completion();
  }

  // ---- the public JSON adapter

  /** RUNS_START: {command...} a shell run, {program...} a js run, {script_id, params?, env?...} a script's run. */
  private Future<JsonObject> startRun(JsonObject body) {
    if (body != null && body.getValue("program") != null && body.getValue("command") == null) {
      return startProgram(body).map(Run::toJson);
    }
    if (body != null && body.getValue("script_id") != null && body.getValue("command") == null) {
      Object ref = body.getValue("script_id");
      if (!(ref instanceof String text) || text.isBlank()) {
        throw StartRequest.bad("script_id must be a script's id or name");
      }
      String trigger = body.getValue("trigger") instanceof String given && !given.isBlank() ? given : "api";
      Object params = body.getValue("params");
      if (params != null && !(params instanceof JsonObject)) {
        throw StartRequest.bad("params must be an object of parameter values");
      }
      return startScriptRun(StartScript.of(text, env(body.getValue("env")), trigger, createdBy(body)).withParams((JsonObject) params))
          .map(Run::toJson);
    }
    return startShell(StartRequest.parse(body, settings)).map(Run::toJson);
  }

  /** The executor of a run of this kind. */
  private RunExecutor executor(String kind) {
    return Run.KIND_JS.equals(kind) ? js : shell;
  }

  /** The executor that has this run live, or null. */
  private RunExecutor liveExecutor(String runId) {
    for (RunExecutor executor : executors) {
      if (executor.isLive(runId)) {
        return executor;
      }
    }
    return null;
  }

  private Future<Run> startShell(StartRequest request) {
    return StartRequest.checkCwd(vertx, request.cwd()).compose(v -> executor(Run.KIND_SHELL).start(request.pending(),
        RunInput.shell(request.stdin())));
  }

  /** {program, timeout?, trigger?, env?, limits?, wait?}: a js run of an ad-hoc program. */
  private Future<Run> startProgram(JsonObject body) {
    if (!(body.getValue("program") instanceof String program) || program.isBlank()) {
      throw StartRequest.bad("program is required and must be a non-blank string of JavaScript");
    }
    Object rawTimeout = body.getValue("timeout");
    long timeoutSeconds = settings.defaultTimeoutSeconds();
    if (rawTimeout != null) {
      if (!(rawTimeout instanceof Number number) || number.doubleValue() != number.longValue()
          || number.longValue() < 1 || number.longValue() > ScriptdConfig.MAX_TIMEOUT_SECONDS) {
        throw StartRequest.bad("timeout must be a whole number of seconds in 1.." + ScriptdConfig.MAX_TIMEOUT_SECONDS);
      }
      timeoutSeconds = number.longValue();
    }
    String trigger = body.getValue("trigger") instanceof String given && !given.isBlank() ? given : "api";
    Run pending = Run.pending(UUID.randomUUID().toString(), null, Run.KIND_JS, null, trigger, timeoutSeconds,
        StartRequest.env(body.getValue("env")), null, null, Instant.now(),
        dev.scriptd.domain.RunLimits.parse(body.getValue("limits"), (field, message) -> {
          throw StartRequest.bad(field + " " + message);
        })).withCreatedBy(createdBy(body));
    boolean waitForEnd = Boolean.TRUE.equals(body.getValue("wait"));
    return executor(Run.KIND_JS).start(pending, RunInput.program(program, "program.js", null, null,
            TimeUnit.SECONDS.toMillis(timeoutSeconds)))
        .compose(run -> waitForEnd && !run.status().isFinal() ? ends.whenEnded(run.id()) : Future.succeededFuture(run));
  }

  /** The name of the caller a start body carries (the HTTP layer sets it, never the client). */
  private static String createdBy(JsonObject body) {
    if (body.getValue("created_by") != null && !(body.getValue("created_by") instanceof String)) {
      throw StartRequest.bad("created_by must be a string");
    }
    return body.getString("created_by");
  }

  private Future<JsonObject> killRun(JsonObject body) {
    String id = runId(body);
    Future<Run> killed = killLive(id);
    if (killed == null) {
      killed = scripts.cancel(id);
    }
    if (killed == null) {
      killed = followUps.cancel(id);
    }
    if (killed != null) {
      return killed.map(Run::toJson);
    }
    return bus.get(id).compose(stored -> Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT,
        stored.status().isFinal()
            ? "run " + id + " has already ended (" + stored.status().wire() + ")"
            : "run " + id + " is " + stored.status().wire() + " but not managed by this server")));
  }

  private Future<JsonObject> restartRun(JsonObject body) {
    String id = runId(body);
    String trigger = body.getValue("trigger") instanceof String text ? text : null;
    String createdBy = createdBy(body);
    Future<Run> previous;
    if (shell.isLive(id)) {
      // only a shell run is restarted (StartRequest.restartOf): a live js run is answered as before, 409
      previous = ends.whenEnded(id);
      shell.kill(id);
    } else {
      previous = bus.get(id).compose(stored -> stored.status().isFinal() ? Future.succeededFuture(stored)
          : Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT,
              "run " + id + " is " + stored.status().wire() + " but not managed by this server")));
    }
    return previous.compose(old -> executor(Run.KIND_SHELL).start(
        StartRequest.restartOf(old, trigger, createdBy).pending(), RunInput.shell(null))).map(Run::toJson);
  }

  // ---- typed commands

  /**
   * A script's run under its concurrency rule; with {@code waitForEnd}, answered once it ended (a js
   * run queued behind other runs of its script is answered pending at once).
   */
  private Future<Run> startScriptRun(StartScript how) {
    checkEnvNames(how);
    return scripts.start(how).compose(run -> answeredAtOnce(how, run) ? Future.succeededFuture(run)
        : ends.whenEnded(run.id()));
  }

  /** RUNS_START_SCRIPT: the run, or with {@code awaitLines} its end with its first lines (see RunEnd). */
  private Future<?> startScriptCommand(StartScript how) {
    if (!how.waitForEnd() || how.awaitLines() <= 0) {
      return startScriptRun(how);
    }
    checkEnvNames(how);
    return scripts.start(how).compose(run -> {
      if (answeredAtOnce(how, run)) {
        return Future.succeededFuture(new RunEnd(run, null));
      }
      // every line a shell run kept passes through its live buffer before its end is saved
      LiveRun live = shell.get(run.id());
      return ends.whenEnded(run.id()).map(ended -> new RunEnd(ended,
          live == null ? null : live.linesAfter(0, how.awaitLines())));
    });
  }

  private static void checkEnvNames(StartScript how) {
    for (String name : how.env().keySet()) {
      if (!VARIABLE.matcher(name).matches()) {
        throw StartRequest.bad("env." + name + " must be a string under a valid variable name ([A-Za-z_][A-Za-z0-9_]*)");
      }
    }
  }

  /**
   * Whether the start is answered with the run as it is now: not waiting for its end, already
   * ended, or a js run queued behind other runs of its script (answered pending).
   */
  private boolean answeredAtOnce(StartScript how, Run run) {
    boolean queuedJs = Run.KIND_JS.equals(run.kind()) && scripts.has(run.id());
    return !how.waitForEnd() || run.status().isFinal() || queuedJs;
  }

  private Future<Object> scriptRuns(ScriptRunsCommand command) {
    return scripts.resolve(command.scriptRef()).compose(script -> switch (command.action()) {
      case KILL -> scripts.killAll(script.id()).compose(killed -> {
        List<Future<Run>> retries = followUps.cancelAll(script.id());
        return Future.join(retries).transform(ar -> {
          List<Run> all = new ArrayList<>(killed);
          retries.stream().filter(Future::succeeded).map(Future::result).forEach(all::add);
          return Future.succeededFuture(all);
        });
      }).map(killed -> {
        JsonArray list = new JsonArray();
        killed.forEach(run -> list.add(run.toJson()));
        return (Object) new JsonObject().put("script_id", script.id()).put("killed", list);
      });
      case RESTART -> scripts.restart(script, command.createdBy()).map(run -> (Object) run);
      case END_ALL -> {
        followUps.forget(script.id());
        yield scripts.endAll(script.id()).map(v -> (Object) null);
      }
    });
  }

  // ---- what ScriptRuns asks of the executors

  /** A run of {@code script} by the executor of its kind. */
  private Future<Run> startScript(Script script, StartScript how) {
    RunIo io = ScriptParams.io(script, ScriptParams.supplied(script, how));
    Map<String, String> env = new HashMap<>(script.env());
    env.putAll(how.env());
    return executor(script.kind()).startScript(script, how, env, io);
  }

  private Future<Run> startQueuedRun(Run pending, Script script, StartScript input) {
    return executor(pending.kind()).startSaved(pending, script, input);
  }

  /** A pin change committed through the API: the live copy of the run keeps it. */
  private void pinned(String runId, boolean pin) {
    RunExecutor executor = liveExecutor(runId);
    if (executor != null) {
      executor.pinned(runId, pin);
    }
  }

  /** Asks a live run (shell or js, running or waiting for a slot) to end killed; null when none is live here. */
  private Future<Run> killLive(String runId) {
    RunExecutor executor = liveExecutor(runId);
    return executor == null ? null : executor.kill(runId);
  }

  private Future<Object> recentLines(LogQuery query) {
    LiveRun run = query == null ? null : shell.get(query.runId());
    if (run == null) {
      return Future.failedFuture(new BusFailure(ReplyCodes.NOT_FOUND,
          "run " + (query == null ? null : query.runId()) + " is not running here"));
    }
    LogPage page = run.linesAfter(query.afterSeq(), query.limit());
    if (page == null) {
      return Future.failedFuture(new BusFailure(ReplyCodes.RANGE_NOT_AVAILABLE, "lines after "
          + query.afterSeq() + " have left the live buffer (it starts at " + run.ring.firstSeq() + ")"));
    }
    return Future.succeededFuture(page);
  }

  static String runId(JsonObject body) {
    Object id = body == null ? null : body.getValue("run_id");
    if (!(id instanceof String text) || text.isBlank()) {
      throw StartRequest.bad("run_id is required");
    }
    return text;
  }

  /** A script start's extra env on the public bus: strings under valid variable names. */
  private static Map<String, String> env(Object raw) {
    Map<String, String> env = new HashMap<>();
    if (raw == null) {
      return env;
    }
    if (!(raw instanceof JsonObject object)) {
      throw StartRequest.bad("env must be an object of strings");
    }
    for (Map.Entry<String, Object> entry : object) {
      if (!VARIABLE.matcher(entry.getKey()).matches() || !(entry.getValue() instanceof String text)) {
        throw StartRequest.bad("env." + entry.getKey()
            + " must be a string under a valid variable name ([A-Za-z_][A-Za-z0-9_]*)");
      }
      env.put(entry.getKey(), text);
    }
    return env;
  }
}
