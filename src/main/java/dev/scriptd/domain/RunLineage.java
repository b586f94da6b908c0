package dev.scriptd.domain;

import java.time.Instant;

/**
 * Where a run stands in chains and retry series: {@code parentRunId} is the run whose {@code then}
 * started it, {@code retryOf} the first run of its retry series (null on that first run),
 * {@code attempt} its attempt number (1 = first), {@code notBefore} when a pending retry may start,
 * and {@code chainDepth} (internal, never in the API) how many chain links lead to it: 0 for a run
 * not started by a chain, its parent's depth + 1 otherwise; a retry keeps its series' depth.
 */
public record RunLineage(String parentRunId, String retryOf, int attempt, Instant notBefore, int chainDepth) {
  /** A run started by a person, cron, an endpoint or a restart: first attempt, depth 0. */
  public static final RunLineage FIRST = new RunLineage(null, null, 1, null, 0);

  public RunLineage {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, got " + attempt);
    }
    if (chainDepth < 0) {
      throw new IllegalArgumentException("chainDepth must not be negative, got " + chainDepth);
    }
  }

  /** The first run of a chain link started by {@code parent} (at {@code parentDepth}). */
  public static RunLineage chained(String parentRunId, int parentDepth) {
    return new RunLineage(parentRunId, null, 1, null, parentDepth + 1);
  }

  /** The next attempt after the run {@code previousId} with this lineage, due at {@code due}. */
  public RunLineage nextAttempt(String previousId, Instant due) {
    return new RunLineage(parentRunId, retryOf == null ? previousId : retryOf, attempt + 1, due, chainDepth);
  }
}
