package dev.scriptd.bus;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One row of the schedule ledger: what the scheduler decided for one due fire time of a script.
 * {@code outcome} is one of {@link #OUTCOMES}, or null while the run of a claimed time is being
 * started; {@code runId} is set when a run was started or queued for it.
 */
public record ScheduleFire(String scriptId, Instant fireTime, Instant decidedAt, String outcome, String runId,
    String detail) {
  public static final String STARTED = "started";
  public static final String QUEUED = "queued";
  public static final String SKIPPED_FORBID = "skipped_forbid";
  public static final String MISSED = "missed";
  public static final String CAUGHT_UP = "caught_up";
  public static final String FAILED_TO_START = "failed_to_start";
  /** Every outcome, in the contract's order. */
  public static final List<String> OUTCOMES = List.of(STARTED, QUEUED, SKIPPED_FORBID, MISSED, CAUGHT_UP,
      FAILED_TO_START);

  public ScheduleFire {
    Objects.requireNonNull(scriptId, "scriptId");
    Objects.requireNonNull(fireTime, "fireTime");
    Objects.requireNonNull(decidedAt, "decidedAt");
    Objects.requireNonNull(detail, "detail");
  }

  /** Several rows written together (one transaction); the reply is the rows that were new. */
  public record Batch(List<ScheduleFire> items) {
    public Batch {
      items = List.copyOf(items);
    }
  }

  /** A page of one script's ledger, newest fire time first; {@code cursor} is opaque, from a Page. */
  public record Query(String scriptId, int limit, String cursor) {
  }

  /** One page of the ledger; {@code nextCursor} is null on the last page. */
  public record Page(List<ScheduleFire> items, String nextCursor) {
    public Page {
      items = List.copyOf(items);
    }
  }

  /** Deletes every row whose fire time is before {@code before}; the reply is the Long count. */
  public record Prune(Instant before) {
    public Prune {
      Objects.requireNonNull(before, "before");
    }
  }
}
