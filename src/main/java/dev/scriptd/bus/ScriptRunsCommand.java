package dev.scriptd.bus;

/**
 * RUNS_SCRIPT_RUNS: what the run owner does to every run of a script. KILL ends its active runs
 * and its queued ones (reply JsonObject {script_id, killed: [run]}); RESTART kills them, waits for
 * their ends and starts one (reply Run); END_ALL (before a delete) drops its queue and waits until
 * its active runs ended (reply null). {@code createdBy} names the caller, for the run RESTART starts.
 */
public record ScriptRunsCommand(String scriptRef, Action action, String createdBy) {
  public enum Action {
    KILL, RESTART, END_ALL
  }

  /** A command by scriptd itself or nobody known. */
  public ScriptRunsCommand(String scriptRef, Action action) {
    this(scriptRef, action, null);
  }
}
