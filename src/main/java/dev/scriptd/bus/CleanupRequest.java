package dev.scriptd.bus;

/**
 * One retention pass: delete finished, unpinned runs that ended more than {@code days} ago (0: every
 * one), per script every finished run beyond the newest {@code maxRunsPerScript}, then, while the
 * stored log bytes exceed {@code maxBytes} (0: no budget), the oldest finished runs; never a pending,
 * running or pinned run, and (except with {@code days} 0) never a script's last failed run.
 * {@code batchSize} runs per write transaction. A {@code dryRun} deletes nothing and reports what it
 * would delete.
 */
public record CleanupRequest(int days, int maxRunsPerScript, long maxBytes, int batchSize, boolean dryRun) {
}
