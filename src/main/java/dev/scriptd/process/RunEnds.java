package dev.scriptd.process;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.domain.Run;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * "Wait for the end of a run", once for the whole server: endpoints' {@code ?wait=true}, js runs
 * started with {@code wait}, and a script's restart, replace and delete all wait here. The owner
 * completes the waiters when it saved the run's final status ({@link RunBus#onEnd}); a run this
 * owner does not manage is looked up in storage instead. Confined to the owner's context.
 */
final class RunEnds {
  /** Whether a run is managed here (live, waiting for a slot, or queued): its end will pass by. */
  interface Managed {
    boolean has(String runId);
  }

  private final Map<String, List<Promise<Run>>> waiters = new HashMap<>();
  private final RunBus bus;
  private final Managed managed;

  RunEnds(RunBus bus, Managed managed) {
    this.bus = bus;
    this.managed = managed;
  }

  /**
   * The run as saved with its final status. Fails 404 for an unknown run, 409 for one that is
   * neither ended nor managed here.
   */
  Future<Run> whenEnded(String runId) {
    Promise<Run> ended = Promise.promise();
    waiters.computeIfAbsent(runId, id -> new ArrayList<>()).add(ended);
    if (!managed.has(runId)) {
      // its end passed before we listened, or it is not ours: storage knows
      bus.get(runId).onComplete(ar -> {
        if (ar.failed()) {
          forget(runId, ended);
          ended.tryFail(ar.cause());
        } else if (ar.result().status().isFinal()) {
          forget(runId, ended);
          ended.tryComplete(ar.result());
        } else if (!managed.has(runId)) {
          forget(runId, ended);
          ended.tryFail(new BusFailure(ReplyCodes.CONFLICT, "run " + runId + " is "
              + ar.result().status().wire() + " but not managed by this server"));
        }
      });
    }
    return ended.future();
  }

  /** The run's final status is saved (or its save failed): its waiters go on. */
  void ended(Run run) {
    List<Promise<Run>> list = waiters.remove(run.id());
    if (list != null) {
      list.forEach(waiter -> waiter.tryComplete(run));
    }
  }

  int waiting() {
    return waiters.values().stream().mapToInt(List::size).sum();
  }

  private void forget(String runId, Promise<Run> waiter) {
    List<Promise<Run>> list = waiters.get(runId);
    if (list != null) {
      list.remove(waiter);
      if (list.isEmpty()) {
        waiters.remove(runId);
      }
    }
  }
}
