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
import dev.scriptd.bus.RunPage;
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
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
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
 *
 * <p>In a cluster each node has its own run owner, and they forward to each other over their
 * per-node addresses ({@link Addresses#onNode}): a new run is placed ({@link Placement}) and
 * started by the node it goes to; the runs of a script whose concurrency is forbid, queue or
 * replace start on the cluster's coordinator, its oldest member, so that one node's
 * {@link ScriptRuns} rules hold for the whole cluster; a kill, restart or pin of a run live on
 * another node is carried out by that node. Endpoint calls of other scripts and ad-hoc js programs
 * run where they are received. On a single node none of this happens: no extra consumer, hop or
 * lookup.
 */
public final class RunsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RunsVerticle.class);
  static final String LOST_ERROR = "the server stopped while this run was active";
  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  /** How often a clustered run owner looks at its running count to report a change. */
  private static final long LOAD_POLL_MS = 200;
  /** A clustered run owner reports its count at least this often, so a node that joins learns it. */
  private static final long LOAD_EVERY_MS = 1000;
  /** The send timeout of a start forwarded to another node (the bus default). */
  private static final long SEND_MS = DeliveryOptions.DEFAULT_TIMEOUT;

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
  /** The cluster's members, oldest first (empty on a single node). */
  private final Supplier<List<String>> members;
  private final Placement placement = new Placement();
  private ScriptdMetrics metrics;
  private int lastReported = -1;
  private long lastReportAt;
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
    this(lifecycle, node, List::of);
  }

  /**
   * {@code members}: the ids of the cluster's members now, oldest first (the cluster manager's
   * order); recovery at start leaves the runs of live members alone, new runs are placed among them,
   * and the oldest is the coordinator of scripts' concurrency.
   */
  public RunsVerticle(InstanceLifecycle lifecycle, String node, Supplier<List<String>> members) {
    this.lifecycle = lifecycle;
    this.node = node;
    this.members = members;
    this.liveNode = member -> members.get().contains(member);
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
    metrics = ScriptdMetrics.of(vertx, config());
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
        return startHeldRouted(pending);
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
        .compose(v -> node == null ? Future.succeededFuture() : clustered(eventBus))
        .compose(v -> Future.join(List.of(
            consume(eventBus, ns.of(Addresses.RUNS_START), this::startRun),
            consume(eventBus, ns.of(Addresses.RUNS_START_SCRIPT), this::startScriptCommand),
            consume(eventBus, ns.of(Addresses.RUNS_SCRIPT_RUNS), this::scriptRuns),
            consume(eventBus, ns.of(Addresses.RUNS_KILL), this::killRun),
            consume(eventBus, ns.of(Addresses.RUNS_RESTART), this::restartRun),
            consume(eventBus, ns.of(Addresses.RUNS_RECENT_LINES), this::recentLines),
            consume(eventBus, ns.of(Addresses.RUNS_CONTAINMENT), body -> Future.succeededFuture(containment.health())),
            consume(eventBus, ns.of(Addresses.RUNS_NODE_LEFT), this::nodeLeft),
            // clustered, every node's run owner hears a pin committed through any node: the one that
            // has the run live keeps it
            (node == null ? eventBus.<JsonObject>localConsumer(ns.of(Addresses.RUNS_PINNED), this::pinned)
                : eventBus.<JsonObject>consumer(ns.of(Addresses.RUNS_PINNED), this::pinned)).completion(),
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
        .compose(v -> scripts.restore(this::leftToThisNode))
        .compose(v -> followUps.restore(this::leftToThisNode))
        .onFailure(e -> LOG.error("could not restore the runs a previous server left waiting", e));
  }

  /**
   * Runs a previous server left waiting for a free slot wait again, in their order, before the
   * scripts' queues go on (they were ahead of them). A script's run is tracked under its script's
   * concurrency, so its queue waits for it.
   */
  private Future<Void> restoreSlotWaiting() {
    return bus.slotWaiting().compose(page -> {
      // one after another: a script's run first resolves its script, so restored side by side a
      // later run could join the wait for a slot before an earlier one
      Future<Void> restored = Future.succeededFuture();
      int count = 0;
      for (Run pending : page.items()) {
        if (leftToThisNode(pending)) {
          count++;
          restored = restored.compose(v -> waitForSlotAgain(pending).<Void>mapEmpty()
              .recover(e -> Future.succeededFuture()));
        }
      }
      if (count > 0) {
        LOG.info("{} run(s) waiting for a free slot restored", count);
      }
      return restored;
    });
  }

  private Future<Run> waitForSlotAgain(Run pending) {
    return (pending.scriptId() == null ? startQueuedRun(pending, null, null) : scripts.restoreWaiting(pending))
        .onFailure(e -> LOG.warn("run {} waited for a slot but could not be queued again: {}", pending.id(),
            e.getMessage()));
  }

  /**
   * RUNS_NODE_LEFT (on the oldest surviving member, the coordinator now): the runs the node left
   * waiting (in a script's queue, for a free slot, held as a retry or chain link) are this node's
   * now, saved so and then waiting here as they waited there; its running and other pending runs
   * end lost.
   */
  private Future<JsonObject> nodeLeft(String left) {
    Future<RunPage> queued = bus.queued();
    Future<RunPage> waiting = bus.slotWaiting();
    Future<RunPage> held = bus.held();
    return Future.all(queued, waiting, held).compose(all -> {
      // each run moved is first saved as this node's; a move whose save failed ends lost below
      List<Future<Run>> saves = new ArrayList<>();
      List<Future<Run>> queuedMoves = new ArrayList<>();
      List<Future<?>> moves = new ArrayList<>();
      for (Run run : queued.result().items()) {
        if (left.equals(run.node())) {
          queuedMoves.add(bus.queueAndPublish(run.withNode(node)));
        }
      }
      saves.addAll(queuedMoves);
      moves.add(Future.join(queuedMoves).transform(ar -> {
        scripts.adopt(queuedMoves.stream().filter(Future::succeeded).map(Future::result).toList());
        return Future.succeededFuture();
      }));
      for (Run run : waiting.result().items()) {
        if (left.equals(run.node())) {
          Future<Run> saved = bus.awaitSlot(run.withNode(node));
          saves.add(saved);
          moves.add(saved.compose(this::waitForSlotAgain));
        }
      }
      for (Run run : held.result().items()) {
        if (left.equals(run.node())) {
          Future<Run> saved = bus.holdAndPublish(run.withNode(node));
          saves.add(saved);
          moves.add(saved.onSuccess(followUps::adopt));
        }
      }
      return Future.join(moves).transform(ar -> {
        Set<String> moved = new HashSet<>();
        saves.stream().filter(Future::succeeded).forEach(save -> moved.add(save.result().id()));
        if (!moved.isEmpty()) {
          LOG.info("took over {} waiting run(s) of node {}", moved.size(), left);
        }
        return recovery.nodeLeft(left, moved).map(lost -> new JsonObject().put("lost", lost)
            .put("moved", moved.size()));
      });
    });
  }

  /**
   * Whether a run a previous server left waiting is this node's to take on at start: on a single
   * node every one; in a cluster not those of another live member (that node runs its own queues).
   */
  private boolean leftToThisNode(Run run) {
    return node == null || run.node() == null || run.node().equals(node) || !liveNode.test(run.node());
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

  /**
   * RUNS_START here: {command...} a shell run, {program...} a js run, {script_id, params?, env?,
   * node?...} a script's run (placed, in a cluster).
   */
  private Future<JsonObject> startRunHere(JsonObject body) {
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
      StartScript how = StartScript.of(text, env(body.getValue("env")), trigger, createdBy(body))
          .withParams((JsonObject) params);
      if (node != null) {
        // a script's run is placed (or goes to the coordinator) like any other start of a script
        return startScriptCommand(how.withNode(namedNode(body))).map(reply -> ((Run) reply).toJson());
      }
      return startScriptRun(how).map(Run::toJson);
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

  /** RUNS_KILL here: a run live, queued or held on this node; else why not. */
  private Future<JsonObject> killHere(JsonObject body) {
    String id = runId(body);
    Future<Run> killed = killLocal(id);
    if (killed != null) {
      return killed.map(Run::toJson);
    }
    return bus.get(id).compose(stored -> Future.failedFuture(notHere(stored)));
  }

  /** A kill of a run this node has live, queued or held; null when it has none. */
  private Future<Run> killLocal(String id) {
    Future<Run> killed = killLive(id);
    if (killed == null) {
      killed = scripts.cancel(id);
    }
    if (killed == null) {
      killed = followUps.cancel(id);
    }
    return killed;
  }

  private static BusFailure notHere(Run stored) {
    return new BusFailure(ReplyCodes.CONFLICT, stored.status().isFinal()
        ? "run " + stored.id() + " has already ended (" + stored.status().wire() + ")"
        : "run " + stored.id() + " is " + stored.status().wire() + " but not managed by this server");
  }

  /** RUNS_RESTART here: a live shell run of this node is killed first; an ended one is started again here. */
  private Future<JsonObject> restartHere(JsonObject body) {
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

  /** RUNS_START_SCRIPT here: the run, or with {@code awaitLines} its end with its first lines (see RunEnd). */
  private Future<?> startScriptHere(StartScript how) {
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

  /** RUNS_SCRIPT_RUNS here: this node's runs of the script. */
  private Future<Object> scriptRunsHere(ScriptRunsCommand command) {
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

  // ---- the cluster: placement, the coordinator, forwarding (none of it on a single node)

  /** Registers this node's own addresses and starts reporting its load. */
  private Future<Void> clustered(EventBus eventBus) {
    vertx.setPeriodic(LOAD_POLL_MS, timer -> reportLoad());
    return Future.join(List.of(
        here(eventBus, Addresses.RUNS_START, this::startRunHere),
        here(eventBus, Addresses.RUNS_START_SCRIPT, this::startScriptHere),
        here(eventBus, Addresses.RUNS_START_HELD, this::startHeldHere),
        here(eventBus, Addresses.RUNS_KILL, this::killHere),
        here(eventBus, Addresses.RUNS_RESTART, this::restartHere),
        here(eventBus, Addresses.RUNS_SCRIPT_RUNS, this::scriptRunsHere),
        consume(eventBus, ns.of(Addresses.RUNS_LOADS), body -> {
          JsonObject nodes = new JsonObject();
          placement.known().forEach(nodes::put);
          return Future.succeededFuture(new JsonObject().put("nodes", nodes));
        }),
        eventBus.<JsonObject>consumer(ns.of(Addresses.RUNS_LOAD), message -> {
          JsonObject load = message.body();
          if (load != null && load.getValue("node") instanceof String from && load.getValue("running") instanceof Integer n) {
            placement.reported(from, n, System.currentTimeMillis());
          }
        }).completion())).mapEmpty();
  }

  /** A clustered consumer on this node's own address for {@code address}: the command carried out here. */
  private <T> Future<Void> here(EventBus eventBus, String address, Function<T, Future<?>> action) {
    return eventBus.<T>consumer(ns.of(Addresses.onNode(address, node)), message -> BusReplies.answer(message, action))
        .completion();
  }

  /** Publishes this node's running runs when the count changed, and every second anyway (for new nodes). */
  private void reportLoad() {
    int running = metrics.runningRuns();
    long now = System.currentTimeMillis();
    if (running != lastReported || now - lastReportAt >= LOAD_EVERY_MS) {
      lastReported = running;
      lastReportAt = now;
      vertx.eventBus().publish(ns.of(Addresses.RUNS_LOAD), new JsonObject().put("node", node).put("running", running));
    }
  }

  /** The node a new run goes to (see {@link Placement}), counted there at once. */
  private String place() {
    String target = placement.target(node, metrics.runningRuns(), members.get(), System.currentTimeMillis());
    placement.placed(target);
    return target;
  }

  /** The cluster's coordinator of scripts' concurrency: its oldest member (the one that also handles node-left). */
  private String coordinator() {
    List<String> all = members.get();
    return all.isEmpty() ? node : all.get(0);
  }

  /** Whether runs of {@code script} start on the coordinator: its concurrency is decided there. */
  private static boolean coordinated(Script script) {
    return Script.FORBID.equals(script.concurrency()) || Script.QUEUE.equals(script.concurrency())
        || Script.REPLACE.equals(script.concurrency());
  }

  /** The node a start body names (null: none); fails 400 unless it is a live member. */
  private String namedNode(JsonObject body) {
    Object named = body.getValue("node");
    if (named == null) {
      return null;
    }
    if (!(named instanceof String id) || id.isBlank()) {
      throw StartRequest.bad("node must be a node id (GET /api/cluster lists them)");
    }
    return checkedNode(id);
  }

  private String checkedNode(String id) {
    if (!id.equals(node) && !members.get().contains(id)) {
      throw StartRequest.bad("no live node " + id + "; GET /api/cluster lists them");
    }
    return id;
  }

  /** The live node other than this one that runs {@code stored}, or null (ended, this node's, or its node is gone). */
  private String ownerElsewhere(Run stored) {
    return node != null && !stored.status().isFinal() && stored.node() != null && !stored.node().equals(node)
        && liveNode.test(stored.node()) ? stored.node() : null;
  }

  private <T> Future<T> forward(String address, String target, Object body, long timeoutMs) {
    return vertx.eventBus().<T>request(ns.of(Addresses.onNode(address, target)), body,
        new DeliveryOptions().setSendTimeout(timeoutMs)).map(Message::body);
  }

  /** Whether a forwarded command reached nobody (the node stopped, or runs no scriptd): nothing happened there. */
  private static boolean undelivered(Throwable e) {
    return e instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS;
  }

  /** How long a forwarded command that may wait for runs' ends (a kill's grace) may take. */
  private long killWaitMs() {
    return settings.killGraceMs() + 20_000;
  }

  /**
   * RUNS_START: in a cluster a shell run goes to the node it names, else to the node
   * {@link Placement} picks; a js program runs here (it answers with its result, from here).
   */
  private Future<JsonObject> startRun(JsonObject body) {
    if (node == null || body == null || body.getValue("command") == null) {
      return startRunHere(body);
    }
    String named = namedNode(body);
    String target = named != null ? named : place();
    if (target.equals(node)) {
      return startRunHere(body);
    }
    Future<JsonObject> forwarded = forward(Addresses.RUNS_START, target, body, SEND_MS);
    return named != null ? forwarded : forwarded.recover(e -> undelivered(e) ? startRunHere(body) : Future.failedFuture(e));
  }

  /**
   * RUNS_START_SCRIPT: in a cluster, a run of a forbid, queue or replace script starts on the
   * coordinator, any other on the node the start names, else where {@link Placement} puts it. An
   * endpoint call's run of any other script starts here (the load balancer spread the calls); one
   * of such a script goes to the coordinator too, which answers with the run's end and first lines
   * as it would here.
   */
  private Future<?> startScriptCommand(StartScript how) {
    if (node == null) {
      return startScriptHere(how);
    }
    Future<Script> resolved = how.script() != null ? Future.succeededFuture(how.script()) : scripts.resolve(how.scriptRef());
    return resolved.<Object>compose(script -> {
      if (Run.TRIGGER_ENDPOINT.equals(how.trigger()) && !coordinated(script)) {
        return startScriptHere(how).map(reply -> (Object) reply);
      }
      String target;
      if (coordinated(script)) {
        target = coordinator();
        if (how.node() != null && !how.node().equals(target)) {
          return Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT, "script " + script.name() + " has concurrency "
              + script.concurrency() + ": its runs run on the cluster's coordinator, node " + target
              + ", not on node " + how.node()));
        }
      } else {
        target = how.node() != null ? checkedNode(how.node()) : place();
      }
      if (target.equals(node)) {
        return startScriptHere(how).map(reply -> (Object) reply);
      }
      long timeout = how.waitForEnd() ? TimeUnit.SECONDS.toMillis(script.timeoutSeconds()) + 30_000 : SEND_MS;
      Future<Object> forwarded = forward(Addresses.RUNS_START_SCRIPT, target, how.withNode(null), timeout);
      // a placed run whose node has just stopped (its address is gone) starts here instead
      return coordinated(script) || how.node() != null ? forwarded
          : forwarded.recover(e -> undelivered(e) ? startScriptHere(how).map(reply -> (Object) reply)
              : Future.failedFuture(e));
    });
  }

  /**
   * A held run that is due (a retry, a chain link): started on the coordinator when its script's
   * concurrency is decided there, else where {@link Placement} puts it (it is a new run).
   */
  private Future<Run> startHeldRouted(Run pending) {
    if (node == null || pending.scriptId() == null) {
      return scripts.startHeld(pending);
    }
    return scripts.resolve(pending.scriptId()).transform(found -> {
      if (found.failed()) {
        return scripts.startHeld(pending); // refused here, saying why
      }
      String target = coordinated(found.result()) ? coordinator() : place();
      if (target.equals(node)) {
        return scripts.startHeld(pending);
      }
      // that node has gone meanwhile (nothing was delivered): here it starts
      return this.<Run>forward(Addresses.RUNS_START_HELD, target, pending, SEND_MS)
          .recover(e -> undelivered(e) ? scripts.startHeld(pending) : Future.failedFuture(e));
    });
  }

  /** RUNS_START_HELD here: another node's held run is this node's now (saved so), then started as due. */
  private Future<Run> startHeldHere(Run pending) {
    return bus.holdAndPublish(pending.withNode(node)).compose(held -> scripts.startHeld(held));
  }

  /** RUNS_KILL: a run this node does not have is killed by the live node that runs it. */
  private Future<JsonObject> killRun(JsonObject body) {
    if (node == null) {
      return killHere(body);
    }
    String id = runId(body);
    Future<Run> killed = killLocal(id);
    if (killed != null) {
      return killed.map(Run::toJson);
    }
    return bus.get(id).compose(stored -> {
      String owner = ownerElsewhere(stored);
      return owner != null ? forward(Addresses.RUNS_KILL, owner, body, killWaitMs())
          : Future.failedFuture(notHere(stored));
    });
  }

  /**
   * RUNS_RESTART: a run live on another node is restarted by that node; an ended one is started
   * again where {@link Placement} puts it.
   */
  private Future<JsonObject> restartRun(JsonObject body) {
    if (node == null) {
      return restartHere(body);
    }
    String id = runId(body);
    if (shell.isLive(id)) {
      return restartHere(body);
    }
    return bus.get(id).compose(stored -> {
      String owner = ownerElsewhere(stored);
      if (owner == null && stored.status().isFinal()) {
        owner = place();
      }
      return owner == null || owner.equals(node) ? restartHere(body)
          : forward(Addresses.RUNS_RESTART, owner, body, killWaitMs());
    });
  }

  /**
   * RUNS_SCRIPT_RUNS across the cluster: KILL and END_ALL on every live node; RESTART kills the
   * script's runs on the other nodes, then restarts on the coordinator (forbid, queue, replace) or
   * here.
   */
  private Future<Object> scriptRuns(ScriptRunsCommand command) {
    if (node == null) {
      return scriptRunsHere(command);
    }
    return scripts.resolve(command.scriptRef()).compose(script -> {
      ScriptRunsCommand byId = new ScriptRunsCommand(script.id(), command.action(), command.createdBy());
      List<String> others = new ArrayList<>(members.get());
      others.remove(node);
      return switch (command.action()) {
        case KILL -> {
          List<Future<Object>> replies = new ArrayList<>();
          replies.add(scriptRunsHere(byId));
          others.forEach(other -> replies.add(elsewhere(other, byId)));
          yield Future.join(replies).transform(ar -> {
            if (replies.get(0).failed()) {
              return Future.failedFuture(replies.get(0).cause());
            }
            JsonArray killed = new JsonArray();
            for (Future<Object> reply : replies) {
              if (reply.succeeded() && reply.result() instanceof JsonObject answer) {
                answer.getJsonArray("killed", new JsonArray()).forEach(killed::add);
              }
            }
            return Future.succeededFuture((Object) new JsonObject().put("script_id", script.id()).put("killed", killed));
          });
        }
        case END_ALL -> {
          List<Future<Object>> ends = new ArrayList<>();
          ends.add(scriptRunsHere(byId));
          others.forEach(other -> ends.add(elsewhere(other, byId)));
          yield Future.all(ends).map(v -> (Object) null);
        }
        case RESTART -> {
          List<Future<Object>> kills = new ArrayList<>();
          ScriptRunsCommand kill = new ScriptRunsCommand(script.id(), ScriptRunsCommand.Action.KILL, command.createdBy());
          String target = coordinated(script) ? coordinator() : node;
          others.stream().filter(other -> !other.equals(target)).forEach(other -> kills.add(elsewhere(other, kill)));
          yield Future.join(kills).transform(ar -> target.equals(node) ? scriptRunsHere(byId)
              : forward(Addresses.RUNS_SCRIPT_RUNS, target, byId, killWaitMs()));
        }
      };
    });
  }

  /** The command on another node; a member that runs no scriptd (no such address) has no runs. */
  private Future<Object> elsewhere(String other, ScriptRunsCommand command) {
    return this.<Object>forward(Addresses.RUNS_SCRIPT_RUNS, other, command, killWaitMs()).recover(e ->
        undelivered(e)
            ? Future.succeededFuture(command.action() == ScriptRunsCommand.Action.KILL
                ? new JsonObject().put("killed", new JsonArray()) : null)
            : Future.failedFuture(e));
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
    // a run saved earlier (maybe by another node, which queued or held it) runs here: it says so
    return executor(pending.kind()).startSaved(node == null ? pending : pending.withNode(node), script, input);
  }

  private void pinned(Message<JsonObject> message) {
    if (message.body() != null && message.body().getValue("run_id") instanceof String id) {
      pinned(id, Boolean.TRUE.equals(message.body().getBoolean("pinned")));
    }
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
