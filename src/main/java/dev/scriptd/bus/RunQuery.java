package dev.scriptd.bus;

import dev.scriptd.domain.RunStatus;
import java.time.Instant;

/** Filters of the run history; null means "any". {@code cursor} is opaque, from a RunPage. */
public record RunQuery(String scriptId, RunStatus status, Instant from, Instant to, int limit,
    String cursor) {
}
