package dev.scriptd.bus;

import dev.scriptd.domain.RunStatus;
import java.time.Instant;

/**
 * Filters of the run history; null means "any". {@code cursor} is opaque, from a RunPage.
 * {@code createdBy}: runs started by the caller of that name.
 */
public record RunQuery(String scriptId, RunStatus status, Instant from, Instant to, int limit,
    String cursor, String createdBy) {

  /** Without the created_by filter. */
  public RunQuery(String scriptId, RunStatus status, Instant from, Instant to, int limit, String cursor) {
    this(scriptId, status, from, to, limit, cursor, null);
  }
}
