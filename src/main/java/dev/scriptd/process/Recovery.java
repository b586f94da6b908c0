package dev.scriptd.process;

import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.RunUsage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start: every run a previous server left pending or running becomes {@code lost}, after every
 * process it left (its cgroup, or its process group and the processes carrying its marker) got
 * TERM and, after the grace, KILL; its cgroup is removed, and what the cgroup measured is kept as
 * the run's usage. Run cgroups left under this server's group by runs that are not open any more
 * are ended and removed too. In a cluster, when another node leaves it, that node's pending and
 * running runs become {@code lost} too ({@link #nodeLeft}), but for the waiting ones the run
 * owner moves to this node (queued, waiting for a slot, held); their processes, if any still run
 * there, are that node's to end. A node starting next to live ones leaves their runs alone: a run
 * whose node is still a member is not a leftover, whenever it was created.
 */
final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
  private static final long POLL_MS = 50;

  private final Vertx vertx;
  private final Context context;
  private final RunBus bus;
  private final long graceMs;
  private final RunContainment containment;
  private final RunLog log;
  /** Whether a node id is a live member of the cluster now (never, on a single node). */
  private final Predicate<String> liveNode;

  Recovery(Vertx vertx, Context context, RunBus bus, long graceMs, RunContainment containment, RunLog log,
      Predicate<String> liveNode) {
    this.vertx = vertx;
    this.context = context;
    this.bus = bus;
    this.graceMs = graceMs;
    this.containment = containment;
    this.log = log;
    this.liveNode = liveNode;
  }

  Future<Void> recoverUnfinished() {
    // A run created after this JVM started belongs to another run owner instance in this JVM,
    // not to a previous server: leave it alone. The JVM's own start time, in ms: the process start
    // time the OS gives (ProcessHandle) counts from a boot time in whole seconds, up to a second
    // early, and a run of a server killed less than that before this start would stay open forever.
    Instant jvmStart = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
    return bus.unfinished().compose(page -> {
      List<Future<Run>> recovered = new ArrayList<>();
      Set<String> others = new HashSet<>();
      for (Run run : page.items()) {
        if (run.node() != null && liveNode.test(run.node())) {
          // in a cluster: a run of a node that is still a member is that node's, not a leftover
          others.add(run.id());
        } else if (run.createdAt().isBefore(jvmStart)) {
          recovered.add(recover(run));
        } else {
          others.add(run.id());
        }
      }
      return Future.join(recovered).transform(ar -> sweep(others, jvmStart));
    });
  }

  /**
   * Marks the pending and running runs of the cluster node {@code node}, which left the cluster,
   * lost (but those in {@code moved}, which this node took over), each saved and published like
   * this node's own ends, and counted; the number marked.
   */
  Future<Integer> nodeLeft(String node, Set<String> moved) {
    return bus.ofNode(node).compose(page -> {
      List<Future<Run>> marked = new ArrayList<>();
      for (Run run : page.items()) {
        if (!run.status().isFinal() && !moved.contains(run.id())) {
          marked.add(bus.saveAndPublish(run.ended(RunStatus.LOST, run.exitCode(), null, nodeLeftError(node),
              Instant.now())).onSuccess(log::recovered));
        }
      }
      return Future.join(marked).transform(done -> {
        long failed = marked.stream().filter(Future::failed).count();
        if (failed > 0) {
          LOG.warn("could not mark {} of the {} runs of node {} lost", failed, marked.size(), node);
        }
        return Future.succeededFuture(marked.size() - (int) failed);
      });
    });
  }

  static String nodeLeftError(String node) {
    return "node " + node + " left the cluster while this run was active";
  }

  private Future<Run> recover(Run run) {
    RunCgroup cgroup = containment.cgroupOf(run.id());
    return context.executeBlocking(() -> cgroup != null && cgroup.exists(), false)
        .compose(inCgroup -> {
          RunCgroup own = inCgroup ? cgroup : null;
          return terminate(processesOf(run.pid() == null ? 0 : run.pid(), run.pidStart(), run.id(), own))
              .compose(v -> own == null ? Future.<RunUsage>succeededFuture() : release(own));
        })
        .recover(e -> {
          LOG.warn("could not stop the leftovers of run {}", run.id(), e);
          return Future.succeededFuture();
        })
        .compose(usage -> bus.saveAndPublish(run.ended(RunStatus.LOST, run.exitCode(), null,
            RunsVerticle.LOST_ERROR, Instant.now()).withUsage(usage)))
        .onSuccess(log::recovered);
  }

  /**
   * Ends and removes the run cgroups a previous server left under this server's group: made before
   * this JVM started (as for runs, a newer one is another run owner's of this JVM) and not of a run
   * open elsewhere.
   */
  private Future<Void> sweep(Set<String> others, Instant jvmStart) {
    return context.executeBlocking(containment::leftovers, false).compose(left -> {
      List<Future<RunUsage>> removed = new ArrayList<>();
      for (RunCgroup cgroup : left) {
        if (!others.contains(RunCgroup.runId(cgroup.dir())) && cgroup.madeBefore(jvmStart)) {
          LOG.info("ending and removing the leftover cgroup {}", cgroup.dir());
          removed.add(terminate(RunProcesses.of(cgroup, 0, null)).compose(v -> release(cgroup)));
        }
      }
      return Future.join(removed).mapEmpty();
    });
  }

  private Future<RunUsage> release(RunCgroup cgroup) {
    return context.executeBlocking(() -> {
      RunUsage usage = cgroup.usage(null);
      if (!cgroup.release(Math.max(1000, graceMs))) {
        LOG.warn("could not remove the cgroup {}: {} still in it", cgroup.dir(), cgroup.pids());
      }
      return usage;
    }, false);
  }

  /**
   * What a previous server's run may have left: its cgroup's processes, or its process group (when
   * the leader is ours or gone) and the processes that kept the run's marker.
   */
  private static RunProcesses processesOf(int pgid, Long pidStart, String runId, RunCgroup cgroup) {
    RunProcesses all = cgroup != null ? RunProcesses.of(cgroup, pgid, pidStart) : RunProcesses.of(pgid, pidStart, runId);
    return new RunProcesses() {
      @Override
      public boolean signal(int sig) {
        return all.signal(sig);
      }

      @Override
      public boolean anyAlive() {
        if (cgroup != null) {
          return all.anyAlive();
        }
        return (pgid > 1 && ProcessGroups.mayBeAlive(pgid, pidStart)) || !ProcessGroups.marked(runId).isEmpty();
      }

      @Override
      public String toString() {
        return all.toString();
      }
    };
  }

  /** TERM to the processes if any is alive; KILL if one outlives the grace. */
  private Future<Void> terminate(RunProcesses processes) {
    return context.executeBlocking(() -> processes.anyAlive() && processes.signal(ProcessGroups.SIGTERM), false)
        .compose(signalled -> {
          if (!signalled) {
            return Future.succeededFuture();
          }
          LOG.info("sent TERM to the leftover processes of {}", processes);
          return goneWithin(processes, System.currentTimeMillis() + graceMs)
              .compose(gone -> gone ? Future.<Void>succeededFuture() : context.executeBlocking(
                  () -> processes.signal(ProcessGroups.SIGKILL), false).mapEmpty());
        });
  }

  private Future<Boolean> goneWithin(RunProcesses processes, long deadline) {
    return context.executeBlocking(() -> !processes.anyAlive(), false)
        .compose(gone -> {
          if (gone || System.currentTimeMillis() >= deadline) {
            return Future.succeededFuture(gone);
          }
          Promise<Void> later = Promise.promise();
          vertx.setTimer(POLL_MS, t -> later.complete());
          return later.future().compose(v -> goneWithin(processes, deadline));
        });
  }
}
