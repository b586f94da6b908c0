package dev.scriptd.bus;

import dev.scriptd.domain.Script;

/** A script with its latest run (null when it never ran). */
public record ScriptEntry(Script script, dev.scriptd.domain.Run lastRun) {
}
