package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.Codecs;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.StartScript;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunIo;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.Script;
import dev.scriptd.metrics.Meters;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The end every run shares, whatever executes it, driven by a stand-in executor whose runs end as
 * soon as they start (or cannot start), without HTTP or processes.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("RunLifecycle: the end of a run, the same for every executor")
class RunLifecycleTest {
  /** What storage and the slots saw, in order: "saved <id> <status>", "granted <id>". */
  private final List<String> events = new CopyOnWriteArrayList<>();
  private Vertx vertx;
  private Context context;
  private RunSlots slots;
  private RunBus bus;
  private RunEnds ends;
  private ScriptdMetrics metrics;
  private InstantExecutor executor;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    Codecs.register(vertx.eventBus());
    vertx.eventBus().<Run>localConsumer(Addresses.DB_SAVE_RUN, m -> {
      events.add("saved " + m.body().id() + " " + m.body().status().wire());
      if (m.body().id().startsWith("unsaved")) {
        m.fail(ReplyCodes.UNAVAILABLE, "the disk is gone");
      } else {
        m.reply(m.body());
      }
    }).completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    context = vertx.getOrCreateContext();
    bus = new RunBus(vertx.eventBus(), Namespace.from(new JsonObject()));
    slots = new RunSlots(1, 10);
    metrics = ScriptdMetrics.of(vertx, new JsonObject());
    executor = new InstantExecutor(new RunLifecycle(bus, slots, new RunLog(metrics)));
    ends = new RunEnds(bus, executor::isLive);
    bus.onEnd(ends::ended);
  }

  /** Runs {@code action} on the owner's context and waits for its future. */
  private <T> T onContext(Supplier<Future<T>> action) throws Exception {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(result));
    return result.future().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static Run pending(String id) {
    return Run.pending(id, null, Run.KIND_SHELL, "true", "api", 60, Map.of(), null, null, Instant.now());
  }

  private double gauge(String name) {
    return metrics.registry().get(name).gauge().value();
  }

  @Test
  @DisplayName("a run that ends at once is saved running, then ended; its waiters and its slot follow the saved end")
  void endsAtOnce() throws Exception {
    Future<Run> waited = onContext(() -> {
      executor.start(pending("r1"), RunInput.shell(null));
      return Future.succeededFuture(ends.whenEnded("r1"));
    });
    Run ended = waited.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

    assertEquals(RunStatus.COMPLETED, ended.status());
    assertEquals(List.of("saved r1 running", "saved r1 completed"), events);
    assertEquals(0, onContext(() -> Future.succeededFuture(slots.active())));
    assertEquals(0, gauge(Meters.ACTIVE_SCRIPTS));
    assertEquals(0, gauge(Meters.QUEUED_RUNS));
    assertEquals(1, metrics.registry().get(Meters.EXECUTIONS).tag("status", "completed").counter().count());
  }

  @Test
  @DisplayName("a run that cannot start ends failed, and its slot goes to the next run only once that end is stored")
  void failsToStart() throws Exception {
    Run failed = onContext(() -> {
      slots.whenSlotFree("next", false, () -> events.add("granted next"));
      return executor.start(pending("r1"), RunInput.program("fail", null, null, null, 0));
    });

    assertEquals(RunStatus.FAILED, failed.status());
    assertEquals(List.of("saved r1 failed", "granted next"), events);
    assertEquals(0, gauge(Meters.QUEUED_RUNS));
    assertEquals(0, gauge(Meters.ACTIVE_SCRIPTS));
  }

  @Test
  @DisplayName("a run killed while it waits for a slot ends killed, never runs, and leaves the wait queue")
  void killedWhilePending() throws Exception {
    Run waiting = onContext(() -> {
      assertTrue(slots.tryTake("busy", false));
      return executor.start(pending("r1"), RunInput.shell(null));
    });
    assertEquals(RunStatus.PENDING, waiting.status());

    Run killed = onContext(() -> executor.kill("r1"));
    assertEquals(RunStatus.KILLED, killed.status());
    onContext(() -> {
      slots.release("busy");
      return Future.succeededFuture();
    });

    assertEquals(List.of("saved r1 pending", "saved r1 killed"), events);
    assertEquals(0, onContext(() -> Future.succeededFuture(slots.waiting() + slots.active())));
    assertFalse(executor.isLive("r1"));
    assertEquals(0, gauge(Meters.QUEUED_RUNS));
    assertEquals(0, gauge(Meters.ACTIVE_SCRIPTS));
  }

  @Test
  @DisplayName("an end that could not be saved still frees the slot and answers whoever waits for it")
  void unsavedEnd() throws Exception {
    Future<Run> waited = onContext(() -> {
      slots.whenSlotFree("next", false, () -> events.add("granted next"));
      executor.start(pending("unsaved-1"), RunInput.program("fail", null, null, null, 0));
      return Future.succeededFuture(ends.whenEnded("unsaved-1"));
    });

    assertEquals(RunStatus.FAILED, waited.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).status());
    assertEquals(List.of("saved unsaved-1 failed", "granted next"), events);
  }

  /**
   * A stand-in executor: a run with a free slot is saved running and ends completed at once (or,
   * with the program "fail", cannot start); without one it is saved pending and waits.
   */
  private static final class InstantExecutor implements RunExecutor {
    private final Map<String, Run> live = new HashMap<>();
    private final RunLifecycle lifecycle;
    private final RunSlots slots;

    InstantExecutor(RunLifecycle lifecycle) {
      this.lifecycle = lifecycle;
      this.slots = lifecycle.slots();
    }

    @Override
    public Future<Run> start(Run pending, RunInput input) {
      live.put(pending.id(), pending);
      lifecycle.log().metrics().runQueued();
      if (slots.tryTake(pending.id(), false)) {
        return begin(pending, input);
      }
      slots.whenSlotFree(pending.id(), false, () -> begin(pending, input));
      return save(pending);
    }

    private Future<Run> save(Run run) {
      return Vertx.currentContext().owner().eventBus().<Run>request(Addresses.DB_SAVE_RUN, run)
          .map(m -> m.body());
    }

    private Future<Run> begin(Run pending, RunInput input) {
      if ("fail".equals(input.program())) {
        return lifecycle.ended(pending.ended(RunStateMachine.next(pending.status(),
            RunStateMachine.Event.START_FAILED), null, null, "could not start", Instant.now()), false,
            RunLifecycle.Slot.HELD).onComplete(ar -> live.remove(pending.id()));
      }
      Run running = pending.started(null, null, Instant.now());
      lifecycle.log().started(running);
      return save(running).compose(saved -> lifecycle.ended(running.ended(RunStateMachine.next(running.status(),
          RunStateMachine.Event.SUCCEEDED), 0, null, null, Instant.now()), true, RunLifecycle.Slot.HELD))
          .onComplete(ar -> live.remove(pending.id()));
    }

    @Override
    public Future<Run> startScript(Script script, StartScript how, Map<String, String> env, RunIo io) {
      return start(Run.pending(UUID.randomUUID().toString(), script.id(), Run.KIND_SHELL, script.command(), how.trigger(), 60, env,
          null, null, Instant.now()).withIo(io), RunInput.shell(how.stdin()));
    }

    @Override
    public Future<Run> startSaved(Run pending, Script script, StartScript input) {
      return start(pending, RunInput.shell(null));
    }

    @Override
    public Future<Run> kill(String runId) {
      Run run = live.remove(runId);
      if (run == null || !slots.isWaiting(runId)) {
        return null;
      }
      return lifecycle.ended(run.ended(RunStateMachine.next(run.status(), RunStateMachine.Event.KILLED), null, null,
          "killed while waiting", Instant.now()), false, RunLifecycle.Slot.WAITING);
    }

    @Override
    public boolean isLive(String runId) {
      return live.containsKey(runId);
    }

    @Override
    public void pinned(String runId, boolean pin) {
    }

    @Override
    public Future<?> stopAll() {
      return Future.succeededFuture();
    }

    @Override
    public int size() {
      return live.size();
    }
  }
}
