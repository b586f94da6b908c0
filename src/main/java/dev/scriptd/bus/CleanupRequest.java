package dev.scriptd.bus;

/**
 * One retention pass: delete finished, unpinned runs that ended more than {@code days} ago (0: every
 * one), per script every finished run beyond the newest {@code maxRunsPerScript}, then, while the
 * stored log bytes exceed {@code maxBytes} (0: no budget), the oldest finished runs; never a pending,
 * running or pinned run, and (except with {@code days} 0) never a script's last failed run.
 * {@code batchSize} runs per write transaction. A {@code dryRun} deletes nothing and reports what it
 * would delete. {@code scriptDays}: each script's {@code retention.days} and {@code keep_failed_days}
 * replace {@code days} for its runs (the configured pass); false when a caller asked for {@code days}
 * explicitly, which then holds for every run. A script's {@code max_runs} and {@code max_bytes}
 * apply in every pass.
 */
public record CleanupRequest(int days, int maxRunsPerScript, long maxBytes, int batchSize, boolean dryRun,
    boolean scriptDays) {
}
