package dev.scriptd.http.tail;

import dev.scriptd.domain.LineRing;
import dev.scriptd.domain.LogLine;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.function.Supplier;
import java.util.List;
import java.util.Set;

/**
 * The live lines of one run as seen by one HTTP verticle instance: one bus consumer and one ring
 * shared by all of that instance's subscribers, each reading from its own position.
 */
final class RunFeed {
  final String runId;
  final LineRing ring;
  final Set<TailSubscriber> subscribers = new LinkedHashSet<>();
  MessageConsumer<?> consumer;
  /** The pending coalesced write to all subscribers, or -1. */
  long pumpTimer = -1;
  /** The final run object once the run has ended; null while it runs. */
  JsonObject endedRun;

  /** The batches handed out last, so subscribers level with each other share one rendering. */
  private final LineBatch[] recentBatches = new LineBatch[4];
  private int nextBatchSlot;
  private final Map<Long, Future<StoredPage>> readsInFlight = new HashMap<>();

  RunFeed(String runId, int ringLines) {
    this.runId = runId;
    this.ring = new LineRing(ringLines);
  }

  /**
   * Storage reads in flight, by the seq they read after: subscribers that fall behind the ring
   * together (they were level) share one read and one rendering instead of one each.
   */
  Future<StoredPage> sharedRead(long after, Supplier<Future<StoredPage>> read) {
    Future<StoredPage> inFlight = readsInFlight.get(after);
    if (inFlight == null) {
      inFlight = read.get();
      readsInFlight.put(after, inFlight);
      inFlight.onComplete(done -> readsInFlight.remove(after));
    }
    return inFlight;
  }

  /** Up to {@code max} ring lines after {@code seq}, or null when the ring has none. */
  LineBatch batchAfter(long seq, int max) {
    long last = Math.min(ring.lastSeq(), seq + max);
    if (last <= seq) {
      return null;
    }
    for (LineBatch batch : recentBatches) {
      if (batch != null && batch.firstSeq() == seq + 1 && batch.lastSeq() == last) {
        return batch;
      }
    }
    List<LogLine> lines = ring.after(seq, max);
    if (lines.isEmpty()) {
      return null;
    }
    LineBatch batch = new LineBatch(lines);
    recentBatches[nextBatchSlot] = batch;
    nextBatchSlot = (nextBatchSlot + 1) % recentBatches.length;
    return batch;
  }
}
