package dev.scriptd.process;

import dev.scriptd.domain.Run;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a run, the same whatever executed it, on the owner's side: the final status is logged
 * and counted once, saved and published (which completes whoever waits for it, see
 * {@link RunBus#onEnd}), and only then is the run's slot given back, so the next run never starts
 * before the end of the one it replaces is stored. A run still waiting for a slot leaves the FIFO
 * first, so it cannot be granted one while it ends. Confined to the owner's context.
 */
final class RunLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(RunLifecycle.class);

  /** Where an ending run stands with its slot. */
  enum Slot {
    /** It holds one (spawned, or its spawn failed). */
    HELD,
    /** It waits in the FIFO for one. */
    WAITING
  }

  private final RunBus bus;
  private final RunSlots slots;
  private final RunLog log;

  RunLifecycle(RunBus bus, RunSlots slots, RunLog log) {
    this.bus = bus;
    this.slots = slots;
    this.log = log;
  }

  RunSlots slots() {
    return slots;
  }

  RunLog log() {
    return log;
  }

  /**
   * {@code ended} (a final status) ends: {@code wasRunning} tells whether its start was counted.
   * Answers its save; the slot is given back whether the save succeeded or not.
   */
  /**
   * {@code ended} leaves without a save: the run is stored {@code lost} (see RunFence). Its slot is
   * given back and it leaves the active or queued count, but no final status is counted here (the
   * node that marked it lost counted that).
   */
  Future<Run> abandoned(Run ended, boolean wasRunning, Slot slot) {
    if (slot == Slot.WAITING) {
      slots.withdraw(ended.id());
    } else {
      slots.release(ended.id());
    }
    log.abandoned(ended, wasRunning);
    return Future.succeededFuture(ended);
  }

  Future<Run> ended(Run ended, boolean wasRunning, Slot slot) {
    if (slot == Slot.WAITING) {
      slots.withdraw(ended.id());
    }
    log.ended(ended, wasRunning);
    return bus.saveAndPublish(ended)
        .onFailure(e -> {
          if (RunBus.isRefused(e)) {
            LOG.warn("the end of run {} ({}) was not stored: the run is stored lost", ended.id(), ended.status().wire());
          } else {
            LOG.error("could not save the end of run {}", ended.id(), e);
          }
        })
        .onComplete(ar -> {
          if (slot == Slot.HELD) {
            slots.release(ended.id());
          }
        });
  }
}
