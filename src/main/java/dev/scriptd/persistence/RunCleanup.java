package dev.scriptd.persistence;

import dev.scriptd.bus.CleanupRequest;
import dev.scriptd.bus.CleanupStats;
import dev.scriptd.domain.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention: deletes finished runs in batches (one write transaction each, so writers of live
 * runs get the database between batches), with their log chunks and log files, then returns the
 * freed pages to the filesystem with {@code PRAGMA incremental_vacuum} (the file is created with
 * auto_vacuum=INCREMENTAL). Pending and running runs and each script's newest failed run are never
 * selected.
 */
final class RunCleanup {
  private static final Logger LOG = LoggerFactory.getLogger(RunCleanup.class);

  private static final String NOT_LAST_FAILED = " AND NOT (status = 'failed' AND script_id IS NOT NULL "
      + "AND id = (SELECT f.id FROM runs f WHERE f.script_id = runs.script_id AND f.status = 'failed' "
      + "ORDER BY f.created_at DESC, f.id DESC LIMIT 1))";
  private static final String OLD_RUNS = "SELECT id, created_at FROM runs "
      + "WHERE ended_at < ? AND status NOT IN ('pending', 'running')" + NOT_LAST_FAILED + " LIMIT ?";
  private static final String CROWDED_SCRIPTS = "SELECT script_id FROM runs WHERE script_id IS NOT NULL "
      + "GROUP BY script_id HAVING count(*) > ?";
  private static final String EXCESS_RUNS = "SELECT id, created_at FROM runs WHERE script_id = ? "
      + "AND status NOT IN ('pending', 'running') "
      + "AND id NOT IN (SELECT k.id FROM runs k WHERE k.script_id = ? ORDER BY k.created_at DESC, k.id DESC LIMIT ?)"
      + NOT_LAST_FAILED + " LIMIT ?";
  private static final String DELETE_CHUNKS = "DELETE FROM log_chunks WHERE run_id = ?";
  private static final String DELETE_RUN = "DELETE FROM runs WHERE id = ?";
  private static final String SAVE_STATE = "UPDATE cleanup_state SET last_run_at = ?, last_deleted_runs = ?, "
      + "last_freed_bytes = ?, last_duration_ms = ?, total_deleted_runs = total_deleted_runs + ?, "
      + "total_freed_bytes = total_freed_bytes + ? WHERE id = 1";
  private static final String STATE = "SELECT last_run_at, last_deleted_runs, last_freed_bytes, "
      + "last_duration_ms, total_deleted_runs, total_freed_bytes FROM cleanup_state WHERE id = 1";

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
  }

  Future<CleanupStats> run(CleanupRequest request) {
    long started = System.nanoTime();
    long startedAt = System.currentTimeMillis();
    long cutoff = startedAt - TimeUnit.DAYS.toMillis(request.days());
    long[] deleted = new long[1];
    long[] pagesBefore = new long[2];
    return batcher.flush()
        .compose(v -> pages())
        .compose(before -> {
          pagesBefore[0] = before[0];
          pagesBefore[1] = before[1];
          return deleteAll(OLD_RUNS, Tuple.of(cutoff, request.batchSize()), request.batchSize(), deleted);
        })
        .compose(v -> db.reader().preparedQuery(CROWDED_SCRIPTS).execute(Tuple.of(request.maxRunsPerScript())))
        .compose(rows -> {
          Future<Void> chain = Future.succeededFuture();
          for (Row row : rows) {
            String scriptId = row.getString(0);
            Tuple params = Tuple.of(scriptId, scriptId, request.maxRunsPerScript(), request.batchSize());
            chain = chain.compose(v -> deleteAll(EXCESS_RUNS, params, request.batchSize(), deleted));
          }
          return chain;
        })
        .compose(v -> db.incrementalVacuum(vertx))
        .compose(v -> pages())
        .compose(after -> {
          long freed = Math.max(0, (pagesBefore[0] - after[0]) * after[1]);
          long durationMs = (System.nanoTime() - started) / 1_000_000;
          CleanupStats stats = new CleanupStats(deleted[0], freed, durationMs);
          return db.write(conn -> conn.preparedQuery(SAVE_STATE).execute(Tuple.of(startedAt, deleted[0],
                  freed, durationMs, deleted[0], freed)))
              .map(stats);
        })
        .onSuccess(stats -> LOG.info("cleanup deleted {} runs and freed {} bytes in {} ms",
            stats.deletedRuns(), stats.freedBytes(), stats.durationMs()));
  }

  /** Selects and deletes batches until a selection comes back short. */
  private Future<Void> deleteAll(String select, Tuple params, int batchSize, long[] deleted) {
    List<LogFiles.RunRef> batch = new ArrayList<>();
    return db.write(conn -> conn.preparedQuery(select).execute(params).compose(rows -> {
      for (Row row : rows) {
        batch.add(new LogFiles.RunRef(row.getString(0), row.getLong(1)));
      }
      if (batch.isEmpty()) {
        return Future.succeededFuture();
      }
      List<Tuple> ids = batch.stream().map(run -> Tuple.of(run.id())).toList();
      return conn.preparedQuery(DELETE_CHUNKS).executeBatch(ids)
          .compose(v -> conn.preparedQuery(DELETE_RUN).executeBatch(ids))
          .mapEmpty();
    })).compose(v -> {
      view.deleted(batch.stream().map(LogFiles.RunRef::id).toList());
      deleted[0] += batch.size();
      return files.delete(batch);
    }).compose(v -> batch.size() < batchSize ? Future.succeededFuture()
        : deleteAll(select, params, batchSize, deleted));
  }

  /** [page_count, page_size] as the writer sees them. */
  private Future<long[]> pages() {
    return db.write(conn -> conn.query("PRAGMA page_count").execute()
        .compose(count -> conn.query("PRAGMA page_size").execute()
            .map(size -> new long[] {first(count), first(size)})));
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
              row.getLong("last_freed_bytes"), row.getLong("last_duration_ms")).toJson())
          .put("total_deleted_runs", row.getLong("total_deleted_runs"))
          .put("total_freed_bytes", row.getLong("total_freed_bytes"));
    });
  }
}
