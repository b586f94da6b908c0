package dev.scriptd.bus;

import dev.scriptd.domain.LogLine;
import java.util.List;

/** Matching lines, newest run first and by seq within a run; {@code nextCursor} is null on the last page. */
public record SearchPage(List<Hit> items, String nextCursor) {
  public SearchPage {
    items = List.copyOf(items);
  }

  /** One stored line (as stored, escapes included) and the run it belongs to. */
  public record Hit(String runId, String scriptId, LogLine line) {
  }
}
