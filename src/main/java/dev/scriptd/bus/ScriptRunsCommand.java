package dev.scriptd.bus;

/**
 * RUNS_SCRIPT_RUNS: what the run owner does to every run of a script. KILL ends its active runs
 * and its queued ones (reply JsonObject {script_id, killed: [run]}); RESTART kills them, waits for
 * their ends and starts one (reply Run); END_ALL (before a delete) drops its queue and waits until
 * its active runs ended (reply null).
 */
public record ScriptRunsCommand(String scriptRef, Action action) {
  public enum Action {
    KILL, RESTART, END_ALL
  }
}
