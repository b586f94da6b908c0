package dev.scriptd.http.tail;

import dev.scriptd.domain.LineRing;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
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

  RunFeed(String runId, int ringLines) {
    this.runId = runId;
    this.ring = new LineRing(ringLines);
  }
}
