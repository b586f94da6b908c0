package dev.scriptd.bus;

import dev.scriptd.domain.LogLine;
import java.util.List;

/** Lines in seq order; {@code nextSince} is the last seq returned (or the query's afterSeq). */
public record LogPage(List<LogLine> lines, long nextSince) {
  public LogPage {
    lines = List.copyOf(lines);
  }
}
