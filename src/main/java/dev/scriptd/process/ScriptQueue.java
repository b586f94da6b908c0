package dev.scriptd.process;

import dev.scriptd.domain.Script;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The concurrency of scripts' runs, as decisions only (no I/O, no clock): per script the runs
 * active, the starts in flight, and the FIFO of queued runs (some of whose rows are still being
 * saved). The run owner asks it what to do with a new run of a script ({@link #decide}), tells it
 * what happened (started, ended, saved) and asks it which queued run goes next ({@link #next}).
 * Idle scripts hold no state. Confined to the run owner's context.
 */
final class ScriptQueue {
  /** What to do with a new run of a script. */
  enum Verdict {
    /** Start it now. */
    START,
    /** Refuse it (forbid, and the script is busy). */
    REFUSE,
    /** Save it queued; it starts when the runs before it ended. */
    ENQUEUE,
    /** End the runs in {@link Decision#toEnd} first, then start it. */
    REPLACE
  }

  /** A verdict, with the runs a replace ends (ids, oldest first). */
  record Decision(Verdict verdict, List<String> toEnd) {
  }

  private static final class State {
    final Set<String> active = new LinkedHashSet<>();
    final ArrayDeque<String> queue = new ArrayDeque<>();
    /** Queued runs whose row is not saved yet: the queue waits for them. */
    final Set<String> saving = new HashSet<>();
    int starting;

    boolean busy() {
      return !active.isEmpty() || starting > 0;
    }

    boolean idle() {
      return active.isEmpty() && queue.isEmpty() && starting == 0;
    }
  }

  private final Map<String, State> states = new HashMap<>();
  /** Queued run id -> its script. */
  private final Map<String, String> queued = new HashMap<>();

  /** The verdict for a new run of {@code scriptId} under {@code concurrency} (a {@link Script} constant). */
  Decision decide(String scriptId, String concurrency) {
    State state = states.get(scriptId);
    boolean busy = state != null && state.busy();
    return switch (concurrency) {
      case Script.FORBID -> new Decision(busy ? Verdict.REFUSE : Verdict.START, List.of());
      case Script.QUEUE -> new Decision(busy || (state != null && !state.queue.isEmpty()) ? Verdict.ENQUEUE
          : Verdict.START, List.of());
      case Script.REPLACE -> state == null || state.active.isEmpty() ? new Decision(Verdict.START, List.of())
          : new Decision(Verdict.REPLACE, List.copyOf(state.active));
      default -> new Decision(Verdict.START, List.of());
    };
  }

  /** The active runs of a script, oldest first ("(starting)" when only starts are in flight). */
  String describeActive(String scriptId) {
    State state = states.get(scriptId);
    return state == null || state.active.isEmpty() ? "(starting)" : String.join(", ", state.active);
  }

  /** A start of the script is in flight: it counts as busy until {@link #started} or {@link #startFailed}. */
  void starting(String scriptId) {
    state(scriptId).starting++;
  }

  /** The start in flight gave run {@code runId}, now active unless it already {@code ended}. */
  void started(String scriptId, String runId, boolean ended) {
    State state = state(scriptId);
    state.starting--;
    if (!ended) {
      state.active.add(runId);
    }
    forgetIfIdle(scriptId);
  }

  /** The start in flight gave no run. */
  void startFailed(String scriptId) {
    state(scriptId).starting--;
    forgetIfIdle(scriptId);
  }

  /** A queued run joins the end of the script's queue; it cannot go until {@link #saved}. */
  void enqueue(String scriptId, String runId, boolean saving) {
    State state = state(scriptId);
    state.queue.add(runId);
    if (saving) {
      state.saving.add(runId);
    }
    queued.put(runId, scriptId);
  }

  /** The queued run's row is saved: the queue may hand it over. */
  void saved(String runId) {
    String scriptId = queued.get(runId);
    if (scriptId != null) {
      state(scriptId).saving.remove(runId);
    }
  }

  /** The script of a run waiting in a queue, or null. */
  String queuedScript(String runId) {
    return queued.get(runId);
  }

  /** Takes a run out of its queue (cancelled, or its row could not be saved); false when it was not queued. */
  boolean remove(String runId) {
    String scriptId = queued.remove(runId);
    if (scriptId == null) {
      return false;
    }
    State state = state(scriptId);
    state.queue.remove(runId);
    state.saving.remove(runId);
    forgetIfIdle(scriptId);
    return true;
  }

  /** A run of the script ended: it is active no more (nor queued). */
  void ended(String scriptId, String runId) {
    State state = states.get(scriptId);
    if (state == null) {
      return;
    }
    state.active.remove(runId);
    if (state.queue.remove(runId)) {
      state.saving.remove(runId);
      queued.remove(runId);
    }
    forgetIfIdle(scriptId);
  }

  /**
   * The queued run to start now, counted as a start in flight, or null: only once nothing of the
   * script is active or starting and the head of its queue is saved.
   */
  String next(String scriptId) {
    State state = states.get(scriptId);
    if (state == null || state.busy() || state.queue.isEmpty() || state.saving.contains(state.queue.peek())) {
      return null;
    }
    String runId = state.queue.poll();
    queued.remove(runId);
    state.starting++;
    return runId;
  }

  /** The runs of a script: active first, then queued, in order. */
  List<String> active(String scriptId) {
    State state = states.get(scriptId);
    return state == null ? List.of() : List.copyOf(state.active);
  }

  List<String> queue(String scriptId) {
    State state = states.get(scriptId);
    return state == null ? List.of() : List.copyOf(state.queue);
  }

  /** Scripts with any state (for a queue restored at start: each may have a run to hand over). */
  List<String> scripts() {
    return new ArrayList<>(states.keySet());
  }

  private State state(String scriptId) {
    return states.computeIfAbsent(scriptId, id -> new State());
  }

  private void forgetIfIdle(String scriptId) {
    State state = states.get(scriptId);
    if (state != null && state.idle()) {
      states.remove(scriptId);
    }
  }
}
