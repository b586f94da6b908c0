package dev.scriptd.bus;

import dev.scriptd.domain.RunStatus;

/**
 * How a js program ended, as the run owner saves it: its final status, its result (JSON value,
 * secrets masked) or error, and the lines and bytes of output kept (stored and streamed).
 */
public record JsOutcome(RunStatus status, Object result, String error, long lines, long bytes) {
}
