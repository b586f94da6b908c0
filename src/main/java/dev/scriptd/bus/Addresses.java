package dev.scriptd.bus;

/**
 * Every event-bus address of scriptd: {@code scriptd.<area>.<kind>.<name>[.<id>]}. {@code cmd} and
 * {@code query} are request/reply, {@code evt} is published, {@code log} is a per-run stream.
 * The {@code runs.*} addresses are public (JSON bodies, see README); {@code db.*} are internal
 * (record bodies with local codecs).
 */
public final class Addresses {
  private Addresses() {
  }

  /** JSON {command, timeout?, env?, cwd?, script_id?, trigger?, restarted_from?} -> run JSON. */
  public static final String RUNS_START = "scriptd.runs.cmd.start";
  /** JSON {run_id} -> run JSON; fails 404 unknown, 409 already ended. */
  public static final String RUNS_KILL = "scriptd.runs.cmd.kill";
  /** JSON {run_id, trigger?} -> the new run JSON. */
  public static final String RUNS_RESTART = "scriptd.runs.cmd.restart";
  /** LogQuery -> LogPage from the live run's ring buffer; fails 404 when the run is not live
   * or 416 when afterSeq is older than the ring (read SQLite instead). */
  public static final String RUNS_RECENT_LINES = "scriptd.runs.query.recent-lines";
  /** Run JSON published on every status change. */
  public static final String RUNS_STATUS = "scriptd.runs.evt.status";
  /** Prefix of the per-run line streams; {@link dev.scriptd.domain.LogChunk} bodies. */
  public static final String RUNS_LOG_PREFIX = "scriptd.runs.log.";

  /** Run record -> the same Run once it is stored (insert or update). */
  public static final String DB_SAVE_RUN = "scriptd.db.cmd.save-run";
  /** LogChunk, send only: buffered and written in batches. */
  public static final String DB_APPEND_LOGS = "scriptd.db.cmd.append-logs";
  /** String run id -> nothing; fails 404 unknown, 409 when the run has not ended. */
  public static final String DB_DELETE_RUN = "scriptd.db.cmd.delete-run";
  /** String run id -> Run; fails 404. */
  public static final String DB_GET_RUN = "scriptd.db.query.run";
  /** RunQuery -> RunPage, newest first. */
  public static final String DB_LIST_RUNS = "scriptd.db.query.runs";
  /** LogQuery -> LogPage; everything appended before the query is included. */
  public static final String DB_READ_LOGS = "scriptd.db.query.logs";
  /** Nothing -> RunPage of every run left pending or running (for recovery at start). */
  public static final String DB_UNFINISHED_RUNS = "scriptd.db.query.unfinished-runs";
  /** Nothing -> JsonObject health details; fails 503 when the database does not answer. */
  public static final String DB_HEALTH = "scriptd.db.query.health";

  /** Nothing -> JsonObject {pending_lines, last_flush_ms} of the log writer; answers even when the
   * database does not. */
  public static final String DB_WRITER_STATS = "scriptd.db.query.writer-stats";

  public static String runLog(String runId) {
    return RUNS_LOG_PREFIX + runId;
  }
}
