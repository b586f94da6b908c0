package dev.scriptd.persistence;

import dev.scriptd.auth.TokenRecords;
import dev.scriptd.auth.TokenUse;
import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.BusReplies;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.Codecs;
import dev.scriptd.bus.LogPage;
import dev.scriptd.bus.LogQuery;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.InstanceLifecycle;
import dev.scriptd.bus.RunPage;
import dev.scriptd.bus.RunQuery;
import dev.scriptd.bus.ScriptChanges;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.AuditRecord;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the database (SQLite or PostgreSQL, see {@link Database}): stores runs and log lines and answers the {@code DB_*} addresses of
 * {@link Addresses}. Settings come only from {@code config()}.
 */
public final class PersistenceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PersistenceVerticle.class);
  private static final int DEFAULT_PAGE = 100;
  private static final int MAX_PAGE = 1000;
  private static final int DEFAULT_LOG_LIMIT = 1000;
  private static final int MAX_LOG_LIMIT = 10_000;
  private static final int LOST_IDS_PER_QUERY = 500;
  /** The longest a stop waits for queued audit records to be written. */
  private static final long AUDIT_CLOSE_WAIT_MS = 5000;
  /** Beyond the kill grace, how long storage waits for the run owner to stop (its own bound is 3 s). */
  private static final long RUNS_END_MARGIN_MS = 5000;
  /** How long the stop waits for run saves still waiting (e.g. for room on a full disk). */
  private static final long SETTLE_AT_STOP_MS = 10_000;

  private Namespace ns;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private Database db;
  private LogBatcher batcher;
  private LogReader logs;
  private SearchIndexer indexer;
  private LogFiles logFiles;
  private ScriptStore scripts;
  private RunWriter runs;
  private ScriptdMetrics metrics;
  private RunView view;
  private AuditLog audit;
  private String chainedFromSql;
  private final InstanceLifecycle lifecycle;
  private final String nodeId;

  /** With a run view of its own (persistence.view_runs), for tests that only use the bus. */
  public PersistenceVerticle() {
    this(null, new InstanceLifecycle());
  }

  /** Keeps {@code view} current: the composition root hands the same view to HTTP. */
  public PersistenceVerticle(RunView view) {
    this(view, new InstanceLifecycle());
  }

  /** As {@link #PersistenceVerticle(RunView)}; stops only after the run owner of {@code lifecycle}. */
  public PersistenceVerticle(RunView view, InstanceLifecycle lifecycle) {
    this(view, lifecycle, null);
  }

  /**
   * As {@link #PersistenceVerticle(RunView, InstanceLifecycle)}; {@code nodeId} is this node's id in
   * a cluster (null on a single node): other nodes then read the lines of this node's runs here.
   */
  public PersistenceVerticle(RunView view, InstanceLifecycle lifecycle, String nodeId) {
    this.view = view;
    this.lifecycle = lifecycle;
    this.nodeId = nodeId;
  }

  @Override
  public Future<?> start() {
    ns = Namespace.from(config());
    ScriptdConfig settings = ScriptdConfig.fromJson(config());
    ScriptdConfig.Storage storage = settings.storage();
    metrics = ScriptdMetrics.of(vertx, config());
    return privateFiles(settings).compose(v -> Database.open(vertx, storage)).compose(database -> {
      db = database;
      chainedFromSql = ScriptRows.chainedFrom(db.dialect());
      if (view == null) {
        view = new RunView(storage.viewRuns());
      }
      return loadView();
    }).compose(loaded -> {
      batcher = new LogBatcher(vertx, db, storage.batchLines(), storage.flushIntervalMs(),
          storage.maxBufferedLines(), metrics);
      batcher.countsTo(view);
      indexer = new SearchIndexer(vertx, db, batcher::busy, 2 * storage.flushIntervalMs());
      batcher.onCommitted(total -> {
        vertx.eventBus().publish(ns.of(Addresses.DB_LINES_COMMITTED), total);
        indexer.kick();
      });
      logs = new LogReader(db.reader());
      logFiles = new LogFiles(vertx, storage.logDir(), settings.logs().files());
      batcher.copyTo(logFiles);
      scripts = new ScriptStore(db, batcher, logFiles, view);
      runs = new RunWriter(vertx, db, batcher, scripts, logFiles, view, ScriptdConfig.runWrites(config()));
      RunCleanup cleanup = new RunCleanup(vertx, db, batcher, logFiles, view);
      Codecs.register(vertx.eventBus());
      Codecs.registerLocal(vertx.eventBus(), TokenRecords.ALL); // the token store takes and replies with them
      MessageConsumer<LogChunk> append = vertx.eventBus().localConsumer(ns.of(Addresses.DB_APPEND_LOGS),
          message -> appendLogs(message.body()));
      consumers.add(append);
      on(ns.of(Addresses.DB_SAVE_RUN), runs::save);
      on(ns.of(Addresses.DB_GET_RUN), this::getRun);
      on(ns.of(Addresses.DB_LIST_RUNS), this::listRuns);
      on(ns.of(Addresses.DB_READ_LOGS), this::readLogs);
      if (nodeId != null) {
        // a viewer on another node reads this node's runs' lines here: only this persistence has
        // every line its run owner appended (its log writer may not have committed them yet)
        MessageConsumer<JsonObject> remote = vertx.eventBus().consumer(
            Addresses.onNode(ns.of(Addresses.DB_READ_LOGS), nodeId), message -> BusReplies.answer(message,
                body -> readLogs(remoteQuery(body)).map(LogPage::toJson), this::databaseError));
        consumers.add(remote);
      }
      LogSearch search = new LogSearch(vertx, db.reader(), db.dialect());
      on(ns.of(Addresses.DB_SEARCH_LOGS), search::search);
      on(ns.of(Addresses.DB_DELETE_RUN), this::deleteRun);
      on(ns.of(Addresses.DB_PIN_RUN), this::pinRun);
      on(ns.of(Addresses.DB_UNFINISHED_RUNS), body -> unfinishedRuns());
      on(ns.of(Addresses.DB_NODE_LIVE_RUNS), this::nodeLiveRuns);
      on(ns.of(Addresses.DB_LOST_RUNS), this::lostRuns);
      on(ns.of(Addresses.DB_HEALTH), body -> health());
      on(ns.of(Addresses.DB_WRITER_STATS), body -> Future.succeededFuture(writerStats()));
      on(ns.of(Addresses.DB_SAVE_SCRIPT), scripts::save);
      on(ns.of(Addresses.DB_GET_SCRIPT), scripts::get);
      on(ns.of(Addresses.DB_LIST_SCRIPTS), scripts::list);
      // saves made before a delete are stored before it, so none brings a deleted run back
      on(ns.of(Addresses.DB_DELETE_SCRIPT), (String id) -> roomFirst().compose(v -> runs.settled())
          .compose(v -> scripts.delete(id)));
      // as a delete: saves made before the apply are stored first
      on(ns.of(Addresses.DB_APPLY_SCRIPTS), (ScriptChanges changes) -> roomFirst().compose(v -> runs.settled())
          .compose(v -> scripts.apply(changes)));
      on(ns.of(Addresses.DB_QUEUE_RUN), runs::queue);
      on(ns.of(Addresses.DB_QUEUED_RUNS), body -> scripts.queued());
      on(ns.of(Addresses.DB_HOLD_RUN), runs::hold);
      on(ns.of(Addresses.DB_CHAINED_FROM), this::chainedFrom);
      on(ns.of(Addresses.DB_HELD_RUNS), body -> heldRuns());
      NotificationStore notifications = new NotificationStore(db);
      on(ns.of(Addresses.DB_ADD_NOTIFICATIONS), notifications::add);
      on(ns.of(Addresses.DB_DUE_NOTIFICATIONS), notifications::due);
      on(ns.of(Addresses.DB_NEXT_NOTIFICATION), body -> notifications.next());
      on(ns.of(Addresses.DB_UPDATE_NOTIFICATION), notifications::update);
      on(ns.of(Addresses.DB_LIST_NOTIFICATIONS), notifications::list);
      on(ns.of(Addresses.DB_AWAIT_SLOT), runs::awaitSlot);
      on(ns.of(Addresses.DB_SLOT_WAITING_RUNS), body -> scripts.slotWaiting());
      on(ns.of(Addresses.DB_RUN_STATS), scripts::stats);
      on(ns.of(Addresses.DB_CLEANUP), cleanup::run);
      on(ns.of(Addresses.DB_CLEANUP_STATE), body -> cleanup.state());
      ScheduleStore schedules = new ScheduleStore(db);
      on(ns.of(Addresses.DB_SCHEDULE_STATES), body -> schedules.all());
      on(ns.of(Addresses.DB_SAVE_SCHEDULE_STATE), schedules::save);
      ScheduleLedgerStore ledger = new ScheduleLedgerStore(db);
      on(ns.of(Addresses.DB_CLAIM_SCHEDULE_FIRES), ledger::claim);
      on(ns.of(Addresses.DB_DECIDE_SCHEDULE_FIRE), ledger::decide);
      on(ns.of(Addresses.DB_SCHEDULE_FIRES), ledger::page);
      on(ns.of(Addresses.DB_PRUNE_SCHEDULE_FIRES), ledger::prune);
      TokenStore tokens = new TokenStore(db);
      on(ns.of(Addresses.DB_SAVE_TOKEN), tokens::save);
      on(ns.of(Addresses.DB_DELETE_TOKEN), tokens::delete);
      on(ns.of(Addresses.DB_REPLACE_ADMIN_TOKENS), tokens::replaceAdmins);
      on(ns.of(Addresses.DB_FIND_TOKEN), tokens::find);
      on(ns.of(Addresses.DB_LIST_TOKENS), body -> tokens.list());
      on(ns.of(Addresses.DB_PAGE_TOKENS), tokens::page);
      consumers.add(vertx.eventBus().<TokenUse>localConsumer(ns.of(Addresses.DB_TOUCH_TOKEN), message -> tokens
          .touch(message.body()).onFailure(e -> LOG.warn("could not record the use of a token", e))));
      SessionStore sessions = new SessionStore(db);
      on(ns.of(Addresses.DB_SAVE_SESSION), sessions::save);
      on(ns.of(Addresses.DB_FIND_SESSION), sessions::find);
      on(ns.of(Addresses.DB_DELETE_SESSION), sessions::delete);
      audit = new AuditLog(vertx, db, metrics, ScriptdConfig.audit(config()));
      consumers.add(vertx.eventBus().<AuditRecord>localConsumer(ns.of(Addresses.DB_AUDIT_APPEND),
          message -> audit.append(message.body())));
      on(ns.of(Addresses.DB_AUDIT_LIST), audit::list);
      on(ns.of(Addresses.DB_AUDIT_VERIFY), body -> audit.verify());
      // SQLite: a copy of the file (VACUUM INTO); PostgreSQL: a pg_dump-style script of one snapshot
      DatabaseBackup sqliteBackup = new DatabaseBackup(vertx, db, batcher, storage.dataDir());
      PostgresBackup postgresBackup = new PostgresBackup(vertx, db.reader(), storage.dataDir());
      boolean postgres = db.dialect().postgres();
      on(ns.of(Addresses.DB_BACKUP), body -> postgres
          ? batcher.flush().compose(v -> postgresBackup.snapshot()) : sqliteBackup.snapshot());
      List<Future<Void>> registered = consumers.stream().map(MessageConsumer::completion).toList();
      return Future.all(registered)
          .compose(v -> postgres ? postgresBackup.removeLeftovers() : sqliteBackup.removeLeftovers())
          .compose(v -> audit.start());
    }).onSuccess(v -> {
      LOG.info("persistence ready on {}", db.describe());
      indexer.start();
      // at JVM exit: once the run owner has ended its runs, write everything buffered
      lifecycle.whenJvmExiting().onComplete(exiting -> lifecycle.whenRunsEnded().onComplete(ended ->
          context.runOnContext(go -> runs.settled().transform(settled -> batcher.flush())
              .onComplete(done -> lifecycle.flushed()))));
    });
  }

  /**
   * Waits (bounded) until the run owner has ended and saved its runs, which it does as it stops,
   * even when both are undeployed at once; then writes what is buffered and closes the database.
   */
  @Override
  public Future<?> stop() {
    Promise<Void> runsEnded = Promise.promise();
    lifecycle.whenRunsEnded().onComplete(ar -> context.runOnContext(v -> runsEnded.tryComplete()));
    long bound = ScriptdConfig.fromJson(config()).runs().killGraceMs() + RUNS_END_MARGIN_MS;
    long timer = vertx.setTimer(bound, t -> {
      if (runsEnded.tryComplete()) {
        LOG.warn("the run owner did not stop within {} ms; storage stops anyway", bound);
      }
    });
    return runsEnded.future().compose(v -> {
      vertx.cancelTimer(timer);
      return stopStorage();
    }).eventually(() -> {
      lifecycle.storageClosed();
      return Future.succeededFuture();
    });
  }

  private Future<?> stopStorage() {
    if (indexer != null) {
      indexer.stop();
    }
    List<Future<Void>> unregistered = consumers.stream().map(MessageConsumer::unregister).toList();
    return Future.join(unregistered)
        // bounded: saves kept while the disk is full would wait for room that may not come
        .transform(ignored -> runs == null ? Future.succeededFuture()
            : runs.settled().timeout(SETTLE_AT_STOP_MS, java.util.concurrent.TimeUnit.MILLISECONDS))
        .transform(ignored -> audit == null ? Future.succeededFuture() : audit.close(AUDIT_CLOSE_WAIT_MS))
        .transform(ignored -> batcher == null ? Future.succeededFuture() : batcher.close())
        .recover(err -> {
          LOG.error("could not write the last {} log lines before stopping", batcher.pendingLines(), err);
          metrics.linesDropped(batcher.pendingLines());
          return Future.succeededFuture();
        })
        .eventually(() -> {
          if (logs != null) {
            logs.close();
          }
          if (indexer != null) {
            indexer.close();
          }
          return db == null ? Future.succeededFuture() : db.close();
        });
  }

  private <T> void on(String address, Function<T, Future<?>> handler) {
    MessageConsumer<T> consumer = vertx.eventBus().localConsumer(address,
        message -> BusReplies.answer(message, handler, this::databaseError));
    consumers.add(consumer);
  }

  /** A write that first waits for the saves before it fails at once while the disk is full (not after them). */
  private Future<Void> roomFirst() {
    return db.diskFull() ? Future.failedFuture(db.diskFullRefusal()) : Future.succeededFuture();
  }

  /** A failure that is not a refusal of the request is the database's: 503, so the caller may retry. */
  private Throwable databaseError(Throwable err) {
    if (err instanceof BusFailure) {
      return err;
    }
    if (db.isLocked(err)) {
      return new BusFailure(ReplyCodes.UNAVAILABLE, db.lockedMessage(), err);
    }
    String message = err.getMessage() != null ? err.getMessage() : err.getClass().getSimpleName();
    if (db.isTransient(err)) {
      return new BusFailure(ReplyCodes.UNAVAILABLE, "the database " + db.describe() + " does not answer ("
          + message + "); try again once it does (GET /health shows when)", err);
    }
    return new BusFailure(ReplyCodes.UNAVAILABLE, "database error: " + message, err);
  }

  private void appendLogs(LogChunk chunk) {
    try {
      batcher.append(chunk);
      metrics.linesIngested(chunk.lines().size());
    } catch (RuntimeException e) {
      LOG.error("could not buffer log chunk of run {}", chunk.runId(), e);
      metrics.linesDropped(chunk.lines().size());
    }
  }

  private Future<Run> getRun(String id) {
    return db.reader().preparedQuery(RunRows.SELECT_ONE).execute(Tuple.of(id))
        .map(rows -> {
          if (rows.size() == 0) {
            throw new BusFailure(ReplyCodes.NOT_FOUND, "run " + id + " not found");
          }
          return RunRows.fromRow(rows.iterator().next());
        });
  }

  private Future<RunPage> listRuns(RunQuery query) {
    RunCursor after;
    try {
      after = RunCursor.after(query.cursor());
    } catch (BusFailure invalid) {
      return Future.failedFuture(invalid);
    }
    int limit = query.limit() <= 0 ? DEFAULT_PAGE : Math.min(query.limit(), MAX_PAGE);
    RunRows.PageQuery page = RunRows.page(query, after, limit);
    return db.reader().preparedQuery(page.sql()).execute(page.params()).map(rows -> {
      List<Run> runs = toRuns(rows);
      if (runs.size() <= limit) {
        return new RunPage(runs, null);
      }
      List<Run> items = runs.subList(0, limit);
      Run last = items.get(limit - 1);
      return new RunPage(items, new RunCursor(last.createdAt().toEpochMilli(), last.id()).encode());
    });
  }

  private static LogQuery remoteQuery(JsonObject body) {
    try {
      return LogQuery.fromJson(body);
    } catch (RuntimeException invalid) {
      throw new BusFailure(ReplyCodes.BAD_REQUEST, "not a log query: " + invalid.getMessage());
    }
  }

  private Future<LogPage> readLogs(LogQuery query) {
    int limit = query.limit() <= 0 ? DEFAULT_LOG_LIMIT : Math.min(query.limit(), MAX_LOG_LIMIT);
    return batcher.flushRun(query.runId())
        .compose(v -> logs.read(query.runId(), Math.max(0, query.afterSeq()), limit));
  }

  private Future<?> deleteRun(String id) {
    long[] createdAt = new long[1];
    return roomFirst().compose(v -> runs.settled()).compose(v -> batcher.flushRun(id)).compose(v -> db.write(conn ->
        conn.preparedQuery(RunRows.SELECT_STATUS).execute(Tuple.of(id))
            .compose(rows -> {
              if (rows.size() == 0) {
                throw new BusFailure(ReplyCodes.NOT_FOUND, "run " + id + " not found");
              }
              Row row = rows.iterator().next();
              RunStatus status = RunStatus.fromWire(row.getString(0));
              createdAt[0] = row.getLong(1);
              if (!status.isFinal()) {
                throw new BusFailure(ReplyCodes.CONFLICT,
                    "run " + id + " is still " + status.wire() + "; kill it first");
              }
              if (Integer.valueOf(1).equals(row.getInteger(2))) {
                throw new BusFailure(ReplyCodes.CONFLICT, "run " + id
                    + " is pinned; unpin it first (DELETE /api/runs/" + id + "/pin)");
              }
              return conn.preparedQuery(RunRows.DELETE_CHUNKS).execute(Tuple.of(id));
            })
            .compose(v2 -> conn.preparedQuery(RunRows.DELETE_RUN).execute(Tuple.of(id)))))
        .compose(v -> {
          view.deleted(List.of(id));
          return Future.succeededFuture();
        })
        .compose(v -> logFiles.delete(List.of(new LogFiles.RunRef(id, createdAt[0]))))
        .map(v -> null);
  }

  /**
   * Sets or clears a run's pin. Saves made before it are stored first, so the row exists for a run
   * the API has already answered with.
   */
  private Future<Run> pinRun(JsonObject body) {
    String id = body.getString("run_id");
    boolean pinned = Boolean.TRUE.equals(body.getBoolean("pinned"));
    return roomFirst().compose(v -> runs.settled()).compose(v -> db.write(conn -> conn.preparedQuery(RunRows.SET_PINNED)
        .execute(Tuple.of(pinned ? 1 : 0, id))
        .compose(updated -> {
          if (updated.rowCount() == 0) {
            throw new BusFailure(ReplyCodes.NOT_FOUND, "run " + id + " not found");
          }
          return conn.preparedQuery(RunRows.SELECT_ONE).execute(Tuple.of(id));
        })
        .map(rows -> RunRows.fromRow(rows.iterator().next()))))
        .onSuccess(run -> {
          view.pinned(id, run.pinned());
          vertx.eventBus().publish(ns.of(Addresses.RUNS_PINNED),
              new JsonObject().put("run_id", id).put("pinned", run.pinned()));
        });
  }

  /**
   * Fills the run view before any address answers: the newest view_runs + 1 runs (one more than
   * it keeps, to know where its floor lies) and every live one; a clustered view only learns its pool.
   */
  private Future<Void> loadView() {
    if (view.clustered()) {
      // it holds nothing: every read goes to the shared database
      view.load(db.reader(), db::lookups, List.of(), List.of());
      return Future.succeededFuture();
    }
    return db.reader().preparedQuery(RunRows.SELECT_NEWEST).execute(Tuple.of(view.capacity() + 1))
        .compose(newest -> db.reader().query(RunRows.SELECT_LIVE).execute()
            .map(live -> {
              view.load(db.reader(), db::lookups, toRuns(newest), toRuns(live));
              return null;
            }));
  }

  /** The data dir, database and (with logs.files) log dir, created or made owner-only (see PrivateFiles). */
  private Future<Void> privateFiles(ScriptdConfig settings) {
    ScriptdConfig.Storage storage = settings.storage();
    return vertx.executeBlocking(() -> PrivateFiles.secure(storage.dataDir(),
        storage.databaseUrl() == null ? storage.dbFile() : null,
        settings.logs().files() ? storage.logDir() : null)).map(tightened -> {
          if (!tightened.isEmpty()) {
            LOG.info("made {} owner-only (group or others had access): {}",
                tightened.size() == 1 ? "a path" : tightened.size() + " paths", tightened);
          }
          return null;
        });
  }

  private Future<io.vertx.core.json.JsonArray> chainedFrom(JsonObject body) {
    String id = body.getString("script_id");
    return db.reader().preparedQuery(chainedFromSql).execute(Tuple.of(id, id, body.getString("name")))
        .map(rows -> {
          io.vertx.core.json.JsonArray names = new io.vertx.core.json.JsonArray();
          rows.forEach(row -> names.add(row.getString(0)));
          return names;
        });
  }

  private Future<RunPage> heldRuns() {
    return db.reader().query(RunRows.SELECT_HELD).execute().map(rows -> new RunPage(toRuns(rows), null));
  }

  /** Which of the given runs are stored lost: one statement per {@value #LOST_IDS_PER_QUERY} ids. */
  private Future<JsonArray> lostRuns(JsonArray ids) {
    List<String> all = new ArrayList<>();
    if (ids != null) {
      for (Object id : ids) {
        if (id instanceof String text) {
          all.add(text);
        }
      }
    }
    List<Future<RowSet<Row>>> parts = new ArrayList<>();
    for (int from = 0; from < all.size(); from += LOST_IDS_PER_QUERY) {
      List<String> part = all.subList(from, Math.min(all.size(), from + LOST_IDS_PER_QUERY));
      parts.add(db.reader().preparedQuery(RunRows.selectLost(part.size())).execute(Tuple.from(part)));
    }
    return Future.all(parts).map(done -> {
      JsonArray lost = new JsonArray();
      for (Future<RowSet<Row>> part : parts) {
        part.result().forEach(row -> lost.add(row.getString(0)));
      }
      return lost;
    });
  }

  private Future<RunPage> nodeLiveRuns(String node) {
    return db.reader().preparedQuery(RunRows.SELECT_NODE_LIVE).execute(Tuple.of(node))
        .map(rows -> new RunPage(toRuns(rows), null));
  }

  private Future<RunPage> unfinishedRuns() {
    return db.reader().query(RunRows.SELECT_UNFINISHED).execute()
        .map(rows -> new RunPage(toRuns(rows), null));
  }

  /** The database's own check (SQLite: the file and its write lock; PostgreSQL: a query), and the writer. */
  private Future<JsonObject> health() {
    return db.health(vertx).map(checked -> writerStats().mergeIn(checked));
  }

  private JsonObject writerStats() {
    JsonObject stats = new JsonObject()
        .put("pending_lines", batcher.pendingLines())
        .put("last_flush_ms", batcher.lastFlushMs());
    if (db.diskFull()) {
      stats.put("error", "the writer cannot write: " + db.diskFullRefusal().getMessage());
    }
    return stats;
  }

  private static List<Run> toRuns(RowSet<Row> rows) {
    List<Run> runs = new ArrayList<>(rows.size());
    for (Row row : rows) {
      runs.add(RunRows.fromRow(row));
    }
    return runs;
  }
}
