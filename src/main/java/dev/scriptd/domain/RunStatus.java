package dev.scriptd.domain;

import java.util.Locale;

/** The life of a run. Transitions are checked in one place so an illegal one is caught as a bug. */
public enum RunStatus {
  PENDING, RUNNING, COMPLETED, FAILED, KILLED, TIMED_OUT, LOST;

  /** The name used in JSON and in the database, e.g. {@code timed_out}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static RunStatus fromWire(String value) {
    for (RunStatus status : values()) {
      if (status.wire().equals(value)) {
        return status;
      }
    }
    throw new IllegalArgumentException("unknown run status '" + value + "'");
  }

  public boolean isFinal() {
    return switch (this) {
      case PENDING, RUNNING -> false;
      case COMPLETED, FAILED, KILLED, TIMED_OUT, LOST -> true;
    };
  }

  public boolean canMoveTo(RunStatus next) {
    return switch (this) {
      case PENDING -> next == RUNNING || next == FAILED || next == KILLED || next == LOST;
      case RUNNING -> next == COMPLETED || next == FAILED || next == KILLED || next == TIMED_OUT || next == LOST;
      case COMPLETED, FAILED, KILLED, TIMED_OUT, LOST -> false;
    };
  }
}
