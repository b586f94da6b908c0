package dev.scriptd.bus;

import java.util.List;

/** One page of scripts by name, each with its latest run; {@code nextCursor} is null on the last page. */
public record ScriptList(List<ScriptEntry> items, String nextCursor) {
  public ScriptList {
    items = List.copyOf(items);
  }
}
