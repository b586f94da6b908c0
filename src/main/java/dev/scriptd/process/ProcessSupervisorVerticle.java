package dev.scriptd.process;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.BusReplies;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.Codecs;
import dev.scriptd.bus.LogPage;
import dev.scriptd.bus.LogQuery;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.config.SecurityConfig;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs shell commands as process groups through NuProcess, turns their output into log chunks and
 * makes sure no process outlives its run. Bus API: RUNS_START, RUNS_KILL, RUNS_RESTART,
 * RUNS_RECENT_LINES; publishes RUNS_STATUS and the per-run log streams. All run state lives on this
 * verticle's context.
 */
public final class ProcessSupervisorVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessSupervisorVerticle.class);
  static final String LOST_ERROR = "the server stopped while this run was active";

  private Namespace ns;
  private ScriptdConfig.Runs settings;
  private RunController runs;
  private RunBus bus;
  private OrphanReaper reaper;
  private Recovery recovery;
  private IngestGate gate;
  private JsSlots jsSlots;
  private ExitWatcher exits;

  public ProcessSupervisorVerticle() {
  }

  @Override
  public Future<?> start() {
    ns = Namespace.from(config());
    settings = ScriptdConfig.fromJson(config()).runs();
    EventBus eventBus = vertx.eventBus();
    Codecs.register(eventBus);
    bus = new RunBus(eventBus, ns);
    recovery = new Recovery(vertx, context, bus, settings.killGraceMs());
    if (settings.protectServerProcess()) {
      NonDumpable.apply();
    }
    ChildEnvironment childEnv = new ChildEnvironment(settings.inheritEnv(), System.getenv());
    reaper = settings.reaper() ? new OrphanReaper(context, settings.killGraceMs(), childEnv.base()) : null;
    gate = new IngestGate(settings.maxUnwrittenLines(), settings.maxUnwrittenWaitMs());
    SecurityConfig.Limits limits = SecurityConfig.fromJson(config()).limits();
    RunSlots slots = new RunSlots(limits.maxConcurrentRuns(), limits.maxPendingRuns());
    jsSlots = new JsSlots(slots, eventBus, ns);
    exits = settings.exitWatcher() ? new ExitWatcher() : null;
    runs = new RunController(vertx, context, settings, bus, reaper, limits, slots, ScriptdMetrics.of(vertx, config()),
        gate, exits != null && exits.available() ? exits : null, childEnv);
    Future<Void> reaperStarted = reaper == null ? Future.succeededFuture() : reaper.start();
    return reaperStarted
        .compose(v -> recovery.recoverUnfinished())
        .compose(v -> Future.join(List.of(
            consume(eventBus, ns.of(Addresses.RUNS_START), this::startRun),
            consume(eventBus, ns.of(Addresses.RUNS_KILL), this::killRun),
            consume(eventBus, ns.of(Addresses.RUNS_RESTART), this::restartRun),
            consume(eventBus, ns.of(Addresses.RUNS_RECENT_LINES), this::recentLines),
            consume(eventBus, ns.of(Addresses.RUNS_SLOT_ACQUIRE), jsSlots::acquire),
            consume(eventBus, ns.of(Addresses.RUNS_SLOT_RELEASE), jsSlots::release),
            eventBus.<Long>localConsumer(ns.of(Addresses.DB_LINES_COMMITTED), m -> gate.committed(m.body()))
                .completion())));
  }

  /** Every live run ends killed; waits (bounded) until each exited and was saved, then the reaper. */
  @Override
  public Future<?> stop() {
    List<Future<Run>> ends = new ArrayList<>();
    for (LiveRun run : runs.live()) {
      runs.requestEnd(run, RunStatus.KILLED);
      ends.add(run.ended.future());
    }
    return Future.join(ends)
        .timeout(settings.killGraceMs() + 3000, TimeUnit.MILLISECONDS)
        .recover(e -> {
          LOG.warn("{} run(s) did not end in time at shutdown; the reaper takes over", runs.live().size());
          return Future.succeededFuture();
        })
        .onComplete(ar -> {
          if (exits != null) {
            exits.close();
          }
        })
        .compose(v -> reaper == null ? Future.succeededFuture() : reaper.stop());
  }

  /** For tests: the reaper, to simulate a JVM death. */
  OrphanReaper reaper() {
    return reaper;
  }

  private <T> Future<Void> consume(EventBus eventBus, String address, Function<T, Future<?>> action) {
    return eventBus.<T>localConsumer(address, message -> answer(message, action)).completion();
  }

  private <T> void answer(Message<T> message, Function<T, Future<?>> action) {
    BusReplies.answer(message, action);
  }

  private Future<JsonObject> startRun(JsonObject body) {
    if (body != null && body.getValue("run_id") instanceof String pendingId) {
      return startPending(pendingId);
    }
    if (body != null && body.getValue("script_id") != null && body.getValue("command") == null) {
      // a script's run: the scripts verticle applies its concurrency and comes back with a command
      return vertx.eventBus().<JsonObject>request(ns.of(Addresses.SCRIPTS_RUN), body).map(Message::body);
    }
    StartRequest request = StartRequest.parse(body, settings);
    return checkCwd(request.cwd()).compose(v -> runs.launch(request)).map(Run::toJson);
  }

  /** Starts a run saved pending earlier (a script's queued run). */
  private Future<JsonObject> startPending(String id) {
    if (runs.get(id) != null) {
      return Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT, "run " + id + " is already started"));
    }
    return bus.get(id).compose(stored -> {
      if (stored.status() == RunStatus.PENDING && Run.KIND_JS.equals(stored.kind())) {
        // a queued run of a js script: the JS verticle executes it
        return vertx.eventBus().<JsonObject>request(ns.of(Addresses.JS_START), new JsonObject().put("run_id", id))
            .map(Message::body);
      }
      if (stored.status() != RunStatus.PENDING || stored.command() == null) {
        return Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT, "run " + id + " is "
            + stored.status().wire() + ", not a pending shell run; only pending runs can be started"));
      }
      // a cwd gone meanwhile fails the spawn, and so the run
      return runs.launchPending(stored).map(Run::toJson);
    });
  }

  private Future<JsonObject> killRun(JsonObject body) {
    String id = runId(body);
    LiveRun run = runs.get(id);
    if (run != null) {
      runs.requestEnd(run, RunStatus.KILLED);
      return Future.succeededFuture(run.current().toJson());
    }
    if (jsSlots.counts(id)) {
      // a js run holding or waiting for a slot (pending or not, of a script or not): the JS verticle's
      return vertx.eventBus().<JsonObject>request(ns.of(Addresses.JS_KILL), new JsonObject().put("run_id", id))
          .map(Message::body);
    }
    return bus.get(id).compose(stored -> Run.KIND_JS.equals(stored.kind()) && !stored.status().isFinal()
        && !queued(stored)
        // a JavaScript run executes in the JS verticle
        ? vertx.eventBus().<JsonObject>request(ns.of(Addresses.JS_KILL), new JsonObject().put("run_id", id))
            .map(Message::body)
        : stored.status() == RunStatus.PENDING && stored.scriptId() != null
        // waiting in its script's queue: the scripts verticle owns it
        ? vertx.eventBus().<JsonObject>request(ns.of(Addresses.SCRIPTS_CANCEL), new JsonObject().put("run_id", id))
            .map(Message::body)
        : Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT,
        stored.status().isFinal()
            ? "run " + id + " has already ended (" + stored.status().wire() + ")"
            : "run " + id + " is " + stored.status().wire() + " but not managed by this server")));
  }

  /** A pending run of a script waits in its queue (a js run waiting for a slot is counted by JsSlots, checked first). */
  private static boolean queued(Run stored) {
    return stored.status() == RunStatus.PENDING && stored.scriptId() != null;
  }

  private Future<JsonObject> restartRun(JsonObject body) {
    String id = runId(body);
    String trigger = body.getValue("trigger") instanceof String text ? text : null;
    LiveRun run = runs.get(id);
    Future<Run> previous;
    if (run != null) {
      runs.requestEnd(run, RunStatus.KILLED);
      previous = run.ended.future();
    } else {
      previous = bus.get(id).compose(stored -> stored.status().isFinal() ? Future.succeededFuture(stored)
          : Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT,
              "run " + id + " is " + stored.status().wire() + " but not managed by this server")));
    }
    return previous.compose(old -> runs.launch(StartRequest.restartOf(old, trigger))).map(Run::toJson);
  }

  private Future<Object> recentLines(LogQuery query) {
    LiveRun run = query == null ? null : runs.get(query.runId());
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

  private Future<Void> checkCwd(String cwd) {
    if (cwd == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> Files.isDirectory(Path.of(cwd)), false).compose(ok -> ok
        ? Future.<Void>succeededFuture()
        : Future.failedFuture(StartRequest.bad("cwd '" + cwd + "' is not an existing directory")));
  }
}
