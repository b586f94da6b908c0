package dev.scriptd.process;

import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start: every run a previous server left pending or running becomes {@code lost}, after its
 * process group (if it may still be alive) got TERM and, after the grace, KILL.
 */
final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
  private static final long POLL_MS = 50;

  private final Vertx vertx;
  private final Context context;
  private final RunBus bus;
  private final long graceMs;
  private final RunLog log;

  Recovery(Vertx vertx, Context context, RunBus bus, long graceMs, RunLog log) {
    this.vertx = vertx;
    this.context = context;
    this.bus = bus;
    this.graceMs = graceMs;
    this.log = log;
  }

  Future<Void> recoverUnfinished() {
    // A run created after this JVM started belongs to another supervisor instance in this JVM,
    // not to a previous server: leave it alone. The JVM's own start time, in ms: the process start
    // time the OS gives (ProcessHandle) counts from a boot time in whole seconds, up to a second
    // early, and a run of a server killed less than that before this start would stay open forever.
    Instant jvmStart = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
    return bus.unfinished().compose(page -> {
      List<Future<Run>> recovered = new ArrayList<>();
      for (Run run : page.items()) {
        if (run.createdAt().isBefore(jvmStart)) {
          recovered.add(recover(run));
        }
      }
      return Future.join(recovered).mapEmpty();
    });
  }

  private Future<Run> recover(Run run) {
    Future<Void> stopped = run.pid() == null ? Future.succeededFuture()
        : terminate(run.pid(), run.pidStart());
    return stopped
        .recover(e -> {
          LOG.warn("could not stop the leftovers of run {}", run.id(), e);
          return Future.succeededFuture();
        })
        .compose(v -> bus.saveAndPublish(run.ended(RunStatus.LOST, run.exitCode(), null,
            ProcessSupervisorVerticle.LOST_ERROR, Instant.now())))
        .onSuccess(log::recovered);
  }

  /** TERM to the group if it may still be ours and alive; KILL if it outlives the grace. */
  private Future<Void> terminate(int pgid, Long pidStart) {
    return context.executeBlocking(() -> ProcessGroups.mayBeAlive(pgid, pidStart)
        && ProcessGroups.signalGroup(pgid, pidStart, ProcessGroups.SIGTERM), false)
        .compose(signalled -> {
          if (!signalled) {
            return Future.succeededFuture();
          }
          LOG.info("sent TERM to the leftover process group {}", pgid);
          return goneWithin(pgid, pidStart, System.currentTimeMillis() + graceMs)
              .compose(gone -> gone ? Future.<Void>succeededFuture() : context.executeBlocking(
                  () -> ProcessGroups.signalGroup(pgid, pidStart, ProcessGroups.SIGKILL), false)
                  .mapEmpty());
        });
  }

  private Future<Boolean> goneWithin(int pgid, Long pidStart, long deadline) {
    return context.executeBlocking(() -> !ProcessGroups.mayBeAlive(pgid, pidStart), false)
        .compose(gone -> {
          if (gone || System.currentTimeMillis() >= deadline) {
            return Future.succeededFuture(gone);
          }
          Promise<Void> later = Promise.promise();
          vertx.setTimer(POLL_MS, t -> later.complete());
          return later.future().compose(v -> goneWithin(pgid, pidStart, deadline));
        });
  }
}
