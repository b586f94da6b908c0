package dev.scriptd.process;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.JsOutcome;
import dev.scriptd.bus.JsProgram;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.StartScript;
import dev.scriptd.bus.StopRun;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunIo;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.Script;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JS executor as the run owner drives it: a js run takes one of the limits.max_concurrent_runs
 * slots (the same {@link RunSlots} as shell runs, no bus in between), is saved running, and its
 * program goes to the JS verticle (JS_EXECUTE, which runs it on its worker pool with its engine and
 * context pool, streams its lines, and answers how it ended); its end goes through the owner's
 * {@link RunLifecycle}. With no slot free the run is saved pending and begins when one is. Confined
 * to the owner's context.
 */
final class JsRuns implements RunExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(JsRuns.class);
  /** Beyond its own timeout (the JS verticle's watchdog ends the program), how long the answer may take. */
  private static final long ANSWER_MARGIN_MS = 60_000;

  /** One js run of this owner. */
  private static final class JsRun {
    Run run;
    final String program;
    final String name;
    final Long version;
    final JsonObject request;
    final long timeoutMs;
    /** Waiting for a slot, saved pending. */
    boolean waiting;
    /** Its program was handed to the JS verticle. */
    boolean executing;
    /** A stop asked before the program was handed over. */
    StopRun stop;
    final Promise<Run> ended = Promise.promise();

    JsRun(Run run, RunInput input) {
      this.run = run;
      this.program = input.program();
      this.name = input.programName();
      this.version = input.version();
      this.request = input.request();
      this.timeoutMs = input.timeoutMs();
    }
  }

  private final Map<String, JsRun> live = new HashMap<>();
  private final EventBus eventBus;
  private final Namespace ns;
  private final RunBus bus;
  private final RunSlots slots;
  private final RunLog log;
  private final RunLifecycle lifecycle;
  private final boolean enabled;
  /** js.endpoint_timeout_ms: an endpoint call's run ends by then, whatever its script's timeout. */
  private final long endpointTimeoutMs;

  JsRuns(EventBus eventBus, Namespace ns, RunBus bus, RunLifecycle lifecycle, boolean enabled,
      long endpointTimeoutMs) {
    this.endpointTimeoutMs = endpointTimeoutMs;
    this.eventBus = eventBus;
    this.ns = ns;
    this.bus = bus;
    this.lifecycle = lifecycle;
    this.slots = lifecycle.slots();
    this.log = lifecycle.log();
    this.enabled = enabled;
  }

  @Override
  public void pinned(String runId, boolean pin) {
    JsRun run = live.get(runId);
    if (run != null) {
      run.run = run.run.withPinned(pin);
    }
  }

  @Override
  public boolean isLive(String runId) {
    return live.containsKey(runId);
  }

  /**
   * A new js run ({@code pending} not saved yet): answered once running (or, every slot busy,
   * pending) is saved; fails 429 when too many runs wait, 503 when JavaScript is off.
   */
  @Override
  public Future<Run> start(Run pending, RunInput input) {
    return start(new JsRun(pending, input), false);
  }

  @Override
  public Future<Run> startScript(Script script, StartScript how, Map<String, String> env, RunIo io) {
    long timeoutMs = TimeUnit.SECONDS.toMillis(script.timeoutSeconds());
    if (Run.TRIGGER_ENDPOINT.equals(how.trigger())) {
      timeoutMs = Math.min(timeoutMs, endpointTimeoutMs);
    }
    Run pending = Run.pending(UUID.randomUUID().toString(), script.id(), Run.KIND_JS, null, how.trigger(),
        Math.max(1, (timeoutMs + 999) / 1000), env, null, null, Instant.now(), script.limits())
        .withCreatedBy(how.createdBy()).withIo(io);
    return start(pending, RunInput.program(script.program(), script.name() + ".js", script.version(), how.request(),
        timeoutMs));
  }

  /** A script's queued js run, saved pending earlier, with its script's current program. */
  @Override
  public Future<Run> startSaved(Run pending, Script script, StartScript input) {
    if (script == null) {
      return Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT, "run " + pending.id()
          + " is a js run of an ad-hoc program, which is not stored"));
    }
    return start(new JsRun(pending, RunInput.program(script.program(), script.name() + ".js", script.version(),
        input == null ? null : input.request(), TimeUnit.SECONDS.toMillis(pending.timeoutSeconds()))), true);
  }

  private Future<Run> start(JsRun run, boolean saved) {
    if (!enabled) {
      return Future.failedFuture(new BusFailure(ReplyCodes.UNAVAILABLE,
          "JavaScript runs are turned off on this server (js.enabled)"));
    }
    String id = run.run.id();
    boolean endpoint = Run.TRIGGER_ENDPOINT.equals(run.run.trigger());
    if (!saved) {
      BusFailure refused = slots.refusal(endpoint);
      if (refused != null) {
        return Future.failedFuture(refused);
      }
    }
    live.put(id, run);
    log.metrics().runQueued();
    if (slots.tryTake(id, endpoint)) {
      return begin(run);
    }
    run.waiting = true;
    if (saved) {
      slots.whenSlotFree(id, endpoint, () -> granted(run));
      markWaiting(run);
      return Future.succeededFuture(run.run);
    }
    slots.reserve(endpoint);
    return bus.saveAndPublish(run.run)
        .onComplete(ar -> slots.unreserve(endpoint))
        .onFailure(e -> {
          live.remove(run.run.id());
          log.metrics().runDequeued();
        })
        .map(pending -> {
          if (!run.waiting) {
            return run.run; // killed while its pending state was being saved
          }
          if (slots.tryTake(id, endpoint)) {
            run.waiting = false;
            begin(run).onFailure(e -> LOG.error("could not begin js run {}", id, e));
          } else {
            slots.whenSlotFree(id, endpoint, () -> granted(run));
            markWaiting(run);
          }
          return pending;
        });
  }

  /**
   * A script's run waiting for a slot is marked so: it stays pending over a restart and waits
   * again with its script's program. An ad-hoc program is not stored, so such a run cannot.
   */
  private void markWaiting(JsRun run) {
    if (restorable(run)) {
      bus.awaitSlot(run.run).onFailure(e -> LOG.warn("js run {} waits for a slot but could not be marked so: {}",
          run.run.id(), e.getMessage()));
    }
  }

  private static boolean restorable(JsRun run) {
    return run.run.scriptId() != null;
  }

  private void granted(JsRun run) {
    run.waiting = false;
    begin(run).onFailure(e -> LOG.error("could not begin js run {}", run.run.id(), e));
  }

  /** The run has its slot: saved running, then its program goes to the JS verticle. */
  private Future<Run> begin(JsRun run) {
    RunStateMachine.next(run.run.status(), RunStateMachine.Event.STARTED);
    Run running = run.run.started(null, null, Instant.now());
    run.run = running;
    return bus.saveAndPublish(running).onSuccess(saved -> {
      log.started(running);
      run.executing = true;
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(run.timeoutMs + ANSWER_MARGIN_MS);
      eventBus.<JsOutcome>request(ns.of(Addresses.JS_EXECUTE),
              new JsProgram(running, run.program, run.name, run.version, run.request, run.timeoutMs), options)
          .map(Message::body)
          .onComplete(ar -> finish(run, ar));
      if (run.stop != null) {
        eventBus.send(ns.of(Addresses.JS_STOP), run.stop); // a kill that came while it was being saved
      }
    }).onFailure(e -> {
      // not saved running: the run is forgotten here and its slot given back
      live.remove(running.id());
      log.metrics().runDequeued();
      slots.release(running.id());
      run.ended.tryFail(e);
    });
  }

  private void finish(JsRun run, AsyncResult<JsOutcome> ar) {
    JsOutcome outcome = ar.succeeded() ? ar.result()
        : new JsOutcome(RunStatus.FAILED, null, "the execution failed: " + ar.cause().getMessage(), 0, 0);
    RunStatus status = RunStateMachine.next(run.run.status(), RunStateMachine.endEvent(outcome.status(), true));
    Run stopped = run.run.withLog(outcome.lines(), outcome.bytes())
        .ended(status, null, outcome.result(), outcome.error(), Instant.now());
    Run ended = stopped.withIo(stopped.io().withOutputs(outcome.outputs()));
    run.run = ended;
    lifecycle.ended(ended, true, RunLifecycle.Slot.HELD).onComplete(saved -> {
      live.remove(ended.id());
      run.ended.tryComplete(ended);
    });
  }

  @Override
  public Future<Run> kill(String runId) {
    return kill(runId, RunStatus.KILLED, "killed through the API");
  }

  /** Asks a js run to stop; a run waiting for a slot ends killed at once. Null when it is not ours. */
  Future<Run> kill(String runId, RunStatus status, String error) {
    JsRun run = live.get(runId);
    if (run == null) {
      return null;
    }
    if (run.waiting) {
      return endWaiting(run, "killed while waiting for a free slot (limits.max_concurrent_runs)");
    }
    StopRun stop = new StopRun(runId, status, error);
    if (run.executing) {
      eventBus.send(ns.of(Addresses.JS_STOP), stop);
    } else if (run.stop == null) {
      run.stop = stop;
    }
    return Future.succeededFuture(run.run);
  }

  /** A run waiting for a slot ends killed without running (kill, or the server stopping). */
  private Future<Run> endWaiting(JsRun run, String error) {
    run.waiting = false;
    live.remove(run.run.id());
    Run ended = run.run.ended(RunStateMachine.next(run.run.status(), RunStateMachine.Event.KILLED), null, null,
        error, Instant.now());
    run.run = ended;
    return lifecycle.ended(ended, false, RunLifecycle.Slot.WAITING).onComplete(ar -> run.ended.tryComplete(ended));
  }

  /** At shutdown: every js run ends killed; completes once each end was saved (or failed). */
  @Override
  public Future<?> stopAll() {
    List<Future<Run>> ends = new ArrayList<>();
    for (JsRun run : List.copyOf(live.values())) {
      if (run.waiting && restorable(run)) {
        // stays pending, marked as waiting for a slot: the next start queues it again
        run.waiting = false;
        slots.withdraw(run.run.id());
        live.remove(run.run.id());
      } else if (run.waiting) {
        ends.add(endWaiting(run, "the server stopped while this run waited for a free slot"));
      } else {
        kill(run.run.id(), RunStatus.KILLED, "the server stopped while this program ran");
        ends.add(run.ended.future());
      }
    }
    return Future.join(ends);
  }

  @Override
  public int size() {
    return live.size();
  }
}
