package dev.scriptd.process;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code limits.max_concurrent_runs} slots shared by every run of the server, shell and
 * JavaScript alike, and the FIFO of runs waiting for one (at most {@code limits.max_pending_runs}).
 * A run holds a slot from its spawn (or the start of its program) to its end. Confined to the
 * run owner's context.
 *
 * <p>Runs triggered by endpoints (anyone on the network may call a public one) hold at most
 * {@code endpoints.max_run_share_percent} of the slots, and of the slots and the queue together, so
 * however they are called the API's own callers always find room: an endpoint run past its share
 * of the slots waits (later runs of other triggers pass it), past its share of the whole it is
 * refused.
 */
final class RunSlots {
  private final int max;
  private final int maxPending;
  private final int endpointMaxActive;
  private final int endpointMaxTotal;
  private int active;
  /** Endpoint runs holding a slot. */
  private final Set<String> endpointActive = new HashSet<>();
  /** Starts counted against the bounds before they take a slot or wait (their pending state is being saved). */
  private int reserved;
  private int endpointReserved;
  private int endpointWaiting;
  /** Run id -> what to do once it has its slot, oldest first. */
  private final LinkedHashMap<String, Waiter> waiting = new LinkedHashMap<>();

  private record Waiter(boolean endpoint, Runnable granted) {
  }

  RunSlots(int max, int maxPending) {
    this(max, maxPending, 100);
  }

  RunSlots(int max, int maxPending, int endpointSharePercent) {
    this.max = max;
    this.maxPending = maxPending;
    this.endpointMaxActive = Math.max(1, (int) ((long) max * endpointSharePercent / 100));
    this.endpointMaxTotal = Math.max(1, (int) (((long) max + maxPending) * endpointSharePercent / 100));
  }

  /**
   * The 429 of a start when every slot is busy and the wait queue is full (or, for an endpoint run,
   * when endpoint runs hold their share), else null.
   */
  BusFailure refusal(boolean endpoint) {
    if (active + waiting.size() + reserved >= max + maxPending) {
      return new BusFailure(ReplyCodes.TOO_MANY_REQUESTS, "too many queued runs: " + active + " running and "
          + waiting.size() + " waiting (limits.max_concurrent_runs = " + max + ", limits.max_pending_runs = "
          + maxPending + "); retry when some have ended");
    }
    if (endpoint && endpointActive.size() + endpointWaiting + endpointReserved >= endpointMaxTotal) {
      return new BusFailure(ReplyCodes.TOO_MANY_REQUESTS, "endpoint runs hold their share of the server's runs ("
          + endpointMaxTotal + " running or waiting, endpoints.max_run_share_percent); retry when some have ended");
    }
    return null;
  }

  void reserve(boolean endpoint) {
    reserved++;
    if (endpoint) {
      endpointReserved++;
    }
  }

  void unreserve(boolean endpoint) {
    reserved--;
    if (endpoint) {
      endpointReserved--;
    }
  }

  /** Takes a free slot (true), or leaves the count alone (false). */
  boolean tryTake(String runId, boolean endpoint) {
    if (!mayTake(endpoint)) {
      return false;
    }
    take(runId, endpoint);
    return true;
  }

  private boolean mayTake(boolean endpoint) {
    return active < max && (!endpoint || endpointActive.size() < endpointMaxActive);
  }

  private void take(String runId, boolean endpoint) {
    active++;
    if (endpoint) {
      endpointActive.add(runId);
    }
  }

  /** Waits in the FIFO; {@code granted} runs, on this context, once the run has its slot. */
  void whenSlotFree(String runId, boolean endpoint, Runnable granted) {
    if (waiting.put(runId, new Waiter(endpoint, granted)) == null && endpoint) {
      endpointWaiting++;
    }
  }

  boolean isWaiting(String runId) {
    return waiting.containsKey(runId);
  }

  /** Leaves the FIFO without a slot (the run was stopped while waiting); false when it was not waiting. */
  boolean withdraw(String runId) {
    Waiter waiter = waiting.remove(runId);
    if (waiter != null && waiter.endpoint()) {
      endpointWaiting--;
    }
    return waiter != null;
  }

  /** The run ended: its slot goes to the oldest waiting runs that may take one. */
  void release(String runId) {
    active--;
    endpointActive.remove(runId);
    while (true) {
      String next = null;
      for (Map.Entry<String, Waiter> entry : waiting.entrySet()) {
        if (mayTake(entry.getValue().endpoint())) {
          next = entry.getKey();
          break;
        }
        if (active >= max) {
          break;
        }
      }
      if (next == null) {
        return;
      }
      Waiter waiter = waiting.remove(next);
      if (waiter.endpoint()) {
        endpointWaiting--;
      }
      take(next, waiter.endpoint());
      waiter.granted().run(); // may end a run (and so release) before this loop goes on: no iterator is held
    }
  }

  int active() {
    return active;
  }

  int waiting() {
    return waiting.size();
  }
}
