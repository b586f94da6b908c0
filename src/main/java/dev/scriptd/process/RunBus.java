package dev.scriptd.process;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.RunPage;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.Run;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The run owner's conversations with persistence and with listeners, over the event bus: the one
 * path by which a run's status is saved and then published. Every final status passes here, so the
 * owner learns each end once, from {@link #onEnd} (not from its own status events).
 */
final class RunBus {
  private static final DeliveryOptions SAVE = new DeliveryOptions();
  private static final DeliveryOptions FINAL_SAVE = new DeliveryOptions().setSendTimeout(TimeUnit.MINUTES.toMillis(10));

  private final EventBus eventBus;
  private final Namespace ns;
  /** This node's id in a cluster, stamped on every run it saves without one; null on a single node. */
  private final String node;
  private Consumer<Run> endListener = run -> { };
  private Consumer<Run> refusedListener = run -> { };

  /** A single node's: its runs name no node. */
  RunBus(EventBus eventBus, Namespace ns) {
    this(eventBus, ns, null);
  }

  RunBus(EventBus eventBus, Namespace ns, String node) {
    this.eventBus = eventBus;
    this.ns = ns;
    this.node = node;
  }

  /** The run as this node saves it: a run that names no node is this node's (when clustered). */
  private Run ours(Run run) {
    return node != null && run.node() == null ? run.withNode(node) : run;
  }

  /**
   * Called on the owner's context once the save of a final status completed (saved or not: its
   * waiters must not wait forever), after the callbacks of the saver.
   */
  void onEnd(Consumer<Run> listener) {
    this.endListener = listener;
  }

  /**
   * Called on the owner's context when storage refused a save because the run is stored
   * {@code lost} (another node declared this one dead: see RunFence).
   */
  void onRefused(Consumer<Run> listener) {
    this.refusedListener = listener;
  }

  Future<Run> save(Run given) {
    Run run = ours(given);
    // storage keeps a final status while the disk is full and writes it once there is room: the
    // run owner waits for that (and then publishes it) rather than give up after the usual 30 s
    return eventBus.<Run>request(ns.of(Addresses.DB_SAVE_RUN), run, run.status().isFinal() ? FINAL_SAVE : SAVE)
        .map(Message::body)
        .onFailure(e -> {
          if (isRefused(e)) {
            refusedListener.accept(run);
          }
        });
  }

  /** Whether a save failed because the run is stored lost. */
  static boolean isRefused(Throwable e) {
    return BusFailure.is(e, ReplyCodes.GONE);
  }

  /** JsonArray of run ids -> those stored lost. */
  Future<JsonArray> lostAmong(JsonArray runIds) {
    return eventBus.<JsonArray>request(ns.of(Addresses.DB_LOST_RUNS), runIds).map(Message::body);
  }

  /** Saves, then (only once the save is acknowledged) publishes the status change. */
  Future<Run> saveAndPublish(Run given) {
    Run run = ours(given);
    // the stored copy carries what only storage knows of the run (its pin)
    Future<Run> saved = save(run).map(stored -> {
      Run published = stored == null ? run : stored;
      eventBus.publish(ns.of(Addresses.RUNS_STATUS), published.toJson());
      return published;
    });
    if (run.status().isFinal()) {
      Context context = Vertx.currentContext();
      saved.onComplete(ar -> {
        if (ar.failed() && isRefused(ar.cause())) {
          return; // the cluster ended it lost and followed up on it; the fence tells the waiters
        }
        if (context == null) {
          endListener.accept(run);
        } else {
          context.runOnContext(v -> endListener.accept(run));
        }
      });
    }
    return saved;
  }

  /** A script's queued run: saved pending with its queued flag (recovery leaves it), then published. */
  Future<Run> queueAndPublish(Run given) {
    Run pending = ours(given);
    return eventBus.<Run>request(ns.of(Addresses.DB_QUEUE_RUN), pending).map(stored -> {
      eventBus.publish(ns.of(Addresses.RUNS_STATUS), pending.toJson());
      return pending;
    });
  }

  /** A run held for a later start (a retry, a chain link): saved pending with its held flag, then published. */
  Future<Run> holdAndPublish(Run given) {
    Run pending = ours(given);
    return eventBus.<Run>request(ns.of(Addresses.DB_HOLD_RUN), pending).map(stored -> {
      eventBus.publish(ns.of(Addresses.RUNS_STATUS), pending.toJson());
      return pending;
    });
  }

  /** Every pending run waiting in a script's queue, oldest first. */
  Future<RunPage> queued() {
    return eventBus.<RunPage>request(ns.of(Addresses.DB_QUEUED_RUNS), null).map(Message::body);
  }

  /** Every held pending run a previous server left, oldest first. */
  Future<RunPage> held() {
    return eventBus.<RunPage>request(ns.of(Addresses.DB_HELD_RUNS), null).map(Message::body);
  }

  /** A pending run that has to wait for a free slot: marked so (recovery leaves it pending), not published. */
  Future<Run> awaitSlot(Run pending) {
    return eventBus.<Run>request(ns.of(Addresses.DB_AWAIT_SLOT), ours(pending)).map(Message::body);
  }

  /** The pending runs a previous server left waiting for a free slot, oldest first. */
  Future<RunPage> slotWaiting() {
    return eventBus.<RunPage>request(ns.of(Addresses.DB_SLOT_WAITING_RUNS), null).map(Message::body);
  }

  Future<Run> get(String runId) {
    return eventBus.<Run>request(ns.of(Addresses.DB_GET_RUN), runId).map(Message::body)
        .recover(e -> Future.failedFuture(isNotFound(e)
            ? new BusFailure(ReplyCodes.NOT_FOUND, "run " + runId + " not found") : e));
  }

  /** The pending and running runs of the cluster node {@code id}. */
  Future<RunPage> ofNode(String id) {
    return eventBus.<RunPage>request(ns.of(Addresses.DB_NODE_LIVE_RUNS), id).map(Message::body);
  }

  Future<RunPage> unfinished() {
    return eventBus.<RunPage>request(ns.of(Addresses.DB_UNFINISHED_RUNS), null).map(Message::body);
  }

  /**
   * Storage first, live viewers second. A viewer subscribes to the run's log address, then reads
   * storage (DB_READ_LOGS includes everything appended before the query). Because every chunk was
   * sent to storage before it was published, each line reaches the viewer through the read, the
   * subscription, or both (deduplicated by seq): the hand-over has no gap. The other order could
   * publish a chunk before the viewer subscribed and store it after the viewer's read.
   */
  void appendAndPublish(LogChunk chunk) {
    eventBus.send(ns.of(Addresses.DB_APPEND_LOGS), chunk);
    eventBus.publish(ns.runLog(chunk.runId()), chunk);
  }

  private static boolean isNotFound(Throwable e) {
    return BusFailure.is(e, ReplyCodes.NOT_FOUND);
  }
}
