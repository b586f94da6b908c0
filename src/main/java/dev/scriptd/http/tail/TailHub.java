package dev.scriptd.http.tail;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.LogPage;
import dev.scriptd.bus.LogQuery;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.LineRing;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.Run;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live tails for one HTTP verticle instance (all on its event loop, so no locking).
 *
 * <p>Gap-free hand-over: a subscriber's feed registers its bus consumer first, then reads storage.
 * The run owner sends each chunk to persistence before publishing it, and persistence answers a
 * read only after writing everything it received before; so a line is either in storage when read,
 * or delivered to the consumer afterwards, or both (duplicates are dropped by seq).
 *
 * <p>Across nodes (clustered: {@code nodeId} is not null): the status consumer and each feed's
 * consumer are clustered, so they hear every node's runs, and a live run's stored lines are read
 * through the persistence of the node that runs it ({@code Addresses.onNode(DB_READ_LOGS, node)}),
 * which is the one that has received everything its run owner appended (the shared database may
 * lag by its log writer's batch). The argument above then has one weak step: a clustered publisher
 * picks its receivers from its own copy of the registrations, which learns of our new consumer
 * some moments after the registration completed, so a chunk published in between reaches neither
 * our read (if it was appended after the read was answered) nor our consumer. No line is lost for
 * all that: the ring-coverage check in {@link #pump} fetches from storage whenever the next chunk
 * delivered does not continue the subscriber's cursor, and when the run ends, its final status
 * (whose {@code log_lines} counts every line) makes it read storage up to that count before
 * {@code done}. Both reads are asked after the missed chunk was handed to that node's persistence
 * (its run owner hands each chunk to its own persistence before publishing it, and publishes the
 * later chunk, or saves the final status, after that), so they include it; a line missed this way
 * only comes late, at the run's next chunk or at its end. When the node that runs the run does not
 * answer (it left), the shared database is read instead: what that node committed is all there is,
 * and a final status is committed only after the lines before it.
 *
 * <p>Fairness: every subscriber reads from its own cursor in the shared ring; a client whose write
 * queue is full is simply not written to (nothing piles up for it), it catches up from storage once
 * it drains, and a client stalled longer than {@code tail.stall_timeout_ms} gets {@code gap}.
 */
public final class TailHub {
  private static final Logger LOG = LoggerFactory.getLogger(TailHub.class);
  private static final int WRITE_BATCH = 500;
  private static final int FETCH_LIMIT = 2000;
  private static final long HOUSEKEEPING_MS = 1000;

  private final Vertx vertx;
  private final Namespace ns;
  /** This node's id in a cluster, null on a single node (then every consumer is local). */
  private final String nodeId;
  private final EventBus eventBus;
  private final ScriptdConfig.Tail config;
  private final Map<String, RunFeed> feeds = new HashMap<>();
  private final Set<TailSubscriber> subscribers = new LinkedHashSet<>();
  private final RunEventStreams runEvents;
  /**
   * Hashes of tokens revoked lately (bounded): a stream whose open was in flight when its token
   * was revoked (the run lookup, the upgrade) is ended as it attaches.
   */
  private final Map<String, Boolean> revokedRecently = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > 1024;
    }
  };
  private MessageConsumer<JsonObject> statusConsumer;
  private Context context;
  private long housekeepingTimer = -1;

  /** A single node's tails. */
  public TailHub(Vertx vertx, Namespace ns, ScriptdConfig.Tail config) {
    this(vertx, ns, config, null);
  }

  /** {@code nodeId}: this node's id in a cluster, whose every node's runs it then follows; null on a single node. */
  public TailHub(Vertx vertx, Namespace ns, ScriptdConfig.Tail config, String nodeId) {
    this.nodeId = nodeId;
    this.ns = ns;
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.config = config;
    this.runEvents = new RunEventStreams(config, revokedRecently::containsKey);
  }

  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    statusConsumer = listen(ns.of(Addresses.RUNS_STATUS), this::onStatus);
    housekeepingTimer = vertx.setPeriodic(HOUSEKEEPING_MS, t -> housekeeping());
    return statusConsumer.completion();
  }

  /** Closes every stream; safe to call from any thread (it runs on the hub's own event loop). */
  public Future<Void> stop() {
    if (context == null) {
      return Future.succeededFuture();
    }
    if (Vertx.currentContext() != context) {
      Promise<Void> stopped = Promise.promise();
      context.runOnContext(v -> stopHere().onComplete(stopped));
      return stopped.future();
    }
    return stopHere();
  }

  private Future<Void> stopHere() {
    vertx.cancelTimer(housekeepingTimer);
    new ArrayList<>(subscribers).forEach(subscriber -> {
      subscriber.sink.close();
      finish(subscriber);
    });
    runEvents.closeAll();
    return statusConsumer == null ? Future.succeededFuture() : statusConsumer.unregister();
  }

  /** This node's id in a cluster; null on a single node. */
  public String nodeId() {
    return nodeId;
  }

  /** Whether this node is in a cluster, so that its tails (and the routes beside them) hear every node. */
  public boolean everyNode() {
    return nodeId != null;
  }

  public RunEventStreams runEvents() {
    return runEvents;
  }

  /** Live subscribers on this instance (for metrics and tests). */
  public int subscriberCount() {
    return subscribers.size();
  }

  /**
   * Streams a run's lines as server-sent events on this response, from {@code since}. Each follow
   * method calls {@code owner}'s close action once the stream ends, or at once when it fails to open.
   */
  public Future<Void> followSse(String runId, long since, HttpServerRequest request, StreamOwner owner) {
    return follow(runId, since, owner,
        run -> Future.succeededFuture(new SseSink(vertx, request, config.writeQueueBytes())));
  }

  /**
   * Streams a run's lines from the start in the legacy form of {@code /api/logs/{id}}: one unnamed
   * event per line, then {@code event: done} with {@code {}}. Fails 404 (before anything is
   * written) when the run does not exist.
   */
  public Future<Void> followLegacySse(String runId, HttpServerRequest request, StreamOwner owner) {
    return follow(runId, 0, owner,
        run -> Future.succeededFuture(new LegacySseSink(vertx, request, config.writeQueueBytes())));
  }

  /** Upgrades the request to a WebSocket and streams a run's lines on it, from {@code since}. */
  public Future<Void> followWebSocket(String runId, long since, HttpServerRequest request, StreamOwner owner) {
    return follow(runId, since, owner, run -> WebSocketUpgrade.accept(request)
        .map(socket -> new WebSocketSink(vertx, socket, config.writeQueueBytes())));
  }

  /**
   * A token was revoked or a single sign-on session ended (the body of TOKENS_REVOKED: its hash;
   * or a session's expiry): every stream it opened here ends now, tails and {@code /api/events} alike.
   */
  public void revoked(String tokenHash) {
    revokedRecently.put(tokenHash, Boolean.TRUE);
    for (TailSubscriber subscriber : new ArrayList<>(subscribers)) {
      if (subscriber.owner.openedWith(tokenHash)) {
        subscriber.sink.revoked();
        finish(subscriber);
      }
    }
    runEvents.revoked(tokenHash);
  }

  /**
   * Follows a run from {@code since}. Fails (before anything is written) when the run does not
   * exist; {@code openSink} is called only once the run is known.
   */
  private Future<Void> follow(String runId, long since, StreamOwner owner,
      Function<Run, Future<TailSink>> openSink) {
    return eventBus.<Run>request(ns.of(Addresses.DB_GET_RUN), runId).map(Message::body).<Void>compose(run -> {
      if (run.status().isFinal()) {
        return openSink.apply(run).map(sink -> {
          attach(new TailSubscriber(runId, sink, null, run.toJson(), since, now(), owner));
          return null;
        });
      }
      return openSink.apply(run).compose(sink -> feed(runId, run.node()).compose(feed ->
          // the run may have ended before our consumer existed: ask again now that it does
          eventBus.<Run>request(ns.of(Addresses.DB_GET_RUN), runId).map(Message::body).map(current -> {
            LOG.debug("tail of run {} attached from seq {}", runId, since);
            if (current.status().isFinal() && feed.endedRun == null) {
              feed.endedRun = current.toJson();
            }
            attach(new TailSubscriber(runId, sink, feed, null, since, now(), owner));
            return null;
          })));
    }).onFailure(e -> owner.closed());
  }

  /** {@code node}: the cluster node that runs the run (null on a single node). */
  private Future<RunFeed> feed(String runId, String node) {
    RunFeed existing = feeds.get(runId);
    if (existing != null) {
      return existing.consumer.completion().map(existing);
    }
    RunFeed feed = new RunFeed(runId, config.ringLines(), node);
    feeds.put(runId, feed);
    MessageConsumer<LogChunk> consumer = listen(ns.runLog(runId), message -> onChunk(feed, message.body()));
    feed.consumer = consumer;
    return consumer.completion().map(feed);
  }

  /** A consumer of this node's messages only, or clustered (every node's) when this node is in a cluster. */
  private <T> MessageConsumer<T> listen(String address, Handler<Message<T>> handler) {
    return nodeId == null ? eventBus.localConsumer(address, handler) : eventBus.consumer(address, handler);
  }

  private void attach(TailSubscriber subscriber) {
    subscribers.add(subscriber);
    if (subscriber.feed != null) {
      subscriber.feed.subscribers.add(subscriber);
    }
    subscriber.sink.closeHandler(() -> finish(subscriber));
    if (subscriber.sink.gone()) {
      // the client left during the run lookup: its close handler will never fire
      finish(subscriber);
      return;
    }
    if (subscriber.owner.revokedBy(revokedRecently::containsKey)) {
      subscriber.sink.revoked();
      finish(subscriber);
      return;
    }
    pump(subscriber);
  }

  /**
   * Lines go into the shared ring at once; subscribers are written to at most once per
   * {@code tail.coalesce_ms}, so a child writing one line at a time does not turn into one socket
   * write per line per client.
   */
  private void onChunk(RunFeed feed, LogChunk chunk) {
    feed.ring.addAll(chunk.lines());
    schedulePump(feed);
  }

  private void schedulePump(RunFeed feed) {
    long coalesceMs = config.coalesceMsFor(feed.subscribers.size());
    if (coalesceMs <= 0) {
      pumpAll(feed);
    } else if (feed.pumpTimer < 0) {
      feed.pumpTimer = vertx.setTimer(coalesceMs, t -> {
        feed.pumpTimer = -1;
        pumpAll(feed);
      });
    }
  }

  private void pumpAll(RunFeed feed) {
    for (TailSubscriber subscriber : new ArrayList<>(feed.subscribers)) {
      pump(subscriber);
    }
  }

  private void onStatus(Message<JsonObject> message) {
    JsonObject run = message.body();
    runEvents.publish(run);
    RunFeed feed = feeds.get(run.getString("id"));
    if (feed == null) {
      return;
    }
    boolean ended = !"pending".equals(run.getString("status")) && !"running".equals(run.getString("status"));
    if (ended) {
      feed.endedRun = run;
    }
    for (TailSubscriber subscriber : new ArrayList<>(feed.subscribers)) {
      if (!subscriber.finished) {
        if (!ended) {
          subscriber.sink.status(run);
          subscriber.lastWriteMillis = now();
        }
        pump(subscriber);
      }
    }
  }

  /** Sends what the subscriber can take now: from the ring when it covers its cursor, else from storage. */
  private void pump(TailSubscriber s) {
    while (!s.finished && !s.fetching) {
      if (s.sink.writeQueueFull()) {
        awaitDrain(s);
        return;
      }
      LineRing ring = s.feed == null ? null : s.feed.ring;
      if (s.historyDone && ring != null && ring.covers(s.cursor)) {
        LineBatch batch = s.feed.batchAfter(s.cursor, WRITE_BATCH);
        if (batch != null) {
          send(s, batch);
          continue;
        }
      }
      JsonObject ended = s.endedRun();
      boolean behindRing = ring != null && !ring.isEmpty() && !ring.covers(s.cursor);
      boolean moreStored = ended != null && !s.storedComplete && s.cursor < ended.getLong("log_lines", 0L);
      if (!s.historyDone || behindRing || moreStored) {
        fetch(s);
        return;
      }
      if (ended != null) {
        if (s.feed != null) {
          s.sink.status(ended); // the final status change, after the last line
        }
        s.sink.done(ended);
        finish(s);
      }
      return;
    }
  }

  private void fetch(TailSubscriber s) {
    s.fetching = true;
    long after = s.cursor;
    // a run that had ended is all in the database; a live one is read where it runs
    Future<StoredPage> read = s.feed == null ? readStored(s.runId, null, after, s.endedRun() != null)
        : s.feed.sharedRead(after, () -> readStored(s.runId, s.feed.node, after, s.feed.endedRun != null));
    read.onComplete(result -> {
      s.fetching = false;
      if (s.finished) {
        return;
      }
      if (result.failed()) {
        // the run was deleted, or storage is gone: nothing more can be sent
        s.sink.close();
        finish(s);
        return;
      }
      StoredPage page = result.result();
      if (page.batch() != null) {
        send(s, page.batch());
      }
      if (page.lineCount() < FETCH_LIMIT) {
        s.historyDone = true;
        s.storedComplete = page.endKnownAtStart();
      }
      pump(s);
    });
  }

  /**
   * Stored lines after {@code after}. {@code endKnown} is whether the run's end was known before
   * the read began: only then does a short page mean that storage holds every line.
   */
  private Future<StoredPage> readStored(String runId, String node, long after, boolean endKnown) {
    LogQuery query = new LogQuery(runId, after, FETCH_LIMIT);
    Future<LogPage> stored;
    if (node == null || node.equals(nodeId)) {
      stored = eventBus.<LogPage>request(ns.of(Addresses.DB_READ_LOGS), query).map(Message::body);
    } else {
      // through the persistence of the node that runs it; when it does not answer (it left, or its
      // consumer is gone), what it committed to the shared database is all there is
      stored = eventBus.<JsonObject>request(Addresses.onNode(ns.of(Addresses.DB_READ_LOGS), node), query.toJson())
          .map(reply -> LogPage.fromJson(reply.body()))
          .recover(unanswered -> eventBus.<LogPage>request(ns.of(Addresses.DB_READ_LOGS), query).map(Message::body));
    }
    return stored
        .map(page -> {
          List<LogLine> lines = page.lines();
          List<LogLine> fresh = new ArrayList<>(lines.size());
          for (LogLine line : lines) {
            if (line.seq() > after) {
              fresh.add(line);
            }
          }
          return new StoredPage(fresh.isEmpty() ? null : new LineBatch(fresh), lines.size(), endKnown);
        });
  }

  private void send(TailSubscriber s, LineBatch batch) {
    s.sink.lines(batch);
    s.cursor = batch.lastSeq();
    s.lastWriteMillis = now();
  }

  private void awaitDrain(TailSubscriber s) {
    if (s.stalledSinceMillis == 0) {
      s.stalledSinceMillis = now();
    }
    s.sink.drainHandler(() -> {
      s.stalledSinceMillis = 0;
      if (s.feed != null && s.historyDone) {
        // rejoin the others at the feed's next coalesced write: level subscribers share batches
        schedulePump(s.feed);
      } else {
        pump(s);
      }
    });
  }

  private void finish(TailSubscriber s) {
    if (s.finished) {
      return;
    }
    s.finished = true;
    subscribers.remove(s);
    s.owner.closed();
    RunFeed feed = s.feed;
    if (feed != null) {
      feed.subscribers.remove(s);
      if (feed.subscribers.isEmpty() && feeds.get(feed.runId) == feed) {
        feeds.remove(feed.runId);
        if (feed.pumpTimer >= 0) {
          vertx.cancelTimer(feed.pumpTimer);
        }
        feed.consumer.unregister();
      }
    }
  }

  /** Keep-alives for idle streams, and the end of clients stalled for too long. */
  private void housekeeping() {
    long now = now();
    for (TailSubscriber s : new ArrayList<>(subscribers)) {
      if (s.stalledSinceMillis > 0 && now - s.stalledSinceMillis >= config.stallTimeoutMs()) {
        s.sink.gap(s.cursor);
        finish(s);
      } else if (s.stalledSinceMillis == 0 && now - s.lastWriteMillis >= keepAliveAfter()) {
        s.sink.keepAlive();
        s.lastWriteMillis = now;
      }
    }
    runEvents.keepAlive(now, keepAliveAfter());
  }

  /** Idle time after which a keep-alive goes out; the timer's period keeps the spec's 15 s bound. */
  private long keepAliveAfter() {
    return Math.max(100, config.keepAliveMs() - HOUSEKEEPING_MS);
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
