package dev.scriptd.process;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import java.util.LinkedHashMap;

/**
 * The {@code limits.max_concurrent_runs} slots shared by every run of the server, shell and
 * JavaScript alike, and the FIFO of runs waiting for one (at most {@code limits.max_pending_runs}).
 * A run holds a slot from its spawn (or the start of its program) to its end. Confined to the
 * supervisor's context.
 */
final class RunSlots {
  private final int max;
  private final int maxPending;
  private int active;
  /** Starts counted against the bounds before they take a slot or wait (their pending state is being saved). */
  private int reserved;
  /** Run id -> what to do once it has its slot, oldest first. */
  private final LinkedHashMap<String, Runnable> waiting = new LinkedHashMap<>();

  RunSlots(int max, int maxPending) {
    this.max = max;
    this.maxPending = maxPending;
  }

  /** The 429 of a start when every slot is busy and the wait queue is full, else null. */
  BusFailure refusal() {
    if (active + waiting.size() + reserved < max + maxPending) {
      return null;
    }
    return new BusFailure(ReplyCodes.TOO_MANY_REQUESTS, "too many queued runs: " + active + " running and "
        + waiting.size() + " waiting (limits.max_concurrent_runs = " + max + ", limits.max_pending_runs = "
        + maxPending + "); retry when some have ended");
  }

  void reserve() {
    reserved++;
  }

  void unreserve() {
    reserved--;
  }

  /** Takes a free slot (true), or leaves the count alone (false). */
  boolean tryTake() {
    if (active < max) {
      active++;
      return true;
    }
    return false;
  }

  /** Waits in the FIFO; {@code granted} runs, on this context, once the run has its slot. */
  void await(String runId, Runnable granted) {
    waiting.put(runId, granted);
  }

  boolean isWaiting(String runId) {
    return waiting.containsKey(runId);
  }

  /** Leaves the FIFO without a slot (the run was stopped while waiting); false when it was not waiting. */
  boolean withdraw(String runId) {
    return waiting.remove(runId) != null;
  }

  /** A run ended: its slot goes to the oldest waiting runs. */
  void release() {
    active--;
    while (active < max && !waiting.isEmpty()) {
      Runnable granted = waiting.remove(waiting.keySet().iterator().next());
      active++;
      granted.run(); // may end a run (and so release) before this loop goes on: no iterator is held
    }
  }
}
