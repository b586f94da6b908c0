package dev.scriptd.persistence;

import dev.scriptd.bus.CleanupRequest;
import dev.scriptd.bus.CleanupStats;
import dev.scriptd.domain.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention: deletes finished runs in batches (one write transaction each, so writers of live
 * runs get the database between batches), with their log chunks and log files, then returns the
 * freed pages to the filesystem with {@code PRAGMA incremental_vacuum} (the file is created with
 * auto_vacuum=INCREMENTAL). Pending, running and pinned runs are never selected, nor (except by
 * the age rule with 0 days) each script's newest failed run. The rules run in order: age, runs
 * per script, stored log bytes (oldest first), each counted in the stats under its name.
 *
 * <p>A dry run makes the same deletions of run rows inside one transaction on the writer and rolls
 * it back, so each rule sees what the rules before it took, exactly as a real pass would; it holds
 * the writer for its length and touches neither log chunks nor files.
 */
final class RunCleanup {
  private static final Logger LOG = LoggerFactory.getLogger(RunCleanup.class);
  /** How many run ids a dry run reports. */
  static final int PREVIEW_IDS = 100;

  private static final String NOT_LAST_FAILED = " AND NOT (status = 'failed' AND script_id IS NOT NULL "
      + "AND id = (SELECT f.id FROM runs f WHERE f.script_id = runs.script_id AND f.status = 'failed' "
      + "ORDER BY f.created_at DESC, f.id DESC LIMIT 1))";
  private static final String DELETABLE = "status NOT IN ('pending', 'running') AND pinned = 0";
  /** A run's script's retention override (JSON text or NULL), from inside a query on runs. */
  private static final String OVERRIDE = "(SELECT s.retention FROM scripts s WHERE s.id = runs.script_id)";
  private static final String FAILED_LIKE = "status IN ('failed', 'timed_out', 'lost')";
  private static final String OLD_RUNS = "SELECT id, created_at, log_bytes FROM runs "
      + "WHERE ended_at < ? AND " + DELETABLE + NOT_LAST_FAILED + " LIMIT ?";
  /** Age 0: every finished unpinned run, the last failed ones too. */
  private static final String ALL_FINISHED = "SELECT id, created_at, log_bytes FROM runs WHERE "
      + DELETABLE + " LIMIT ?";
  /** Scripts with their own stored-bytes budget, and their runs' bytes. */
  private final String budgetedScripts;
  /**
   * The configured age rule: a run's days are its script's keep_failed_days (failed, timed_out,
   * lost runs), else its script's days, else the server's. The first bound (the smallest days in
   * force) lets the end-time index narrow the scan. The fourth column, 1 or 0, says whether the
   * script's keep_failed_days decided the run's age (then it counts under that rule).
   */
  private final String oldRunsByScript;
  private final String smallestScriptDays;
  /** Scripts with more runs than they keep: their own max_runs (0: no limit), else the server's. */
  private final String crowdedScripts;
  private static final String OLDEST_RUNS_OF = "SELECT id, created_at, log_bytes FROM runs WHERE script_id = ? AND "
      + DELETABLE + NOT_LAST_FAILED + " ORDER BY created_at, id LIMIT ?";
  private static final String EXCESS_RUNS = "SELECT id, created_at, log_bytes FROM runs WHERE script_id = ? "
      + "AND " + DELETABLE
      + " AND id NOT IN (SELECT k.id FROM runs k WHERE k.script_id = ? ORDER BY k.created_at DESC, k.id DESC LIMIT ?)"
      + NOT_LAST_FAILED + " LIMIT ?";
  private static final String STORED_BYTES = "SELECT COALESCE(SUM(log_bytes), 0) FROM runs";
  private static final String OLDEST_RUNS = "SELECT id, created_at, log_bytes FROM runs WHERE " + DELETABLE
      + NOT_LAST_FAILED + " ORDER BY created_at, id LIMIT ?";
  private static final String DELETE_CHUNKS = "DELETE FROM log_chunks WHERE run_id = ?";
  private static final String DELETE_RUN = "DELETE FROM runs WHERE id = ?";
  private static final String SAVE_STATE = "UPDATE cleanup_state SET last_run_at = ?, last_deleted_runs = ?, "
      + "last_freed_bytes = ?, last_duration_ms = ?, last_by_rule = ?, total_deleted_runs = total_deleted_runs + ?, "
      + "total_freed_bytes = total_freed_bytes + ? WHERE id = 1";
  private static final String STATE = "SELECT last_run_at, last_deleted_runs, last_freed_bytes, "
      + "last_duration_ms, last_by_rule, total_deleted_runs, total_freed_bytes FROM cleanup_state WHERE id = 1";

  private final io.vertx.core.Vertx vertx;
  private final Database db;
  private final LogBatcher batcher;
  private final LogFiles files;
  private final RunView view;

  RunCleanup(io.vertx.core.Vertx vertx, Database db, LogBatcher batcher, LogFiles files, RunView view) {
    this.vertx = vertx;
    this.db = db;
    this.batcher = batcher;
    this.files = files;
    this.view = view;
    SqlDialect sql = db.dialect();
    String byKeepFailed = "(" + FAILED_LIKE + " AND " + sql.jsonLong(OVERRIDE, "keep_failed_days") + " IS NOT NULL)";
    oldRunsByScript = "SELECT id, created_at, log_bytes, CASE WHEN " + byKeepFailed + " THEN 1 ELSE 0 END"
        + " FROM runs WHERE ended_at < ? AND " + DELETABLE + " AND ended_at < ? - 86400000 * (CASE WHEN "
        + byKeepFailed + " THEN " + sql.jsonLong(OVERRIDE, "keep_failed_days") + " ELSE COALESCE("
        + sql.jsonLong(OVERRIDE, "days") + ", ?) END)" + NOT_LAST_FAILED + " LIMIT ?";
    smallestScriptDays = "SELECT MIN(" + sql.least("COALESCE(" + sql.jsonLong("retention", "days") + ", ?)",
        "COALESCE(" + sql.jsonLong("retention", "keep_failed_days") + ", ?)")
        + ") FROM scripts WHERE retention IS NOT NULL";
    crowdedScripts = "SELECT script_id, keep FROM (SELECT script_id, COALESCE(" + sql.jsonLong(OVERRIDE, "max_runs")
        + ", ?) AS keep, count(*) AS n FROM runs WHERE script_id IS NOT NULL GROUP BY script_id) c "
        + "WHERE keep > 0 AND n > keep";
    budgetedScripts = "SELECT s.id, " + sql.jsonLong("s.retention", "max_bytes") + " AS budget, "
        + "(SELECT COALESCE(SUM(r.log_bytes), 0) FROM runs r WHERE r.script_id = s.id) AS total FROM scripts s "
        + "WHERE " + sql.jsonLong("s.retention", "max_bytes") + " > 0";
  }

  /** A deleted run: its id and creation time (for its log file), its log bytes, the rule that took it. */
  private record Doomed(String id, long createdAt, long logBytes, String rule) {
  }

  /** The counters of one pass and where its writes go. */
  private final class Pass {
    final CleanupRequest request;
    final SqlConnection preview;
    final Map<String, Long> byRule = new LinkedHashMap<>();
    final List<String> ids = new ArrayList<>();
    long deleted;
    long logBytes;

    Pass(CleanupRequest request, SqlConnection preview) {
      this.request = request;
      this.preview = preview;
      RetentionRules.ALL.forEach(rule -> byRule.put(rule, 0L));
    }

    boolean dryRun() {
      return preview != null;
    }

    <T> Future<T> write(Function<SqlConnection, Future<T>> work) {
      return dryRun() ? work.apply(preview) : db.write(work);
    }

    void count(List<Doomed> runs) {
      deleted += runs.size();
      for (Doomed run : runs) {
        byRule.merge(run.rule(), 1L, Long::sum);
        logBytes += run.logBytes();
        if (dryRun() && ids.size() < PREVIEW_IDS) {
          ids.add(run.id());
        }
      }
    }
  }

  Future<CleanupStats> run(CleanupRequest request) {
    long started = System.nanoTime();
    if (request.dryRun()) {
      return batcher.flush()
          .compose(v -> db.rolledBack(conn -> {
            Pass pass = new Pass(request, conn);
            return rules(pass).map(pass);
          }))
          .map(pass -> new CleanupStats(pass.deleted, pass.logBytes, (System.nanoTime() - started) / 1_000_000,
              pass.byRule, true, pass.ids));
    }
    long startedAt = System.currentTimeMillis();
    Pass pass = new Pass(request, null);
    long[] sizeBefore = new long[1];
    return batcher.flush()
        .compose(v -> db.sizeBytes())
        .compose(before -> {
          sizeBefore[0] = before;
          return rules(pass);
        })
        .compose(v -> db.reclaimSpace(vertx))
        .compose(v -> db.sizeBytes())
        .compose(after -> {
          long freed = Math.max(0, sizeBefore[0] - after);
          long durationMs = (System.nanoTime() - started) / 1_000_000;
          CleanupStats stats = new CleanupStats(pass.deleted, freed, durationMs, pass.byRule, false, List.of());
          return db.write(conn -> conn.preparedQuery(SAVE_STATE).execute(Tuple.of(startedAt, pass.deleted,
                  freed, durationMs, new JsonObject(new LinkedHashMap<String, Object>(pass.byRule)).encode(),
                  pass.deleted, freed)))
              .map(stats);
        })
        .onSuccess(stats -> LOG.info("cleanup deleted {} runs ({}) and freed {} bytes in {} ms",
            stats.deletedRuns(), stats.byRule(), stats.freedBytes(), stats.durationMs()));
  }

  /** The rules in order: age, runs per script, stored bytes. */
  private Future<Void> rules(Pass pass) {
    CleanupRequest request = pass.request;
    long cutoff = RetentionRules.ageCutoff(System.currentTimeMillis(), request.days());
    Future<Void> byAge;
    if (request.scriptDays()) {
      long now = System.currentTimeMillis();
      byAge = pass.<Long>write(conn -> conn.preparedQuery(smallestScriptDays)
              .execute(Tuple.of(request.days(), request.days())).map(rows -> rows.iterator().next().getLong(0)))
          .compose(smallest -> {
            int days = smallest == null ? request.days() : (int) Math.min(request.days(), smallest);
            return deleteAll(pass, RetentionRules.DAYS, oldRunsByScript,
                Tuple.of(RetentionRules.ageCutoff(now, days), now, request.days(), request.batchSize()));
          });
    } else if (request.days() == 0) {
      byAge = deleteAll(pass, RetentionRules.DAYS, ALL_FINISHED, Tuple.of(request.batchSize()));
    } else {
      byAge = deleteAll(pass, RetentionRules.DAYS, OLD_RUNS, Tuple.of(cutoff, request.batchSize()));
    }
    return byAge
        .compose(v -> pass.write(conn -> conn.preparedQuery(crowdedScripts)
            .execute(Tuple.of(request.maxRunsPerScript()))))
        .compose(rows -> {
          List<Tuple> crowded = new ArrayList<>();
          rows.forEach(row -> crowded.add(Tuple.of(row.getString(0), row.getString(0), row.getLong(1),
              request.batchSize())));
          Future<Void> chain = Future.succeededFuture();
          for (Tuple params : crowded) {
            chain = chain.compose(v -> deleteAll(pass, RetentionRules.MAX_RUNS, EXCESS_RUNS, params));
          }
          return chain;
        })
        .compose(v -> pass.write(conn -> conn.query(budgetedScripts).execute()))
        .compose(rows -> {
          List<long[]> budgets = new ArrayList<>();
          List<String> scripts = new ArrayList<>();
          rows.forEach(row -> {
            scripts.add(row.getString(0));
            budgets.add(new long[] {row.getLong(1), row.getLong(2)});
          });
          Future<Void> chain = Future.succeededFuture();
          for (int i = 0; i < scripts.size(); i++) {
            Tuple params = Tuple.of(scripts.get(i), request.batchSize());
            long[] budget = budgets.get(i);
            chain = chain.compose(v -> overBudget(pass, OLDEST_RUNS_OF, params, budget[1], budget[0]));
          }
          return chain;
        })
        .compose(v -> request.maxBytes() <= 0 ? Future.succeededFuture()
            : pass.<Long>write(conn -> conn.query(STORED_BYTES).execute().map(RunCleanup::first))
                .compose(total -> overBudget(pass, OLDEST_RUNS, Tuple.of(request.batchSize()), total,
                    request.maxBytes())));
  }

  /** Selects and deletes batches until a selection comes back short. */
  private Future<Void> deleteAll(Pass pass, String rule, String select, Tuple params) {
    int batchSize = pass.request.batchSize();
    List<Doomed> batch = new ArrayList<>();
    return pass.write(conn -> conn.preparedQuery(select).execute(params).compose(rows -> {
      rows.forEach(row -> batch.add(doomed(row, rule)));
      return delete(pass, conn, batch);
    })).compose(v -> finish(pass, batch))
        .compose(v -> batch.size() < batchSize ? Future.succeededFuture() : deleteAll(pass, rule, select, params));
  }

  /**
   * The stored-bytes budget: deletes the oldest deletable runs, a batch at a time, until the log
   * bytes of the runs left are within it (or no deletable run is left).
   */
  private Future<Void> overBudget(Pass pass, String select, Tuple params, long total, long budget) {
    if (total <= budget) {
      return Future.succeededFuture();
    }
    int batchSize = pass.request.batchSize();
    List<Doomed> batch = new ArrayList<>();
    boolean[] more = new boolean[1];
    return pass.write(conn -> conn.preparedQuery(select).execute(params).compose(rows -> {
      List<Doomed> oldest = new ArrayList<>();
      rows.forEach(row -> oldest.add(doomed(row, RetentionRules.MAX_BYTES)));
      int take = RetentionRules.oldestOverBudget(total, budget, oldest.stream().map(Doomed::logBytes).toList());
      batch.addAll(oldest.subList(0, take));
      more[0] = take == batchSize;
      return delete(pass, conn, batch);
    })).compose(v -> finish(pass, batch)).compose(v -> {
      long left = total - batch.stream().mapToLong(Doomed::logBytes).sum();
      return more[0] ? overBudget(pass, select, params, left, budget) : Future.succeededFuture();
    });
  }

  /** A selected run; a fourth column, when 1, says the keep_failed_days rule took it. */
  private static Doomed doomed(Row row, String rule) {
    Long bytes = row.getLong(2);
    boolean keepFailed = row.size() > 3 && Integer.valueOf(1).equals(row.getInteger(3));
    return new Doomed(row.getString(0), row.getLong(1), bytes == null ? 0 : bytes,
        keepFailed ? RetentionRules.KEEP_FAILED_DAYS : rule);
  }

  /** A dry run deletes only the run rows (what the next selections look at), and rolls them back. */
  private static Future<Void> delete(Pass pass, SqlConnection conn, List<Doomed> batch) {
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> ids = batch.stream().map(run -> Tuple.of(run.id())).toList();
    Future<?> chunks = pass.dryRun() ? Future.succeededFuture()
        : conn.preparedQuery(DELETE_CHUNKS).executeBatch(ids);
    return chunks.compose(v -> conn.preparedQuery(DELETE_RUN).executeBatch(ids)).mapEmpty();
  }

  private Future<Void> finish(Pass pass, List<Doomed> batch) {
    pass.count(batch);
    if (pass.dryRun() || batch.isEmpty()) {
      return Future.succeededFuture(); // a dry run's deletions are rolled back: the view keeps its runs
    }
    view.deleted(batch.stream().map(Doomed::id).toList());
    return files.delete(batch.stream().map(run -> new LogFiles.RunRef(run.id(), run.createdAt())).toList()).mapEmpty();
  }

  /** Stats saved before the rules were counted have none: each rule 0. */
  private static Map<String, Long> byRule(String stored) {
    Map<String, Long> counts = new LinkedHashMap<>();
    RetentionRules.ALL.forEach(rule -> counts.put(rule, 0L));
    if (stored != null) {
      new JsonObject(stored).forEach(entry -> counts.put(entry.getKey(), ((Number) entry.getValue()).longValue()));
    }
    return counts;
  }

  private static long first(RowSet<Row> rows) {
    return rows.iterator().next().getLong(0);
  }

  Future<JsonObject> state() {
    return db.reader().query(STATE).execute().map(rows -> {
      Row row = rows.iterator().next();
      Long lastRunAt = row.getLong("last_run_at");
      return new JsonObject()
          .put("last_run_at", lastRunAt == null ? null : Times.format(lastRunAt))
          .put("last_run_stats", lastRunAt == null ? null : new CleanupStats(row.getLong("last_deleted_runs"),
              row.getLong("last_freed_bytes"), row.getLong("last_duration_ms"), byRule(row.getString("last_by_rule")),
              false, List.of()).toJson())
          .put("total_deleted_runs", row.getLong("total_deleted_runs"))
          .put("total_freed_bytes", row.getLong("total_freed_bytes"));
    });
  }
}
