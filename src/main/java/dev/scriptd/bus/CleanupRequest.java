package dev.scriptd.bus;

/**
 * One retention pass: delete finished runs that ended more than {@code days} ago and, per script,
 * every finished run beyond the newest {@code maxRunsPerScript}; never a pending or running run,
 * never a script's last failed run. {@code batchSize} runs per write transaction.
 */
public record CleanupRequest(int days, int maxRunsPerScript, int batchSize) {
}
