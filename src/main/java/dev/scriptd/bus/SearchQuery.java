package dev.scriptd.bus;

/**
 * Stored lines containing {@code text} (case-insensitive, terminal escapes ignored), among the runs
 * {@code runs} selects; its limit counts lines and its cursor comes from a {@link SearchPage}.
 */
public record SearchQuery(String text, RunQuery runs) {
}
