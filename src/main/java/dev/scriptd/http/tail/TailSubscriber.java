package dev.scriptd.http.tail;

import io.vertx.core.json.JsonObject;

/** One client following one run: where it is, and what it is waiting for. */
final class TailSubscriber {
  final String runId;
  final TailSink sink;
  /** Null when the run had ended before the client came: everything is read from storage. */
  final RunFeed feed;
  /** The final run object for a run that ended before subscription. */
  final JsonObject endedBeforeSubscription;
  final StreamOwner owner;
  /** Seq of the last line sent to the client. */
  long cursor;
  /** True once storage had nothing more than what was sent when last asked. */
  boolean historyDone;
  /** True once storage was read to its end after the run had ended. */
  boolean storedComplete;
  boolean fetching;
  boolean finished;
  long lastWriteMillis;
  /** When the client's write queue filled up, or 0 while it keeps up. */
  long stalledSinceMillis;

  TailSubscriber(String runId, TailSink sink, RunFeed feed, JsonObject endedBeforeSubscription, long since,
      long now, StreamOwner owner) {
    this.owner = owner;
    this.runId = runId;
    this.sink = sink;
    this.feed = feed;
    this.endedBeforeSubscription = endedBeforeSubscription;
    this.cursor = since;
    this.lastWriteMillis = now;
  }

  JsonObject endedRun() {
    return feed != null ? feed.endedRun : endedBeforeSubscription;
  }
}
