package dev.scriptd.bus;

import java.util.List;

/** Every script, by name, each with its latest run. */
public record ScriptList(List<ScriptEntry> items) {
  public ScriptList {
    items = List.copyOf(items);
  }
}
