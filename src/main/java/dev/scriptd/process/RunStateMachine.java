package dev.scriptd.process;

import dev.scriptd.domain.RunStatus;

/**
 * The life of a run as the run owner drives it: which status an event leads to from which status.
 * One exhaustive switch, so a new status or event does not compile until every pair is decided;
 * an event that makes no sense in a status (a start of a run that ended) is a bug and throws.
 */
final class RunStateMachine {
  /** What happens to a run. */
  enum Event {
    /** Its process was spawned, or its program handed to the JS worker pool. */
    STARTED,
    /** It exited 0, or its program returned. */
    SUCCEEDED,
    /** It exited non-zero or lost its exit status, or its program threw. */
    FAILED,
    /** Its process could not be spawned (or its program could not begin). */
    START_FAILED,
    /** The API, a script's replace/restart/delete, or shutdown stopped it. */
    KILLED,
    /** Its timeout passed. */
    TIMED_OUT,
    /** The server stopped while it was active (found by recovery at the next start). */
    LOST
  }

  /** Thrown for an event the status does not allow. */
  static final class IllegalTransition extends IllegalStateException {
    IllegalTransition(RunStatus from, Event event) {
      super("a run that is " + from.wire() + " cannot take the event " + event);
    }
  }

  private RunStateMachine() {
  }

  /** The status {@code event} leads to from {@code from}. */
  static RunStatus next(RunStatus from, Event event) {
    return switch (from) {
      case PENDING -> switch (event) {
        case STARTED -> RunStatus.RUNNING;
        case START_FAILED -> RunStatus.FAILED;
        // never spawned, so it never ran out of time: a timeout while waiting is a kill
        case KILLED, TIMED_OUT -> RunStatus.KILLED;
        case LOST -> RunStatus.LOST;
        case SUCCEEDED, FAILED -> throw new IllegalTransition(from, event);
      };
      case RUNNING -> switch (event) {
        case SUCCEEDED -> RunStatus.COMPLETED;
        case FAILED -> RunStatus.FAILED;
        case KILLED -> RunStatus.KILLED;
        case TIMED_OUT -> RunStatus.TIMED_OUT;
        case LOST -> RunStatus.LOST;
        case STARTED, START_FAILED -> throw new IllegalTransition(from, event);
      };
      case COMPLETED, FAILED, KILLED, TIMED_OUT, LOST -> throw new IllegalTransition(from, event);
    };
  }

  /**
   * How a run that was asked to end ({@code requested}: KILLED, TIMED_OUT or FAILED, e.g. its
   * output limit) or that ended by itself ({@code requested} null, {@code exitedOk} its exit) ends.
   */
  static Event endEvent(RunStatus requested, boolean exitedOk) {
    if (requested == null) {
      return exitedOk ? Event.SUCCEEDED : Event.FAILED;
    }
    return switch (requested) {
      case KILLED -> Event.KILLED;
      case TIMED_OUT -> Event.TIMED_OUT;
      case FAILED -> Event.FAILED;
      case LOST -> Event.LOST;
      case COMPLETED -> Event.SUCCEEDED;
      case PENDING, RUNNING -> throw new IllegalArgumentException("a run cannot be asked to end " + requested.wire());
    };
  }
}
