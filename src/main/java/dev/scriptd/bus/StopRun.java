package dev.scriptd.bus;

import dev.scriptd.domain.RunStatus;

/** JS_STOP, send only: the run owner asks the JS executor to stop a program; it ends {@code status} with {@code error}. */
public record StopRun(String runId, RunStatus status, String error) {
}
