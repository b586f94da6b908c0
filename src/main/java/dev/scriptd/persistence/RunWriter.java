package dev.scriptd.persistence;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.Run;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes run rows by group commit: the saves of many runs share one transaction, so a run start
 * costs a fraction of a commit instead of one. A group is whatever waited while the previous
 * transaction was committing (plus up to {@code flushIntervalMs} after its first save), at most
 * {@code batchRows} runs. Rules:
 * <ul>
 *   <li>a save's future completes only after the transaction holding its version (or a later one of
 *   the same run) has committed, so an answered save survives a crash;</li>
 *   <li>one transaction at a time, and a run has at most one row waiting, so a run's versions are
 *   stored in the order they were saved; two saves of a run in one group: the last wins;</li>
 *   <li>the log lines buffered for the group's runs are committed before the group (a final status
 *   is never stored before its lines);</li>
 *   <li>a failed transaction stores none of its rows and fails each of its saves with the same
 *   error; the next group is tried as usual;</li>
 *   <li>at most {@code maxQueued} saves wait; more fail at once with 503 instead of piling up;</li>
 *   <li>while the disk is full a save fails at once (507), but for a final status: that one waits
 *   (as does a final save whose transaction failed for want of space) and is written once the disk
 *   has room again, so a run never stays {@code running} after it ended;</li>
 *   <li>a final save of a run some of whose lines could not be kept says so in its {@code error};</li>
 *   <li>a final save whose transaction failed because the database did not answer (see
 *   {@link Database#isTransient}) waits too and is tried again, after 0.5 s, then twice as long each
 *   time up to 10 s (or sooner, with the next group of saves), until it is written. So a run that
 *   ends during an outage of PostgreSQL is stored ended once it is back;</li>
 *   <li>a run stored {@code lost} stays so: a save of another status is not written, and fails with
 *   {@link ReplyCodes#GONE} (the fence of a node that was declared dead and came back).</li>
 * </ul>
 * Used from the persistence verticle's context only.
 */
final class RunWriter {
  private static final Logger LOG = LoggerFactory.getLogger(RunWriter.class);
  private final Vertx vertx;
  private final Context context;
  private final Database db;
  private final LogBatcher batcher;
  private final ScriptStore scripts;
  private final LogFiles files;
  private final RunView view;
  private final int batchRows;
  private final long flushIntervalMs;
  private final int maxQueued;
  private final String upsert;

  /** Runs waiting for the next transaction, in the order of their first save; one entry a run. */
  private Map<String, Entry> waiting = new LinkedHashMap<>();
  private int waitingSaves;
  private long oldestWaitingAt;
  private List<Entry> inFlight = List.of();
  private boolean writing;
  private boolean scheduled;
  private long timerId = -1;

  /** While the database does not answer: when the timer tries the kept ends again (0: no outage), and its wait. */
  private long retryAt;
  private long retryDelayMs;
  private long retryTimer = -1;

  private long transactions;
  private long rowsWritten;

  /** The newest version of one run in a group, and the saves that wait for it. */
  private static final class Entry {
    Run run;
    /** The {@code queued} mark to set (RunRows.IN_SCRIPT_QUEUE, AWAITING_SLOT), 0 for none. */
    int queued;
    boolean held;
    int saves;
    /** The row was not written: the run is stored lost (see RunRows.NOT_FENCED). */
    boolean fenced;
    final Promise<Void> done = Promise.promise();

    Entry(Run run) {
      this.run = run;
    }
  }

  RunWriter(Vertx vertx, Database db, LogBatcher batcher, ScriptStore scripts, LogFiles files, RunView view,
      ScriptdConfig.RunWrites settings) {
    this.view = view;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.db = db;
    this.batcher = batcher;
    this.scripts = scripts;
    this.files = files;
    this.batchRows = settings.batchRows();
    this.flushIntervalMs = settings.flushIntervalMs();
    this.maxQueued = settings.maxQueued();
    this.upsert = RunRows.upsert(db.dialect());
    db.onRoomAgain(() -> {
      if (!writing) {
        startGroup();
      }
    });
  }

  /** Stores the run (insert or update); completes with it once committed (with its stored pin). */
  Future<Run> save(Run run) {
    return enqueue(run, 0, false);
  }

  /** Like {@link #save}, and marks the run as waiting in its script's queue. */
  Future<Run> queue(Run run) {
    return enqueue(run, RunRows.IN_SCRIPT_QUEUE, false);
  }

  /** Like {@link #save}, and marks the run as waiting for a free slot. */
  Future<Run> awaitSlot(Run run) {
    return enqueue(run, RunRows.AWAITING_SLOT, false);
  }

  /** Like {@link #save}, and marks the run as held by the run owner for a later start (a retry, a chain link). */
  Future<Run> hold(Run run) {
    return enqueue(run, 0, true);
  }

  /** Completes once every save made before this call has been committed or has failed. */
  Future<Void> settled() {
    List<Future<Void>> open = new ArrayList<>(inFlight.size() + waiting.size());
    for (Entry entry : inFlight) {
      open.add(entry.done.future());
    }
    for (Entry entry : waiting.values()) {
      open.add(entry.done.future());
    }
    if (open.isEmpty()) {
      return Future.succeededFuture();
    }
    if (!writing) {
      startGroup();
    }
    return Future.join(open).transform(ignored -> Future.succeededFuture());
  }

  /** Committed transactions of run rows so far. */
  long transactions() {
    return transactions;
  }

  /** Run rows written by those transactions (a run saved twice in one group counts once). */
  long rowsWritten() {
    return rowsWritten;
  }

  /** Saves waiting for a transaction (not counting the one being committed). */
  int waitingSaves() {
    return waitingSaves;
  }

  private Future<Run> enqueue(Run given, int queued, boolean held) {
    Run run = given;
    if (db.diskFull() && !run.status().isFinal()) {
      return Future.failedFuture(db.diskFullRefusal());
    }
    if (run.status().isFinal()) {
      long lost = batcher.takeDropped(run.id());
      if (lost > 0) {
        run = run.withErrorAdded(lost + " log lines could not be stored (the disk was full and more lines waited"
            + " than persistence.max_buffered_lines): the stored lines have a gap");
      }
    }
    if (waitingSaves >= maxQueued) {
      return Future.failedFuture(new BusFailure(ReplyCodes.UNAVAILABLE, "the database is behind: "
          + waitingSaves + " run saves are waiting (persistence.run_max_queued); try again shortly"));
    }
    if (waiting.isEmpty()) {
      oldestWaitingAt = System.currentTimeMillis();
    }
    Entry entry = waiting.get(run.id());
    if (entry == null) {
      entry = new Entry(run);
      waiting.put(run.id(), entry);
    } else {
      entry.run = run;
    }
    // a run handed over from its script's queue to the wait for a slot is marked by the later
    entry.queued = Math.max(entry.queued, queued);
    entry.held |= held;
    entry.saves++;
    waitingSaves++;
    if (!writing) {
      schedule();
    }
    // the view was updated before done completes: the answer carries the pin it holds
    Run saved = run;
    return entry.done.future().map(v -> view.withStoredPin(saved));
  }

  /**
   * Starts a group now if it is full or due; otherwise at its due time. With no interval the group
   * starts on the next turn of the event loop, so saves that arrive together share it.
   */
  private void schedule() {
    long due = oldestWaitingAt + flushIntervalMs;
    long now = System.currentTimeMillis();
    if (waiting.size() >= batchRows || (flushIntervalMs > 0 && now >= due)) {
      startGroup();
    } else if (flushIntervalMs == 0) {
      if (scheduled) {
        return;
      }
      scheduled = true;
      context.runOnContext(v -> {
        scheduled = false;
        if (!writing) {
          startGroup();
        }
      });
    } else if (timerId == -1) {
      timerId = vertx.setTimer(Math.max(1, due - now), id -> {
        timerId = -1;
        if (!writing) {
          startGroup();
        }
      });
    }
  }

  private void startGroup() {
    if (waiting.isEmpty()) {
      return;
    }
    if (db.diskFull()) {
      refuseAllButEnds(db.diskFullRefusal());
      return; // the ends wait for room (onRoomAgain)
    }
    if (timerId != -1) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
    List<Entry> group = new ArrayList<>(Math.min(batchRows, waiting.size()));
    Iterator<Entry> it = waiting.values().iterator();
    while (it.hasNext() && group.size() < batchRows) {
      Entry entry = it.next();
      it.remove();
      group.add(entry);
      waitingSaves -= entry.saves;
    }
    if (!waiting.isEmpty()) {
      oldestWaitingAt = System.currentTimeMillis();
    }
    writing = true;
    inFlight = group;
    Future<Void> written;
    try {
      written = write(group);
    } catch (RuntimeException e) {
      written = Future.failedFuture(e);
    }
    written.onComplete(result -> {
      writing = false;
      inFlight = List.of();
      if (result.succeeded()) {
        if (retryAt > 0) {
          LOG.info("the database answers again: the run ends that waited for it are stored");
          retryAt = 0;
          retryDelayMs = 0;
        }
        transactions++;
        rowsWritten += group.size();
        afterCommit(group);
      } else if (DiskSpace.isDiskFull(result.cause())) {
        keepEnds(group, result.cause());
      } else if (db.isTransient(result.cause()) && hasEnd(group)) {
        keepEnds(group, result.cause());
        retryLater(result.cause());
        return;
      } else {
        for (Entry entry : group) {
          entry.done.fail(result.cause());
        }
      }
      if (flushIntervalMs == 0) {
        // what arrived during this transaction has waited long enough: the classic group commit
        startGroup();
      } else if (!waiting.isEmpty()) {
        schedule();
      }
    });
  }

  private static boolean hasEnd(List<Entry> group) {
    for (Entry entry : group) {
      if (entry.run.status().isFinal()) {
        return true;
      }
    }
    return false;
  }

  /** The database did not answer: the kept ends are tried again after a growing wait. */
  private void retryLater(Throwable cause) {
    if (retryAt == 0) {
      LOG.warn("the database does not answer ({}): {} run end(s) wait and are stored once it does",
          cause.getMessage(), waiting.size());
    }
    retryDelayMs = retryDelayMs == 0 ? 500 : Math.min(retryDelayMs * 2, 10_000);
    retryAt = System.currentTimeMillis() + retryDelayMs;
    if (retryTimer != -1) {
      vertx.cancelTimer(retryTimer);
    }
    retryTimer = vertx.setTimer(retryDelayMs, id -> {
      retryTimer = -1;
      if (!writing) {
        startGroup();
      }
    });
  }

  /** While the disk is full: every waiting save fails (507) but the final ones, which wait for room. */
  private void refuseAllButEnds(Throwable refusal) {
    Iterator<Entry> it = waiting.values().iterator();
    while (it.hasNext()) {
      Entry entry = it.next();
      if (!entry.run.status().isFinal()) {
        it.remove();
        waitingSaves -= entry.saves;
        entry.done.fail(refusal);
      }
    }
  }

  /**
   * A group failed for want of space: its final saves wait again (ahead of, or merged into, a later
   * save of the same run), the others fail.
   */
  private void keepEnds(List<Entry> group, Throwable cause) {
    Map<String, Entry> next = new LinkedHashMap<>();
    for (Entry entry : group) {
      if (!entry.run.status().isFinal()) {
        entry.done.fail(cause);
        continue;
      }
      Entry later = waiting.get(entry.run.id());
      if (later != null) {
        // the later save holds the newer version: the earlier waiters wait for it
        later.queued = Math.max(later.queued, entry.queued);
        later.done.future().onComplete(entry.done);
      } else {
        next.put(entry.run.id(), entry);
      }
    }
    next.putAll(waiting);
    int saves = 0;
    for (Entry entry : next.values()) {
      saves += entry.saves;
    }
    waiting = next;
    waitingSaves = saves;
    oldestWaitingAt = System.currentTimeMillis();
  }

  /**
   * Lines first (their own transaction, as the batcher writes them), then every row at once. A row
   * the fence refused (see {@link RunRows#NOT_FENCED}) is marked on its entry.
   */
  private Future<Void> write(List<Entry> group) {
    List<String> ids = new ArrayList<>(group.size());
    List<Tuple> rows = new ArrayList<>(group.size());
    List<Tuple> queued = new ArrayList<>();
    List<Tuple> held = new ArrayList<>();
    // in id order, as the log batcher updates runs rows: on PostgreSQL, where transactions run
    // side by side, both then lock the rows they share in one order and never deadlock
    List<Entry> ordered = new ArrayList<>(group);
    ordered.sort(java.util.Comparator.comparing(entry -> entry.run.id()));
    for (Entry entry : ordered) {
      ids.add(entry.run.id());
      rows.add(RunRows.upsertParams(entry.run));
      if (entry.queued != 0) {
        queued.add(Tuple.of(entry.queued, entry.run.id()));
      }
      if (entry.held) {
        held.add(Tuple.of(entry.run.id()));
      }
    }
    List<Database.Batch> batches = new ArrayList<>(3);
    batches.add(new Database.Batch(upsert, rows));
    if (!queued.isEmpty()) {
      batches.add(new Database.Batch(RunRows.MARK_QUEUED, queued));
    }
    if (!held.isEmpty()) {
      batches.add(new Database.Batch(RunRows.MARK_HELD, held));
    }
    return batcher.flushRuns(ids).compose(v -> db.writeCounted(vertx, batches)).map(counts -> {
      for (int i = 0; i < ordered.size() && i < counts.length; i++) {
        ordered.get(i).fenced = counts[i] == 0;
      }
      return null;
    });
  }

  /**
   * The run view learns the whole group before any save of it is answered (reads never lag an
   * acknowledgement); a new run's log file is placed (it needs its script's name) before its save is
   * answered.
   */
  private void afterCommit(List<Entry> group) {
    for (Entry entry : group) {
      if (!entry.fenced) {
        view.saved(entry.run);
      }
    }
    for (Entry entry : group) {
      Run run = entry.run;
      if (entry.fenced) {
        entry.done.fail(new BusFailure(ReplyCodes.GONE, "run " + run.id() + " is stored lost (its node was"
            + " declared dead): this " + run.status().wire() + " save of it was not stored"));
      } else if (run.status().isFinal()) {
        files.closed(run.id());
        entry.done.complete();
      } else {
        scripts.openLogFile(run).onComplete(entry.done);
      }
    }
  }
}
