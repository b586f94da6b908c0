package dev.scriptd.process;

import dev.scriptd.domain.LogLine;
import java.util.ArrayList;
import java.util.List;

/**
 * Consecutive lines of one run on their way from the NuProcess thread to the verticle, with what
 * the reader already knows of them: {@code readBytes}, the raw output they came from;
 * {@code textBytes}, the sum of their UTF-8 lengths plus one newline each (what the output limit
 * counts); {@code mayHaveProgress}, whether any of them has the length of a {@code ::progress}
 * line. The reader computes these while the lines are in its cache, so the event loop does not
 * have to walk every line again.
 */
record OutputBatch(List<LogLine> lines, long readBytes, long textBytes, boolean mayHaveProgress) {

  /** The batches, in order, as one. */
  static OutputBatch merge(List<OutputBatch> batches) {
    if (batches.size() == 1) {
      return batches.get(0);
    }
    int count = 0;
    for (OutputBatch batch : batches) {
      count += batch.lines().size();
    }
    List<LogLine> lines = new ArrayList<>(count);
    long readBytes = 0;
    long textBytes = 0;
    boolean mayHaveProgress = false;
    for (OutputBatch batch : batches) {
      lines.addAll(batch.lines());
      readBytes += batch.readBytes();
      textBytes += batch.textBytes();
      mayHaveProgress |= batch.mayHaveProgress();
    }
    return new OutputBatch(lines, readBytes, textBytes, mayHaveProgress);
  }
}
