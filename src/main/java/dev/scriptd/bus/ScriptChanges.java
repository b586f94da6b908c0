package dev.scriptd.bus;

import dev.scriptd.domain.Script;
import java.util.List;

/**
 * Script definitions written in one transaction (an apply): {@code creates} are new rows;
 * {@code updates} replace the stored script of the same id, which must still be at
 * {@code version - 1}; {@code deletes} go with their runs and logs, as stored at their
 * {@code version}, and must have no pending or running run.
 */
public record ScriptChanges(List<Script> creates, List<Script> updates, List<Script> deletes) {
  public ScriptChanges {
    creates = List.copyOf(creates);
    updates = List.copyOf(updates);
    deletes = List.copyOf(deletes);
  }

  public boolean isEmpty() {
    return creates.isEmpty() && updates.isEmpty() && deletes.isEmpty();
  }
}
