package dev.scriptd.process;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.RunPage;
import dev.scriptd.bus.ScriptEntry;
import dev.scriptd.bus.StartScript;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.Script;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scripts' runs under their concurrency rule (allow, forbid, queue, replace), in the run owner:
 * the decisions are {@link ScriptQueue}'s, the waits for ends {@link RunEnds}'s, the starts and
 * kills the owner's ({@link Runner}). Queued runs are saved pending with their queued flag, survive
 * a restart ({@link #restore}) and go one at a time once the script is idle. Replaces of one script
 * are chained: each waits for the previous one's start, then ends every active run, then starts, so
 * simultaneous replaces leave exactly one run. Definitions are resolved through a small cache kept
 * true by SCRIPTS_CHANGED. Confined to the owner's context.
 */
final class ScriptRuns {
  private static final Logger LOG = LoggerFactory.getLogger(ScriptRuns.class);
  private static final int CACHED_SCRIPTS = 1024;

  /** What the owner does for a script's run. */
  interface Runner {
    /** Starts a run of {@code script} now; answers once it is running (or pending, waiting for a slot). */
    Future<Run> start(Script script, StartScript how);

    /**
     * Starts a queued run saved pending earlier, with its script's current definition and the input
     * of the call that queued it ({@code stdin} of a shell endpoint, {@code request} of a js one; null
     * after a restart).
     */
    Future<Run> startQueued(Run pending, Script script, StartScript input);

    /** Asks a live run to end killed; null when the run is not live here. */
    Future<Run> kill(String runId);
  }

  private final ScriptQueue queue = new ScriptQueue();
  /** Per script: the last replace in flight, which the next one waits for. */
  private final Map<String, Future<Run>> replacing = new HashMap<>();
  /** The request input of queued endpoint calls (stdin, js request), until their run starts. */
  private final Map<String, StartScript> queuedInput = new HashMap<>();
  /** Queued runs being handed over (their start in flight): a kill waits for the start. */
  private final Map<String, Future<Run>> dispatching = new HashMap<>();
  /** Recently ended run ids, so a late start answer does not count an ended run active. */
  private final Map<String, Boolean> ended = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > 4096;
    }
  };
  /** Script definitions by the reference they were asked by (id or name). */
  private final Map<String, Script> cache = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Script> eldest) {
      return size() > CACHED_SCRIPTS;
    }
  };
  /** Counts definition changes: a lookup that crossed one is not cached. */
  private long changes;
  /** The server is stopping: queued runs stay pending (saved) for the next start, none is handed over. */
  private boolean stopping;
  private final EventBus eventBus;
  private final Namespace ns;
  private final RunBus bus;
  private final RunEnds ends;
  private final Runner runner;
  private final EndpointRuns endpointRuns;
  private final long killGraceMs;

  ScriptRuns(EventBus eventBus, Namespace ns, RunBus bus, RunEnds ends, Runner runner, EndpointRuns endpointRuns,
      long killGraceMs) {
    this.endpointRuns = endpointRuns;
    this.eventBus = eventBus;
    this.ns = ns;
    this.bus = bus;
    this.ends = ends;
    this.runner = runner;
    this.killGraceMs = killGraceMs;
  }

  /** From now on no queued run starts: they stay saved pending, and the next server start restores them. */
  void stop() {
    stopping = true;
  }

  /** True when the run waits in a script's queue or is being handed over from it. */
  boolean has(String runId) {
    return queue.queuedScript(runId) != null || dispatching.containsKey(runId);
  }

  /** A script was created, updated or deleted: its cached definition goes. */
  void changed(String scriptId) {
    changes++;
    cache.values().removeIf(script -> script.id().equals(scriptId));
  }

  /** The definition of {@code ref} (an id or a name): cached, else stored; fails 404. */
  Future<Script> resolve(String ref) {
    if (ref == null || ref.isBlank()) {
      return Future.failedFuture(new BusFailure(ReplyCodes.BAD_REQUEST, "script_id is required"));
    }
    Script cached = cache.get(ref);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    long seen = changes;
    return eventBus.<ScriptEntry>request(ns.of(Addresses.DB_GET_SCRIPT), ref).map(Message::body).map(entry -> {
      if (seen == changes) {
        cache.put(ref, entry.script());
      }
      return entry.script();
    });
  }

  /**
   * Queued runs left by a previous server start again, in order, one script at a time; only those
   * {@code ours} takes (in a cluster, another live node's queue is that node's).
   */
  Future<Void> restore(java.util.function.Predicate<Run> ours) {
    return eventBus.<RunPage>request(ns.of(Addresses.DB_QUEUED_RUNS), null).map(Message::body).map(page -> {
      int restored = 0;
      for (Run run : page.items()) {
        if (run.scriptId() != null && ours.test(run)) {
          queue.enqueue(run.scriptId(), run.id(), false);
          restored++;
        }
      }
      if (restored > 0) {
        LOG.info("{} queued run(s) restored", restored);
      }
      queue.scripts().forEach(this::drain);
      return null;
    });
  }

  /**
   * Queued runs another node left (it left the cluster), saved as this node's: they join this node's
   * queues behind what waits already, in their order.
   */
  void adopt(List<Run> runs) {
    for (Run run : runs) {
      if (run.scriptId() != null) {
        queue.enqueue(run.scriptId(), run.id(), false);
      }
    }
    runs.stream().map(Run::scriptId).filter(java.util.Objects::nonNull).distinct().forEach(this::drain);
  }

  /**
   * A run of a script a previous server left waiting for a free slot: it waits again, with its
   * script's current definition, counted as the script's start in flight meanwhile.
   */
  Future<Run> restoreWaiting(Run pending) {
    return resolve(pending.scriptId())
        .compose(script -> tracked(script.id(), runner.startQueued(pending, script, null)));
  }

  /** A run this owner saved ended: the script's queue may go on. */
  void ended(Run run) {
    ended.put(run.id(), Boolean.TRUE);
    endpointRuns.ended(run.id());
    if (run.scriptId() != null) {
      queue.ended(run.scriptId(), run.id());
      drain(run.scriptId());
    }
  }

  /**
   * A new run of a script: started, queued, refused (409) or started after the active ones ended
   * (replace). An endpoint's call is first admitted under {@code endpoint.max_concurrent} (429).
   */
  Future<Run> start(StartScript how) {
    Future<Script> script = how.script() != null ? Future.succeededFuture(how.script()) : resolve(how.scriptRef());
    return script.compose(definition -> {
      // bad parameter values refuse the start before any decision: no run is created, none queued
      StartScript checked = how.withParams(ScriptParams.io(definition, ScriptParams.supplied(definition, how)).params());
      return admitAndStart(definition, checked);
    });
  }

  private Future<Run> admitAndStart(Script definition, StartScript how) {
    if (!Run.TRIGGER_ENDPOINT.equals(how.trigger()) || definition.endpoint() == null) {
      return startAsConfigured(definition, how);
    }
    BusFailure full = endpointRuns.admit(definition);
    if (full != null) {
      return Future.failedFuture(full);
    }
    return startAsConfigured(definition, how).andThen(ar -> {
      String runId = ar.succeeded() ? ar.result().id() : null;
      endpointRuns.answered(definition.id(), runId,
          runId == null || ar.result().status().isFinal() || ended.containsKey(runId));
    });
  }

  private Future<Run> startAsConfigured(Script definition, StartScript how) {
    String id = definition.id();
    if (Script.REPLACE.equals(definition.concurrency())) {
      Future<Run> previous = replacing.get(id);
      Future<Run> mine = (previous == null ? Future.<Void>succeededFuture() : previous.<Void>transform(ar ->
          Future.succeededFuture()))
          .compose(v -> killAndWait(queue.active(id)))
          .compose(v -> tracked(id, runner.start(definition, how)));
      replacing.put(id, mine);
      mine.onComplete(ar -> replacing.remove(id, mine));
      return mine;
    }
    ScriptQueue.Decision decision = queue.decide(id, definition.concurrency());
    return switch (decision.verdict()) {
      case REFUSE -> Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT, "script " + definition.name()
          + " already has an active run " + queue.describeActive(id) + "; wait for it or kill it"));
      case ENQUEUE -> enqueue(definition, how);
      case START, REPLACE -> tracked(id, runner.start(definition, how));
    };
  }

  /** Counts a start in flight until it answers, then the run as active unless it already ended. */
  private Future<Run> tracked(String scriptId, Future<Run> started) {
    queue.starting(scriptId);
    return started.andThen(ar -> {
      if (ar.succeeded()) {
        queue.started(scriptId, ar.result().id(),
            ar.result().status().isFinal() || ended.containsKey(ar.result().id()));
      } else {
        queue.startFailed(scriptId);
      }
      drain(scriptId);
    });
  }

  private Future<Run> enqueue(Script script, StartScript how) {
    Map<String, String> env = new HashMap<>(script.env());
    env.putAll(how.env());
    boolean js = Run.KIND_JS.equals(script.kind());
    Run pending = Run.pending(UUID.randomUUID().toString(), script.id(), script.kind(), js ? null : script.command(),
        how.trigger(), script.timeoutSeconds(), env, script.cwd(), null, Instant.now(), script.limits())
        .withCreatedBy(how.createdBy())
        .withIo(ScriptParams.io(script, how.params()));
    queue.enqueue(script.id(), pending.id(), true);
    if (how.stdin() != null || how.request() != null) {
      // an endpoint call's body waits with its run (in memory: a restart starts it without one)
      queuedInput.put(pending.id(), how);
    }
    return bus.queueAndPublish(pending)
        .onSuccess(saved -> queue.saved(pending.id()))
        .onFailure(e -> {
          queue.remove(pending.id());
          queuedInput.remove(pending.id());
        })
        .andThen(ar -> drain(script.id()));
  }

  /**
   * Starts a run the owner held (a due retry, a decided chain link), saved pending earlier, under its
   * script's concurrency rule: now, after the active runs ended (replace), in the queue (queue), or
   * not at all (forbid with the script busy, or the script deleted): then it ends failed, saying why.
   */
  Future<Run> startHeld(Run pending) {
    return resolve(pending.scriptId()).transform(found -> {
      if (found.failed()) {
        return refuse(pending, "its script " + pending.scriptId() + " no longer exists");
      }
      Script script = found.result();
      String id = script.id();
      if (Script.REPLACE.equals(script.concurrency())) {
        return killAndWait(queue.active(id)).compose(v -> tracked(id, runner.startQueued(pending, script, null)));
      }
      ScriptQueue.Decision decision = queue.decide(id, script.concurrency());
      return switch (decision.verdict()) {
        case REFUSE -> refuse(pending, "script " + script.name() + " already had an active run "
            + queue.describeActive(id) + " (concurrency forbid)");
        case ENQUEUE -> {
          queue.enqueue(id, pending.id(), false);
          drain(id);
          yield Future.succeededFuture(pending);
        }
        case START, REPLACE -> tracked(id, runner.startQueued(pending, script, null));
      };
    });
  }

  /** A held run that cannot start ends failed with the reason in its error. */
  private Future<Run> refuse(Run pending, String reason) {
    return bus.saveAndPublish(pending.ended(RunStatus.FAILED, null, null, "could not start: " + reason,
        Instant.now()));
  }

  /** Starts the head of the script's queue once nothing of it is active or starting. */
  private void drain(String scriptId) {
    if (stopping) {
      return;
    }
    String runId = queue.next(scriptId);
    if (runId == null) {
      return;
    }
    Future<Run> started = bus.get(runId).compose(pending -> {
      if (pending.status() != RunStatus.PENDING) {
        return Future.succeededFuture(pending); // ended meanwhile (recovery, a kill elsewhere)
      }
      return resolve(scriptId).compose(script -> runner.startQueued(pending, script, queuedInput.get(runId)));
    });
    started.onComplete(ar -> queuedInput.remove(runId));
    dispatching.put(runId, started);
    started.onComplete(ar -> {
      dispatching.remove(runId);
      if (ar.succeeded()) {
        queue.started(scriptId, ar.result().id(),
            ar.result().status().isFinal() || ended.containsKey(ar.result().id()));
      } else {
        LOG.warn("queued run {} did not start: {}", runId, ar.cause().getMessage());
        queue.startFailed(scriptId);
      }
      drain(scriptId);
    });
  }

  /**
   * A run waiting in a queue ends killed without a process; one being handed over is killed once
   * started. Null when the run is neither.
   */
  Future<Run> cancel(String runId) {
    String scriptId = queue.queuedScript(runId);
    if (scriptId != null) {
      queue.remove(runId);
      queuedInput.remove(runId);
      return bus.get(runId).compose(run -> bus.saveAndPublish(run.ended(
          RunStateMachine.next(run.status(), RunStateMachine.Event.KILLED), null, null,
          "killed while waiting in the queue", Instant.now())));
    }
    Future<Run> starting = dispatching.get(runId);
    if (starting != null) {
      return starting.compose(run -> {
        Future<Run> killed = runner.kill(runId);
        return killed == null ? Future.succeededFuture(run) : killed;
      });
    }
    return null;
  }

  /** Kills the script's active runs and cancels its queued ones; replies with them as they were asked to end. */
  Future<List<Run>> killAll(String scriptId) {
    List<Future<Run>> replies = new ArrayList<>();
    for (String queued : queue.queue(scriptId)) {
      Future<Run> cancelled = cancel(queued);
      if (cancelled != null) {
        replies.add(cancelled);
      }
    }
    for (String active : queue.active(scriptId)) {
      Future<Run> killed = runner.kill(active);
      if (killed != null) {
        replies.add(killed);
      }
    }
    return Future.join(replies).transform(ar -> Future.succeededFuture(
        replies.stream().filter(Future::succeeded).map(Future::result).toList()));
  }

  /** Kill, wait for the ends, start one (trigger restart). */
  Future<Run> restart(Script script, String createdBy) {
    List<String> active = queue.active(script.id());
    return killAll(script.id())
        .compose(killed -> killAndWait(active))
        .compose(v -> tracked(script.id(), runner.start(script,
            StartScript.of(script.id(), Map.of(), "restart", createdBy))));
  }

  /** Before a delete: the queue is dropped and every active run ended (waited for, bounded). */
  Future<Void> endAll(String scriptId) {
    for (String queued : queue.queue(scriptId)) {
      queue.remove(queued);
    }
    return killAndWait(queue.active(scriptId));
  }

  /** Kills the runs and completes once each one ended (or the grace plus a margin passed). */
  private Future<Void> killAndWait(List<String> runIds) {
    if (runIds.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<Run>> waits = new ArrayList<>();
    for (String id : runIds) {
      waits.add(ends.whenEnded(id));
      runner.kill(id);
    }
    return Future.join(waits)
        .timeout(killGraceMs + 10_000, TimeUnit.MILLISECONDS)
        .recover(e -> {
          LOG.warn("runs {} did not end in time after kill", runIds);
          return Future.succeededFuture();
        })
        .mapEmpty();
  }
}
