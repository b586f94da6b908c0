package dev.scriptd.cluster;

import com.hazelcast.cluster.Cluster;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.Namespace;
import dev.scriptd.config.ClusterConfig;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.Times;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node in the cluster: who it is ({@link NodeIdentity}), which nodes are members, and each
 * one's running runs. Membership comes from the cluster manager; each node answers for itself on
 * its own clustered address ({@link Addresses#CLUSTER_NODE_PREFIX} + id) with JSON. On a single
 * node (a Vertx that is not clustered) it is the only node.
 *
 * <p>A member that does not answer within {@link #QUERY_TIMEOUT_MS} is still listed (it is a
 * member), with {@code running_runs} null and what it said last time (only its id if it never
 * answered). A member with no such address runs no scriptd of this namespace (a host's own
 * node) and is left out.
 *
 * <p>When a member leaves (it died, or stopped answering within {@code cluster.failure_timeout_ms}),
 * the oldest remaining member tells its run owner ({@link Addresses#RUNS_NODE_LEFT}) to take over
 * the runs that member left waiting and mark its other pending and running runs lost. One node
 * does it, so each run ends or moves once.
 */
public final class ClusterVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterVerticle.class);
  static final long QUERY_TIMEOUT_MS = 1000;
  /**
   * The member attribute in which Vert.x's Hazelcast cluster manager keeps a member's Vert.x node
   * id (its own constant is private); the Hazelcast member UUID is another id.
   */
  static final String VERTX_NODE_ID = "__vertx.nodeId";

  private final IntSupplier runningRuns;
  private final Instant startedAt;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  /** What each member said last, for the members that stop answering; only current members are kept. */
  private final Map<String, NodeIdentity> lastSeen = new HashMap<>();
  private NodeIdentity self;
  private ClusterManager manager;
  private Namespace ns;
  /** The Hazelcast listeners' registrations, removed at stop. */
  private final List<Runnable> removeListeners = new ArrayList<>();
  /** Whether this node stood still lately (clustered with Hazelcast only; else null). */
  private PauseWatch pauses;
  private long tickTimer = -1;
  /** How often the pause watch ticks. */
  static final long TICK_MS = 200;

  /** {@code runningRuns}: this node's running runs, read from the run owner by the composition root. */
  public ClusterVerticle(IntSupplier runningRuns, Instant startedAt) {
    this.runningRuns = runningRuns;
    this.startedAt = startedAt;
  }

  @Override
  public Future<?> start() {
    ns = Namespace.from(config());
    manager = vertx.isClustered() ? ((VertxInternal) vertx).clusterManager() : null;
    String id = manager != null ? manager.getNodeId() : UUID.randomUUID().toString();
    self = NodeIdentity.of(id, ScriptdConfig.fromJson(config()), ClusterConfig.fromJson(config()), startedAt);
    List<Future<Void>> registered = new ArrayList<>();
    registered.add(local(Addresses.CLUSTER_NODES, message -> nodes().onComplete(done -> {
      if (done.succeeded()) {
        message.reply(done.result());
      } else {
        message.fail(503, String.valueOf(done.cause().getMessage()));
      }
    })));
    registered.add(local(Addresses.CLUSTER_STATUS, message -> message.reply(status())));
    if (manager != null) {
      // clustered on purpose: the other nodes ask this one; the body is JSON, which crosses nodes
      MessageConsumer<JsonObject> own = vertx.eventBus().consumer(nodeAddress(id),
          message -> {
            JsonObject mine = self.toJson(runningRuns.getAsInt(), false);
            mine.remove("self"); // whether it is "self" depends on who asks
            message.reply(mine);
          });
      consumers.add(own);
      registered.add(own.completion());
      ClusterConfig cluster = ClusterConfig.fromJson(config());
      if (cluster.enabled() && manager instanceof HazelcastClusterManager hazelcast) {
        watchPauses(hazelcast, cluster);
        watchLeavers(hazelcast, id);
      }
    }
    return Future.all(registered);
  }

  /**
   * Vert.x itself holds the cluster manager's one node listener, so this listens on Hazelcast's
   * membership, which takes many. The event names the members after the change, oldest first.
   */
  private void watchLeavers(HazelcastClusterManager hazelcast, String selfId) {
    Context context = vertx.getOrCreateContext();
    MembershipListener listener = new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        // nothing to do: a new member starts its own runs
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String left = event.getMember().getAttribute(VERTX_NODE_ID);
        boolean oldest = !event.getMembers().isEmpty()
            && selfId.equals(event.getMembers().iterator().next().getAttribute(VERTX_NODE_ID));
        if (left != null && oldest) {
          long wait = pauses.waitMs(System.currentTimeMillis());
          context.runOnContext(v -> left(left, selfId, wait));
        }
      }
    };
    Cluster cluster = hazelcast.getHazelcastInstance().getCluster();
    UUID registration = cluster.addMembershipListener(listener);
    removeListeners.add(() -> cluster.removeMembershipListener(registration));
  }

  /**
   * Member {@code left} left while this node is the oldest. Right after this node itself stood
   * still, the others are more likely alive and this node the one they dropped: then it decides
   * only once settled (merged back, or the settle time passed), and marks the runs lost only if
   * {@code left} is still not a member and this node still the oldest.
   */
  private void left(String left, String selfId, long waitMs) {
    if (waitMs <= 0) {
      markLost(left);
      return;
    }
    LOG.warn("node {} left the cluster right after this node stood still for {} ms: the others may have dropped"
        + " this node instead; deciding in {} ms", left, pauses.lastPauseMs(), waitMs);
    vertx.setTimer(waitMs, t -> {
      List<String> members = manager.getNodes();
      if (members.contains(left)) {
        LOG.info("node {} is a member again: this node was the one cut off, the runs of {} stay as they are", left,
            left);
      } else if (!members.isEmpty() && selfId.equals(members.get(0))) {
        left(left, selfId, pauses.waitMs(System.currentTimeMillis()));
      }
    });
  }

  /**
   * A tick every {@link #TICK_MS}: a tick late by nearly the failure timeout means this node stood
   * still (see {@link PauseWatch}); /health says DOWN until it is merged back or settled.
   * Hazelcast merges a node that was cut off back into the cluster (see HazelcastSettings).
   */
  private void watchPauses(HazelcastClusterManager hazelcast, ClusterConfig cluster) {
    long settleMs = 2 * cluster.failureTimeoutMs()
        + 2 * TimeUnit.SECONDS.toMillis(HazelcastSettings.mergeDelaySeconds(cluster));
    // the others may drop this node once it has been silent for the failure timeout less the 1 s
    // between heartbeats (the last one may have left up to a second before it stood still)
    long pauseMs = Math.max(cluster.failureTimeoutMs() / 2, cluster.failureTimeoutMs() - 1000);
    pauses = new PauseWatch(pauseMs, settleMs, System.currentTimeMillis());
    tickTimer = vertx.setPeriodic(TICK_MS, t -> {
      long paused = pauses.tick(System.currentTimeMillis());
      if (paused > 0) {
        LOG.warn("this node stood still for {} ms (cluster.failure_timeout_ms is {}): the others may have declared it"
            + " dead; /health says DOWN until it is merged back into the cluster", paused, cluster.failureTimeoutMs());
      }
    });
    com.hazelcast.core.LifecycleService lifecycle = hazelcast.getHazelcastInstance().getLifecycleService();
    UUID registration = lifecycle.addLifecycleListener(event -> {
      if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
        pauses.merged();
        LOG.info("this node was merged back into the cluster");
      }
    });
    removeListeners.add(() -> lifecycle.removeLifecycleListener(registration));
  }

  private void markLost(String left) {
    LOG.info("node {} left the cluster; taking over its waiting runs, marking its other pending and running runs lost",
        left);
    vertx.eventBus().<JsonObject>request(ns.of(Addresses.RUNS_NODE_LEFT), left, new DeliveryOptions()
        .setSendTimeout(TimeUnit.MINUTES.toMillis(10)))
        .onSuccess(reply -> LOG.info("took over {} waiting runs of node {} and marked {} lost",
            reply.body().getInteger("moved"), left, reply.body().getInteger("lost")))
        .onFailure(e -> LOG.warn("could not mark the runs of node {} lost", left, e));
  }

  private Future<Void> local(String address, Handler<Message<JsonObject>> handler) {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(ns.of(address), handler);
    consumers.add(consumer);
    return consumer.completion();
  }

  private String nodeAddress(String id) {
    return ns.of(Addresses.CLUSTER_NODE_PREFIX) + id;
  }

  /** {@code {"nodes": [...]}}: every member in the cluster manager's order (oldest first), this node marked self. */
  private Future<JsonObject> nodes() {
    if (manager == null) {
      return Future.succeededFuture(new JsonObject().put("nodes",
          new JsonArray().add(self.toJson(runningRuns.getAsInt(), true))));
    }
    List<String> members = manager.getNodes();
    lastSeen.keySet().retainAll(members);
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (String id : members) {
      answers.add(id.equals(self.id()) ? Future.succeededFuture(self.toJson(runningRuns.getAsInt(), true)) : ask(id));
    }
    return Future.join(answers).transform(all -> {
      JsonArray nodes = new JsonArray();
      for (Future<JsonObject> answer : answers) {
        if (answer.result() != null) {
          nodes.add(answer.result());
        }
      }
      return Future.succeededFuture(new JsonObject().put("nodes", nodes));
    });
  }

  /** The member's own answer; when it does not answer in time, what it said last without running_runs; null when it runs no scriptd here. */
  private Future<JsonObject> ask(String id) {
    DeliveryOptions quick = new DeliveryOptions().setSendTimeout(QUERY_TIMEOUT_MS);
    return vertx.eventBus().<JsonObject>request(nodeAddress(id), new JsonObject(), quick).transform(answered -> {
      if (answered.succeeded()) {
        try {
          JsonObject body = answered.result().body();
          NodeIdentity node = new NodeIdentity(id, body.getString("address"),
              Times.parse(body.getString("started_at")), body.getString("version"));
          lastSeen.put(id, node);
          return Future.succeededFuture(node.toJson(body.getInteger("running_runs"), false));
        } catch (RuntimeException unreadable) {
          // another version's answer this one cannot read: listed as a member that did not say
          LOG.warn("node {} answered what this node cannot read: {}", id, unreadable.toString());
        }
      } else if (answered.cause() instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return Future.succeededFuture(null);
      }
      NodeIdentity known = lastSeen.get(id);
      return Future.succeededFuture(known != null ? known.toJson(null, false)
          : new JsonObject().put("id", id).put("address", null).put("started_at", null).put("running_runs", null)
              .put("version", null).put("self", false));
    });
  }

  /** The /health check: single node, or the members this node sees (DOWN when it has lost the cluster). */
  private JsonObject status() {
    JsonObject check = new JsonObject().put("enabled", manager != null).put("node_id", self.id());
    if (manager == null) {
      return check.put("status", "UP");
    }
    if (!manager.isActive()) {
      return check.put("status", "DOWN").put("error", "this node is no longer a member of the cluster");
    }
    if (pauses != null && pauses.unsettled(System.currentTimeMillis())) {
      return check.put("status", "DOWN").put("error", "this node stood still for " + pauses.lastPauseMs()
          + " ms, nearly cluster.failure_timeout_ms or more: the other nodes may have declared it dead; it waits to be"
          + " merged back into the cluster").put("members", new JsonArray(new ArrayList<>(manager.getNodes())));
    }
    return check.put("status", "UP").put("members", new JsonArray(new ArrayList<>(manager.getNodes())));
  }

  @Override
  public Future<?> stop() {
    if (tickTimer != -1) {
      vertx.cancelTimer(tickTimer);
    }
    for (Runnable removeListener : removeListeners) {
      try {
        removeListener.run();
      } catch (RuntimeException gone) {
        // Hazelcast already stopped (a terminated instance): its listeners went with it
        LOG.debug("could not remove a Hazelcast listener: {}", gone.toString());
      }
    }
    List<Future<Void>> unregistered = new ArrayList<>();
    consumers.forEach(consumer -> unregistered.add(consumer.unregister()));
    return Future.join(unregistered);
  }
}
