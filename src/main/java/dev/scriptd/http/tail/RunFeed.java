package dev.scriptd.http.tail;

import dev.scriptd.domain.LineRing;
import dev.scriptd.domain.LogLine;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.LinkedHashMap;
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
  /** The cluster node that runs the run, whose persistence has all its lines (null on a single node). */
  final String node;
  final LineRing ring;
  final Set<TailSubscriber> subscribers = new LinkedHashSet<>();
  MessageConsumer<?> consumer;
  /** The pending coalesced write to all subscribers, or -1. */
  long pumpTimer = -1;
  /** The final run object once the run has ended; null while it runs. */
  JsonObject endedRun;

  /**
   * Recently rendered batches by their first seq. Batches end on a fixed grid (multiples of the
   * batch size) or at the ring's end, so subscribers catching up from different places still meet
   * on the same batches and share their rendering, and level subscribers share every batch.
   */
  private final Map<Long, LineBatch> recentBatches = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, LineBatch> eldest) {
      return size() > MAX_RECENT_BATCHES;
    }
  };
  private static final int MAX_RECENT_BATCHES = 32;
  private final Map<Long, Future<StoredPage>> readsInFlight = new HashMap<>();

  RunFeed(String runId, int ringLines, String node) {
    this.runId = runId;
    this.node = node;
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

  /**
   * The ring's lines after {@code seq} up to the next multiple of {@code max} (or the ring's end),
   * or null when the ring has none.
   */
  LineBatch batchAfter(long seq, int max) {
    long gridEnd = (seq / max + 1) * max;
    long last = Math.min(ring.lastSeq(), gridEnd);
    if (last <= seq) {
      return null;
    }
    LineBatch cached = recentBatches.get(seq + 1);
    if (cached != null && cached.lastSeq() == last) {
      return cached;
    }
    List<LogLine> lines = ring.after(seq, (int) (last - seq));
    if (lines.isEmpty()) {
      return null;
    }
    LineBatch batch = new LineBatch(lines);
    recentBatches.put(batch.firstSeq(), batch);
    return batch;
  }
}
