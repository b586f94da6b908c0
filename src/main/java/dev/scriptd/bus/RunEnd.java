package dev.scriptd.bus;

import dev.scriptd.domain.Run;

/**
 * The reply to a RUNS_START_SCRIPT that asked for the run's first lines ({@link StartScript#awaitLines}):
 * the run as saved with its final status, and its first lines from the run owner's live buffer,
 * which holds every line the run kept (masked and limited as stored) unless it wrote more than the
 * buffer holds. {@code lines} is null when the buffer no longer starts at the first line or the run
 * never had one here (queued in its script's queue, ended before its start was answered): then the
 * stored log has them.
 */
public record RunEnd(Run run, LogPage lines) {
}
