package dev.scriptd.persistence;

import dev.scriptd.bus.RunQuery;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunIo;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.RunLineage;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.RunUsage;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The SQL of the {@code runs} table and the mapping between its rows and {@link Run}. */
final class RunRows {
  private RunRows() {
  }

  static final String COLUMNS = "id, script_id, kind, command, status, exit_code, pid, pid_start, "
      + "progress, trigger, created_at, started_at, ended_at, timeout_seconds, log_lines, "
      + "log_bytes, restarted_from, result, error, env, cwd, limits, created_by, params, param_secrets, outputs, "
      + "parent_run_id, retry_of, attempt, not_before, chain_depth, usage, node";

  /**
   * What a read selects: {@link #COLUMNS} and {@code pinned}, which only the pin routes write, so a
   * save of a run (the upsert) never unpins it.
   */
  static final String SELECTED = COLUMNS + ", pinned";

  /**
   * Insert or update. A new row also counts lines already flushed for it; an existing row never
   * loses lines counted by a flush.
   */
  static String upsert(SqlDialect sql) {
    return "INSERT INTO runs (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
      + "?, ?, ?, ?, ?, ?, "
      + sql.greatest("?", "(SELECT COALESCE(MAX(last_seq), 0) FROM log_chunks WHERE run_id = ?)") + ", "
      + sql.greatest("?", "(SELECT COALESCE(SUM(byte_count), 0) FROM log_chunks WHERE run_id = ?)") + ", "
      + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      + "ON CONFLICT(id) DO UPDATE SET script_id = excluded.script_id, kind = excluded.kind, "
      + "command = excluded.command, status = excluded.status, exit_code = excluded.exit_code, "
      + "pid = excluded.pid, pid_start = excluded.pid_start, progress = excluded.progress, "
      + "trigger = excluded.trigger, created_at = excluded.created_at, "
      + "started_at = excluded.started_at, ended_at = excluded.ended_at, "
      + "timeout_seconds = excluded.timeout_seconds, "
      + "log_lines = " + sql.greatest("runs.log_lines", "excluded.log_lines") + ", "
      + "log_bytes = " + sql.greatest("runs.log_bytes", "excluded.log_bytes") + ", "
      + "restarted_from = excluded.restarted_from, result = excluded.result, "
      + "error = excluded.error, env = excluded.env, cwd = excluded.cwd, limits = excluded.limits, "
      + "params = excluded.params, param_secrets = excluded.param_secrets, outputs = excluded.outputs, "
      + "parent_run_id = excluded.parent_run_id, retry_of = excluded.retry_of, attempt = excluded.attempt, "
      + "not_before = excluded.not_before, chain_depth = excluded.chain_depth, "
      // who started a run never changes: a save that does not know it keeps the stored name
      + "created_by = COALESCE(excluded.created_by, runs.created_by), "

      // a save without a usage (a late progress save) never erases a measured one
      + "usage = COALESCE(excluded.usage, runs.usage), "
      // the node that runs it is set once, by that node; a save that does not know it keeps it
      + "node = COALESCE(excluded.node, runs.node) "
      // the fence: a run another node declared lost stays lost, whatever its old owner still saves
      + "WHERE " + NOT_FENCED;
  }

  /**
   * The upsert's condition: a stored {@code lost} is only ever replaced by {@code lost}. A node
   * that was declared dead and came back must not write a run's real end (or its progress) over
   * the {@code lost} that the cluster already acted on (retries, chains, notifications).
   */
  static final String NOT_FENCED = "runs.status <> 'lost' OR excluded.status = 'lost'";

  static final String SELECT_ONE = "SELECT " + SELECTED + " FROM runs WHERE id = ?";

  static final String SELECT_UNFINISHED = "SELECT " + SELECTED
      + " FROM runs WHERE status = 'running' OR (status = 'pending' AND queued = 0 AND held = 0)"
      + " ORDER BY created_at, id";

  /** Pending runs the run owner holds for a later start (retries, decided chain links), oldest first. */
  static final String SELECT_HELD = "SELECT " + SELECTED
      + " FROM runs WHERE status = 'pending' AND held = 1 ORDER BY created_at, id";
  static final String MARK_HELD = "UPDATE runs SET held = 1 WHERE id = ?";

  /** {@code queued} of a run waiting in its script's queue. */
  static final int IN_SCRIPT_QUEUE = 1;
  /** {@code queued} of a run waiting for a free slot (limits.max_concurrent_runs). */
  static final int AWAITING_SLOT = 2;

  /** Runs waiting in a script's queue, in the order they start. */
  static final String SELECT_QUEUED = "SELECT " + SELECTED
      + " FROM runs WHERE status = 'pending' AND queued = " + IN_SCRIPT_QUEUE + " ORDER BY created_at, id";
  /** Runs waiting for a free slot, in the order they take one. */
  static final String SELECT_SLOT_WAITING = "SELECT " + SELECTED
      + " FROM runs WHERE status = 'pending' AND queued = " + AWAITING_SLOT + " ORDER BY created_at, id";
  static final String MARK_QUEUED = "UPDATE runs SET queued = ? WHERE id = ?";

  /** The final statuses: a run with one of them has finished. */
  private static final String FINISHED = "('completed', 'failed', 'killed', 'timed_out', 'lost')";

  /** The figures of GET /api/runs/stats; the filters are appended by {@link #stats}. */
  private static final String STATS = "SELECT count(*) AS total, "
      + "COALESCE(SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0) AS completed, "
      + "COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed, "
      + "COALESCE(SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END), 0) AS running, "
      + "COALESCE(SUM(CASE WHEN status = 'killed' THEN 1 ELSE 0 END), 0) AS killed, "
      + "COALESCE(SUM(CASE WHEN status = 'timed_out' THEN 1 ELSE 0 END), 0) AS timed_out, "
      + "COALESCE(SUM(CASE WHEN status IN " + FINISHED + " THEN 1 ELSE 0 END), 0) AS finished, "
      + "AVG(CASE WHEN started_at IS NOT NULL AND ended_at IS NOT NULL THEN ended_at - started_at END) "
      + "AS average_duration_ms FROM runs WHERE 1 = 1";

  /** Which of some runs (the ids, appended as ?s) are stored {@code lost}. */
  static String selectLost(int ids) {
    return "SELECT id FROM runs WHERE status = 'lost' AND id IN (" + "?, ".repeat(Math.max(0, ids - 1)) + "?)";
  }

  static final String SELECT_STATUS = "SELECT status, created_at, pinned FROM runs WHERE id = ?";
  static final String DELETE_RUN = "DELETE FROM runs WHERE id = ?";
  static final String SET_PINNED = "UPDATE runs SET pinned = ? WHERE id = ?";
  static final String DELETE_CHUNKS = "DELETE FROM log_chunks WHERE run_id = ?";

  static Tuple upsertParams(Run run) {
    List<Object> values = new ArrayList<>(24);
    values.add(run.id());
    values.add(run.scriptId());
    values.add(run.kind());
    values.add(run.command());
    values.add(run.status().wire());
    values.add(run.exitCode());
    values.add(run.pid());
    values.add(run.pidStart());
    values.add(run.progress());
    values.add(run.trigger());
    values.add(millis(run.createdAt()));
    values.add(millis(run.startedAt()));
    values.add(millis(run.endedAt()));
    values.add(run.timeoutSeconds());
    values.add(run.logLines());
    values.add(run.id());
    values.add(run.logBytes());
    values.add(run.id());
    values.add(run.restartedFrom());
    values.add(run.result() == null ? null : Json.encode(run.result()));
    values.add(run.error());
    values.add(new JsonObject(new HashMap<String, Object>(run.env())).encode());
    values.add(run.cwd());
    values.add(run.limits().toStored());
    values.add(run.createdBy());
    values.add(run.io().params().isEmpty() ? null : run.io().params().encode());
    values.add(run.io().secretsStored());
    values.add(run.io().outputs().isEmpty() ? null : run.io().outputs().encode());
    values.add(run.lineage().parentRunId());
    values.add(run.lineage().retryOf());
    values.add(run.lineage().attempt());
    values.add(millis(run.lineage().notBefore()));
    values.add(run.lineage().chainDepth());
    values.add(run.usage() == null ? null : run.usage().toJson().encode());
    values.add(run.node());
    return Tuple.tuple(values);
  }

  /** {@link #SELECTED}'s column names, in their order. */
  private static final List<String> SELECTED_NAMES = List.of(SELECTED.split(", "));
  /** Where each of {@link #SELECTED_NAMES} lies in a row selected with {@link #SELECTED}: its own place. */
  private static final int[] IN_ORDER = java.util.stream.IntStream.range(0, SELECTED_NAMES.size()).toArray();
  private static final int ID = selected("id");
  private static final int SCRIPT_ID = selected("script_id");
  private static final int KIND = selected("kind");
  private static final int COMMAND = selected("command");
  private static final int STATUS = selected("status");
  private static final int EXIT_CODE = selected("exit_code");
  private static final int PID = selected("pid");
  private static final int PID_START = selected("pid_start");
  private static final int PROGRESS = selected("progress");
  private static final int TRIGGER = selected("trigger");
  private static final int CREATED_AT = selected("created_at");
  private static final int STARTED_AT = selected("started_at");
  private static final int ENDED_AT = selected("ended_at");
  private static final int TIMEOUT_SECONDS = selected("timeout_seconds");
  private static final int LOG_LINES = selected("log_lines");
  private static final int LOG_BYTES = selected("log_bytes");
  private static final int RESTARTED_FROM = selected("restarted_from");
  private static final int RESULT = selected("result");
  private static final int ERROR = selected("error");
  private static final int ENV = selected("env");
  private static final int CWD = selected("cwd");
  private static final int LIMITS = selected("limits");
  private static final int PINNED = selected("pinned");
  private static final int CREATED_BY = selected("created_by");
  private static final int PARAMS = selected("params");
  private static final int PARAM_SECRETS = selected("param_secrets");
  private static final int OUTPUTS = selected("outputs");
  private static final int PARENT_RUN_ID = selected("parent_run_id");
  private static final int RETRY_OF = selected("retry_of");
  private static final int ATTEMPT = selected("attempt");
  private static final int NOT_BEFORE = selected("not_before");
  private static final int CHAIN_DEPTH = selected("chain_depth");
  private static final int USAGE = selected("usage");
  private static final int NODE = selected("node");

  private static int selected(String column) {
    int index = SELECTED_NAMES.indexOf(column);
    if (index < 0) {
      throw new IllegalStateException("column " + column + " is not selected");
    }
    return index;
  }

  /**
   * Where each selected column lies in {@code row}: in order when the row is exactly
   * {@link #SELECTED} (every run query but the scripts' join), else found by name. A lookup by name
   * scans the row's column names: 34 of them took about 8 % of the event loops' time in reads of
   * runs from PostgreSQL.
   */
  static int[] columns(Row row) {
    int count = SELECTED_NAMES.size();
    boolean inOrder = row.size() == count;
    for (int i = 0; i < count && inOrder; i++) {
      inOrder = SELECTED_NAMES.get(i).equals(row.getColumnName(i));
    }
    if (inOrder) {
      return IN_ORDER;
    }
    int[] at = new int[count];
    for (int i = 0; i < count; i++) {
      at[i] = row.getColumnIndex(SELECTED_NAMES.get(i));
      if (at[i] < 0) {
        throw new java.util.NoSuchElementException("column " + SELECTED_NAMES.get(i) + " is not in the row");
      }
    }
    return at;
  }

  static Run fromRow(Row row) {
    int[] at = columns(row);
    return new Run(
        row.getString(at[ID]),
        row.getString(at[SCRIPT_ID]),
        row.getString(at[KIND]),
        row.getString(at[COMMAND]),
        RunStatus.fromWire(row.getString(at[STATUS])),
        row.getInteger(at[EXIT_CODE]),
        row.getInteger(at[PID]),
        row.getLong(at[PID_START]),
        row.getInteger(at[PROGRESS]),
        row.getString(at[TRIGGER]),
        instant(row.getLong(at[CREATED_AT])),
        instant(row.getLong(at[STARTED_AT])),
        instant(row.getLong(at[ENDED_AT])),
        row.getLong(at[TIMEOUT_SECONDS]),
        row.getLong(at[LOG_LINES]),
        row.getLong(at[LOG_BYTES]),
        row.getString(at[RESTARTED_FROM]),
        result(row.getString(at[RESULT])),
        row.getString(at[ERROR]),
        env(row.getString(at[ENV])),
        row.getString(at[CWD]),
        RunLimits.fromStored(row.getString(at[LIMITS])),
        Integer.valueOf(1).equals(row.getInteger(at[PINNED])),
        row.getString(at[CREATED_BY]),
        RunIo.fromStored(row.getString(at[PARAMS]), row.getString(at[PARAM_SECRETS]), row.getString(at[OUTPUTS])),
        new RunLineage(row.getString(at[PARENT_RUN_ID]), row.getString(at[RETRY_OF]),
            Math.max(1, row.getInteger(at[ATTEMPT])), instant(row.getLong(at[NOT_BEFORE])),
            Math.max(0, row.getInteger(at[CHAIN_DEPTH]))),
        RunUsage.fromStored(row.getString(at[USAGE])),
        row.getString(at[NODE]));
  }

  /** A keyset query for one page; fetches {@code limit + 1} rows to know if more follow. */
  record PageQuery(String sql, Tuple params) {
  }

  /**
   * The p50 and p95 durations of the finished runs, by the nearest-rank method: the value at rank
   * ceil(p/100 * n) of the n durations sorted ascending (an observed duration, never an
   * interpolation). The filters pick the rows through the same indexes as the list (runs_by_script
   * for a script); the window function numbers them in duration order.
   */
  private static final String PERCENTILES_HEAD = "SELECT MAX(CASE WHEN rn = (n * 50 + 99) / 100 THEN ms END) AS p50, "
      + "MAX(CASE WHEN rn = (n * 95 + 99) / 100 THEN ms END) AS p95 FROM ("
      + "SELECT ms, ROW_NUMBER() OVER (ORDER BY ms) AS rn, COUNT(*) OVER () AS n FROM ("
      + "SELECT ended_at - started_at AS ms FROM runs WHERE status IN " + FINISHED
      + " AND started_at IS NOT NULL AND ended_at IS NOT NULL";
  /** Every subquery in FROM is named: PostgreSQL (before 16) requires it. */
  private static final String PERCENTILES_TAIL = ") d) o";

  /** The figures of GET /api/runs/stats, from {@code client} (a reader pool). */
  static io.vertx.core.Future<JsonObject> stats(io.vertx.sqlclient.SqlClient client, RunQuery query) {
    PageQuery stats = stats(query);
    return client.preparedQuery(stats.sql()).execute(stats.params()).map(rows -> {
      Row row = rows.iterator().next();
      Object average = row.getValue("average_duration_ms");
      long completed = row.getLong("completed");
      long finished = row.getLong("finished");
      return new JsonObject()
          .put("total", row.getLong("total"))
          .put("completed", completed)
          .put("failed", row.getLong("failed"))
          .put("running", row.getLong("running"))
          .put("killed", row.getLong("killed"))
          .put("timed_out", row.getLong("timed_out"))
          .put("average_duration_ms", average instanceof Number number ? Math.round(number.doubleValue()) : null)
          .put("success_rate", finished == 0 ? null : (double) completed / finished)
          .put("p50_duration_ms", row.getLong("p50"))
          .put("p95_duration_ms", row.getLong("p95"));
    });
  }

  /** Every pending or running run, queued ones too: the live part of the run view. */
  static final String SELECT_LIVE = "SELECT " + SELECTED + " FROM runs WHERE status IN ('pending', 'running')";

  /** The pending and running runs of one cluster node, queued and held ones too; the parameter is its id. */
  static final String SELECT_NODE_LIVE = SELECT_LIVE + " AND node = ?";

  /** The newest runs, newest first; the parameter is how many. */
  static final String SELECT_NEWEST = "SELECT " + SELECTED + " FROM runs ORDER BY created_at DESC, id DESC LIMIT ?";

  /** The counts and the percentiles in one statement, so that both read one snapshot. */
  static PageQuery stats(RunQuery query) {
    StringBuilder sql = new StringBuilder("SELECT * FROM (").append(STATS);
    Tuple params = Tuple.tuple();
    filters(query, sql, params, false);
    sql.append(") c, (").append(PERCENTILES_HEAD);
    filters(query, sql, params, false);
    return new PageQuery(sql.append(PERCENTILES_TAIL).append(") p").toString(), params);
  }

  static PageQuery page(RunQuery query, RunCursor after, int limit) {
    StringBuilder sql = new StringBuilder("SELECT ").append(SELECTED).append(" FROM runs WHERE 1 = 1");
    Tuple params = Tuple.tuple();
    // below the cursor implies below "to": leaving "to" out lets the index seek on the cursor
    boolean cursorBoundsTo = after != null && query.to() != null && after.createdAtMs() < query.to().toEpochMilli();
    filters(query, sql, params, cursorBoundsTo);
    if (after != null) {
      // a row value, not "created_at < ? OR (created_at = ? AND id < ?)": SQLite seeks the index
      // with it, while the OR form scans from the newest run (30 ms at 1 M runs for a middle page)
      sql.append(" AND (created_at, id) < (?, ?)");
      params.addLong(after.createdAtMs()).addString(after.id());
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
    params.addInteger(limit + 1);
    return new PageQuery(sql.toString(), params);
  }

  /** Appends the run-list filters as " AND ..." conditions on unqualified runs columns. */
  static void filters(RunQuery query, StringBuilder sql, Tuple params, boolean skipTo) {
    if (query.parentRunId() != null) {
      sql.append(" AND parent_run_id = ?");
      params.addString(query.parentRunId());
    }
    if (query.trigger() != null) {
      sql.append(" AND trigger = ?");
      params.addString(query.trigger());
    }
    if (query.retryOf() != null) {
      sql.append(" AND retry_of = ?");
      params.addString(query.retryOf());
    }
    if (query.scriptId() != null) {
      sql.append(" AND script_id = ?");
      params.addString(query.scriptId());
    }
    if (query.status() != null) {
      sql.append(" AND status = ?");
      params.addString(query.status().wire());
    }
    if (query.createdBy() != null) {
      sql.append(" AND created_by = ?");
      params.addString(query.createdBy());
    }
    if (query.from() != null) {
      sql.append(" AND created_at >= ?");
      params.addLong(query.from().toEpochMilli());
    }
    if (query.to() != null && !skipTo) {
      sql.append(" AND created_at < ?");
      params.addLong(query.to().toEpochMilli());
    }
  }

  private static Long millis(Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }

  private static Object result(String json) {
    return json == null ? null : Json.decodeValue(json);
  }

  private static Map<String, String> env(String json) {
    // most runs store {}: no parser for it
    if (json == null || json.isEmpty() || json.equals("{}")) {
      return Map.of();
    }
    Map<String, String> env = new HashMap<>();
    new JsonObject(json).forEach(entry -> env.put(entry.getKey(), String.valueOf(entry.getValue())));
    return env;
  }
}
