package dev.scriptd.process;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the processes of one run (its cgroup, or its process group: {@link RunProcesses}): SIGTERM to
 * them, SIGKILL after the grace ({@link #terminate}), and, once the run's shell exited, waits until
 * no live process of the run is left ({@link #drain}), so a run's final status is saved only after
 * everything it started is gone. Confined to the verticle's context; signals and /proc reads run on
 * a worker.
 */
final class GroupStop {
  private static final Logger LOG = LoggerFactory.getLogger(GroupStop.class);
  /** Most processes die within a millisecond of SIGTERM; look again soon, then less often. */
  private static final long FIRST_CHECK_MS = 1;
  private static final long MAX_CHECK_MS = 50;

  private final Vertx vertx;
  private final Context context;
  private final long graceMs;
  private final RunProcesses processes;
  private boolean termSent;
  private boolean killSent;
  private long killedAt;
  private long killTimer = -1;
  private long checkTimer = -1;
  private Promise<Void> drained;

  /** The process group {@code pgid} alone; {@code leaderStart}: so a reused pid is never signalled. */
  GroupStop(Vertx vertx, Context context, long graceMs, int pgid, Long leaderStart) {
    this(vertx, context, graceMs, new RunProcesses() {
      @Override
      public boolean signal(int sig) {
        return ProcessGroups.signalGroup(pgid, leaderStart, sig);
      }

      @Override
      public boolean anyAlive() {
        return ProcessGroups.hasLiveMembers(pgid);
      }

      @Override
      public String toString() {
        return "process group " + pgid;
      }
    });
  }

  GroupStop(Vertx vertx, Context context, long graceMs, RunProcesses processes) {
    this.vertx = vertx;
    this.context = context;
    this.graceMs = Math.max(1, graceMs);
    this.processes = processes;
  }

  boolean termSent() {
    return termSent;
  }

  /** SIGTERM to the group now, SIGKILL after the grace unless it was drained by then. Once. */
  void terminate() {
    if (termSent) {
      return;
    }
    termSent = true;
    signal(ProcessGroups.SIGTERM).onComplete(ar -> {
      if (!isDrained()) {
        killTimer = vertx.setTimer(graceMs, t -> {
          killTimer = -1;
          kill();
        });
      }
    });
  }

  /**
   * For after the shell exited and was reaped: completes once no live process of the run is left,
   * terminating the ones still there. {@code othersAlive} is what the caller already knows (false:
   * no process of the run is left; null: unknown). After SIGKILL it waits at most one more grace (a process in
   * uninterruptible sleep cannot die sooner), then completes anyway.
   */
  Future<Void> drain(Boolean othersAlive) {
    if (drained == null) {
      drained = Promise.promise();
      if (Boolean.FALSE.equals(othersAlive)) {
        drained();
      } else {
        check(FIRST_CHECK_MS);
      }
    }
    return drained.future();
  }

  /** Cancels the timers (the run ended). */
  void cancel() {
    if (killTimer >= 0) {
      vertx.cancelTimer(killTimer);
      killTimer = -1;
    }
    if (checkTimer >= 0) {
      vertx.cancelTimer(checkTimer);
      checkTimer = -1;
    }
  }

  private boolean isDrained() {
    return drained != null && drained.future().isComplete();
  }

  private void kill() {
    if (isDrained() || killSent) {
      return;
    }
    killSent = true;
    killedAt = System.nanoTime();
    signal(ProcessGroups.SIGKILL);
  }

  private void check(long nextCheckMs) {
    context.executeBlocking(processes::anyAlive, false).onComplete(ar -> {
      if (isDrained()) {
        return;
      }
      if (ar.succeeded() && !ar.result()) {
        drained();
        return;
      }
      terminate();
      if (killSent && System.nanoTime() - killedAt > graceMs * 1_000_000L) {
        LOG.warn("{} still has live processes a grace after SIGKILL; the run ends anyway", processes);
        drained();
        return;
      }
      checkTimer = vertx.setTimer(nextCheckMs, t -> {
        checkTimer = -1;
        check(Math.min(nextCheckMs * 2, MAX_CHECK_MS));
      });
    });
  }

  private void drained() {
    cancel();
    drained.tryComplete();
  }

  private Future<Boolean> signal(int sig) {
    return context.executeBlocking(() -> processes.signal(sig), false);
  }
}
