package dev.scriptd.process;

import dev.scriptd.domain.Run;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run owner's side of the fence (clustered): a node that was declared dead (killed, or silent
 * past {@code cluster.failure_timeout_ms}, e.g. stopped by SIGSTOP and resumed) finds that the
 * cluster marked some of its runs {@code lost} and acted on them (retries, chains, notifications).
 * Storage refuses every later save of such a run but {@code lost}; this class makes the node stop
 * running it. Rules:
 * <ul>
 *   <li>a run is found lost by a refused save ({@link #refused}), or by the periodic check: while the
 *   node has live runs, every {@link #interval} one query asks which of them are stored lost;</li>
 *   <li>a run found lost is abandoned once: its processes get TERM, then KILL after the grace, and it
 *   leaves the live runs without any save or status event (storage would refuse it anyway; the
 *   cluster already published its {@code lost});</li>
 *   <li>its lines read before the kill are still appended: they are what the process printed, and
 *   the stored run stays {@code lost} with them;</li>
 *   <li>once abandoned, whoever waits for its end (a start with {@code wait}, its script's
 *   concurrency) is given the stored {@code lost} run; no retry, chain or notification follows
 *   here (the node that marked it lost did those);</li>
 *   <li>one check at a time; a failed check is logged and the next one tries again.</li>
 * </ul>
 * Confined to the run owner's context.
 */
final class RunFence {
  private static final Logger LOG = LoggerFactory.getLogger(RunFence.class);

  /** What the fence needs of the shell executor (the runs with processes). */
  interface LiveRuns {
    /** Ids of the runs live here now. */
    Collection<String> ids();

    /** Kills the run's processes and forgets it without saving; completes once it is gone (at once if not live). */
    Future<Void> abandon(String runId);
  }

  private final Vertx vertx;
  private final RunBus bus;
  private final LiveRuns runs;
  private final Consumer<Run> forgotten;
  private final long intervalMs;
  /** Runs being abandoned: a second finding of one does nothing. */
  private final Set<String> abandoning = new HashSet<>();
  private long timerId = -1;
  private boolean checking;

  /**
   * {@code intervalMs}: how often live runs are checked, 0 for never (a single node, where no other
   * node marks runs lost); {@code forgotten} is told each abandoned run as stored ({@code lost}).
   */
  RunFence(Vertx vertx, RunBus bus, LiveRuns runs, Consumer<Run> forgotten, long intervalMs) {
    this.vertx = vertx;
    this.bus = bus;
    this.runs = runs;
    this.forgotten = forgotten;
    this.intervalMs = intervalMs;
  }

  /**
   * How often a clustered node checks its live runs: half the failure timeout, at most every
   * second, so a resumed node's process dies within a few seconds even if it never saves.
   */
  static long interval(long failureTimeoutMs) {
    return Math.max(100, Math.min(1000, failureTimeoutMs / 2));
  }

  void start() {
    if (intervalMs > 0 && timerId == -1) {
      timerId = vertx.setPeriodic(intervalMs, id -> check());
    }
  }

  void stop() {
    if (timerId != -1) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  /** A save of this run was refused: it is stored lost. */
  void refused(Run run) {
    abandon(run.id());
  }

  /** Runs being abandoned now (for tests). */
  int abandoning() {
    return abandoning.size();
  }

  /** One query of which live runs are stored lost, unless one is still out or none is live. */
  Future<List<String>> check() {
    Collection<String> ids = runs.ids();
    if (checking || ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    checking = true;
    return bus.lostAmong(new JsonArray(List.copyOf(ids)))
        .map(lost -> {
          List<String> found = lost.stream().filter(String.class::isInstance).map(String.class::cast).toList();
          found.forEach(this::abandon);
          return found;
        })
        .onFailure(e -> LOG.warn("could not check whether this node's live runs were declared lost: {}",
            e.getMessage()))
        .eventually(() -> {
          checking = false;
          return Future.succeededFuture();
        });
  }

  private void abandon(String runId) {
    if (!abandoning.add(runId)) {
      return;
    }
    LOG.warn("run {} is stored lost (the cluster declared this node dead meanwhile): ending its processes and"
        + " leaving it lost", runId);
    runs.abandon(runId)
        .compose(v -> bus.get(runId))
        .onSuccess(forgotten::accept)
        .onFailure(e -> LOG.warn("run {} was abandoned, but its stored copy could not be read: {}", runId,
            e.getMessage()))
        .onComplete(ar -> abandoning.remove(runId));
  }
}
