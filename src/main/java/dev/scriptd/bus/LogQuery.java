package dev.scriptd.bus;

/** Lines of a run with {@code seq > afterSeq}, at most {@code limit}, in seq order. */
public record LogQuery(String runId, long afterSeq, int limit) {
}
