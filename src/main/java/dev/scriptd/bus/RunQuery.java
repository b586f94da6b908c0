package dev.scriptd.bus;

import dev.scriptd.domain.RunStatus;
import java.time.Instant;

/**
 * Filters of the run history; null means "any". {@code cursor} is opaque, from a RunPage.
 * {@code parentRunId}: runs started by that run's {@code then}; {@code retryOf}: the later attempts
 * of that run's retry series; {@code createdBy}: runs started by the caller of that name.
 */
public record RunQuery(String scriptId, RunStatus status, Instant from, Instant to, int limit,
    String cursor, String parentRunId, String trigger, String retryOf, String createdBy) {

  public RunQuery(String scriptId, RunStatus status, Instant from, Instant to, int limit, String cursor) {
    this(scriptId, status, from, to, limit, cursor, null, null, null, null);
  }
}
