package dev.scriptd.bus;

/**
 * Every event-bus address of scriptd: {@code scriptd.<area>.<kind>.<name>[.<id>]}. {@code cmd} and
 * {@code query} are request/reply, {@code evt} is published, {@code log} is a per-run stream.
 * The {@code runs.*} addresses are public (JSON bodies, see src/docs/architecture.md, "Event bus");
 * {@code db.*} are internal (record bodies with local codecs).
 *
 * <p>These are the default names, those of the default bus namespace {@code scriptd}. A deployment
 * uses them through its {@link Namespace} ({@code bus_namespace}): {@code ns.of(RUNS_START)},
 * {@code ns.runLog(id)}; never directly.
 */
public final class Addresses {
  private Addresses() {
  }

  /**
   * JSON {command, timeout?, env?, cwd?, stdin?, limits?, trigger?} (a shell run), {program,
   * timeout?, wait?} (a js run; with wait the reply comes once it ended) or {script_id, env?,
   * trigger?} (a script's run, under its concurrency) -> run JSON. The public face of the run
   * owner: one adapter turns the JSON into its typed commands. In a cluster a shell run or a
   * script's run may name a live {@code node}; else it is placed on the node with the fewest
   * running runs, or on the coordinator for a forbid, queue or replace script.
   */
  public static final String RUNS_START = "scriptd.runs.cmd.start";
  /** StartScript -> Run (internal, typed): a script's run under its concurrency rule; see StartScript. */
  public static final String RUNS_START_SCRIPT = "scriptd.runs.cmd.start-script";
  /** ScriptRunsCommand -> see ScriptRunsCommand (internal, typed): kill, restart or end every run of a script. */
  public static final String RUNS_SCRIPT_RUNS = "scriptd.runs.cmd.script-runs";
  /**
   * JSON {run_id} -> run JSON (a queued run ends killed at once); fails 404 unknown, 409 already
   * ended. In a cluster, a run live on another node is killed by that node.
   */
  public static final String RUNS_KILL = "scriptd.runs.cmd.kill";
  /** JSON {run_id, trigger?} -> the new run JSON (in a cluster, a run live on another node is restarted there). */
  public static final String RUNS_RESTART = "scriptd.runs.cmd.restart";
  /** LogQuery -> LogPage from the live run's ring buffer; fails 404 when the run is not live
   * or 416 when afterSeq is older than the ring (read SQLite instead). */
  public static final String RUNS_RECENT_LINES = "scriptd.runs.query.recent-lines";
  /**
   * Nothing -> JSON {status: UP, mode: cgroup|process_group, reason, cgroup?, controllers?}: how
   * runs' processes are contained, and why (the containment check of /health).
   */
  public static final String RUNS_CONTAINMENT = "scriptd.runs.query.containment";
  /** Run JSON published on every status change. */
  public static final String RUNS_STATUS = "scriptd.runs.evt.status";
  /**
   * JSON {run_id, pinned}, published once a pin change is committed: the run owner's copy of a live
   * run learns it, so its answers and status events keep the pin.
   */
  public static final String RUNS_PINNED = "scriptd.runs.evt.pinned";
  /**
   * A cluster node's id -> JSON {lost: n, moved: n} (local): that node left the cluster, so the run
   * owner takes over the runs it left waiting (queued, waiting for a slot, held) and marks its other
   * pending and running runs lost. Sent by the one surviving node that takes it on (the oldest, the
   * coordinator now).
   */
  public static final String RUNS_NODE_LEFT = "scriptd.runs.cmd.node-left";
  /**
   * JSON {node, running}, published in a cluster only (clustered consumers): a node's run owner says
   * how many runs it is running now, when the count changed and every second; the run owners place
   * new runs by it.
   */
  public static final String RUNS_LOAD = "scriptd.runs.evt.load";
  /**
   * Nothing -> JSON {nodes: {id: running}} (local, only in a cluster): the running counts by which
   * this node's run owner places new runs, as the nodes last reported them plus its placements since.
   */
  public static final String RUNS_LOADS = "scriptd.runs.query.loads";
  /**
   * Run (a held pending run: a due retry, a chain link) -> the Run as started, queued or refused
   * (typed, wire form): only on a node's own address ({@link #onNode}); the run owner of another
   * node hands over a held run that must start on this node (placed here, or this node is the
   * coordinator of its script's concurrency).
   */
  public static final String RUNS_START_HELD = "scriptd.runs.cmd.start-held";
  /** Prefix of the per-run line streams; {@link dev.scriptd.domain.LogChunk} bodies. */
  public static final String RUNS_LOG_PREFIX = "scriptd.runs.log.";

  /** Run record -> the same Run once it is stored (insert or update). */
  public static final String DB_SAVE_RUN = "scriptd.db.cmd.save-run";
  /** LogChunk, send only: buffered and written in batches. */
  public static final String DB_APPEND_LOGS = "scriptd.db.cmd.append-logs";
  /** String run id -> nothing; fails 404 unknown, 409 when the run has not ended. */
  public static final String DB_DELETE_RUN = "scriptd.db.cmd.delete-run";
  /** {@code {"run_id", "pinned": true|false}}; replies with the stored {@link dev.scriptd.domain.Run}. */
  public static final String DB_PIN_RUN = "scriptd.db.cmd.pin-run";
  /** String run id -> Run; fails 404. */
  public static final String DB_GET_RUN = "scriptd.db.query.run";
  /** RunQuery -> RunPage, newest first. */
  public static final String DB_LIST_RUNS = "scriptd.db.query.runs";
  /**
   * LogQuery -> LogPage; everything appended before the query is included. Clustered, each node's
   * persistence also answers it at {@code onNode(DB_READ_LOGS, <its node id>)} with the JSON forms
   * ({@link LogQuery#toJson}, {@link LogPage#toJson}): only the node that runs a run knows every line
   * it received, some of which its log writer may not have committed yet.
   */
  public static final String DB_READ_LOGS = "scriptd.db.query.logs";
  /** SearchQuery -> SearchPage; lines still buffered by the log writer are not included yet. */
  public static final String DB_SEARCH_LOGS = "scriptd.db.query.search-logs";
  /** A cluster node's id -> RunPage of that node's pending (queued and held too) and running runs. */
  public static final String DB_NODE_LIVE_RUNS = "scriptd.db.query.node-live-runs";
  /**
   * JsonArray of run ids -> JsonArray of those stored {@code lost} (a node's check that no run it
   * still runs was declared lost by the cluster meanwhile).
   */
  public static final String DB_LOST_RUNS = "scriptd.db.query.lost-runs";
  /** Nothing -> RunPage of every run left pending or running (for recovery at start). */
  public static final String DB_UNFINISHED_RUNS = "scriptd.db.query.unfinished-runs";
  /** Nothing -> JsonObject health details ({@code lock}: whether another process holds the write lock); fails 503 when the database does not answer. */
  public static final String DB_HEALTH = "scriptd.db.query.health";

  /** Nothing -> JsonObject {pending_lines, last_flush_ms} of the log writer; answers even when the
   * database does not. */
  public static final String DB_WRITER_STATS = "scriptd.db.query.writer-stats";
  /** Script record -> the same Script once stored; fails 409 when another script has its name. */
  public static final String DB_SAVE_SCRIPT = "scriptd.db.cmd.save-script";
  /** String id or name -> ScriptEntry (an id match wins over a name match); fails 404. */
  public static final String DB_GET_SCRIPT = "scriptd.db.query.script";
  /** ScriptQuery -> ScriptList by name, each with its latest run (one query); 400 bad cursor. */
  public static final String DB_LIST_SCRIPTS = "scriptd.db.query.scripts";
  /** String script id -> nothing: deletes the script, its runs (must have ended), their logs and log files. */
  public static final String DB_DELETE_SCRIPT = "scriptd.db.cmd.delete-script";
  /**
   * ScriptChanges -> the same ScriptChanges once written, all in one transaction; fails 409 (nothing
   * written) when a script to delete has a pending or running run, when a script to update or delete
   * changed since it was read, or when a new script's name is taken.
   */
  public static final String DB_APPLY_SCRIPTS = "scriptd.db.cmd.apply-scripts";
  /** Run (pending) -> the same Run, stored with its queued flag set (recovery leaves it pending). */
  public static final String DB_QUEUE_RUN = "scriptd.db.cmd.queue-run";
  /** Nothing -> RunPage of every queued pending run, oldest first. */
  public static final String DB_QUEUED_RUNS = "scriptd.db.query.queued-runs";
  /** JSON {script_id, name} -> JsonArray of the names of the other scripts whose then names it (by id or name). */
  public static final String DB_CHAINED_FROM = "scriptd.db.query.chained-from";
  /** Run (pending) -> the same Run, stored held: a retry waiting for not_before or a decided chain link. */
  public static final String DB_HOLD_RUN = "scriptd.db.cmd.hold-run";
  /** Nothing -> RunPage of every held pending run, oldest first (the run owner starts them again at start). */
  public static final String DB_HELD_RUNS = "scriptd.db.query.held-runs";
  /**
   * JSON {items: [delivery]} -> nothing: adds deliveries to the notification outbox (each {id, run_id,
   * event, url, secret?, headers, body, next_attempt_at}), all in one transaction.
   */
  public static final String DB_ADD_NOTIFICATIONS = "scriptd.db.cmd.add-notifications";
  /** JSON {limit} -> JSON {items: [delivery with url, secret, headers, body]}: pending deliveries now due, oldest first. */
  public static final String DB_DUE_NOTIFICATIONS = "scriptd.db.query.due-notifications";
  /** Nothing -> JSON {next_attempt_at: ms|null}: when the earliest pending delivery is due. */
  public static final String DB_NEXT_NOTIFICATION = "scriptd.db.query.next-notification";
  /** JSON {id, status, attempts, last_status_code, last_error, next_attempt_at, delivered_at} -> nothing. */
  public static final String DB_UPDATE_NOTIFICATION = "scriptd.db.cmd.update-notification";
  /** JSON {run_id?, status?, limit, cursor?} -> JSON {items: [delivery as the API shows it], next_cursor}. */
  public static final String DB_LIST_NOTIFICATIONS = "scriptd.db.query.notifications";
  /** Nothing, published when deliveries were added to the outbox: the notifier looks at once. */
  public static final String NOTIFY_ADDED = "scriptd.notify.evt.added";

  /**
   * Run (pending) -> the same Run, stored as waiting for a free slot (limits.max_concurrent_runs):
   * recovery leaves it pending and the next start queues it for a slot again.
   */
  public static final String DB_AWAIT_SLOT = "scriptd.db.cmd.await-slot";
  /** Nothing -> RunPage of every pending run waiting for a free slot, oldest first. */
  public static final String DB_SLOT_WAITING_RUNS = "scriptd.db.query.slot-waiting-runs";
  /** RunQuery (filters only) -> JsonObject {total, completed, failed, running, killed, timed_out,
   * average_duration_ms}. */
  public static final String DB_RUN_STATS = "scriptd.db.query.run-stats";
  /** CleanupRequest -> CleanupStats; deletes in batches, then returns freed pages to the filesystem. */
  public static final String DB_CLEANUP = "scriptd.db.cmd.cleanup";
  /** Nothing -> JsonObject {last_run_at, last_run_stats, total_deleted_runs, total_freed_bytes}. */
  public static final String DB_CLEANUP_STATE = "scriptd.db.query.cleanup-state";

  /** JSON {script_id (id or name), env?, trigger?, stdin?, request?, wait?} -> run JSON (201
   * semantics): resolves the script and hands the run owner a StartScript, which applies the
   * script's concurrency: 409 forbid, a pending queued run for queue, kills first for replace.
   * With {trigger: cron, version} (a scheduler fire) it fails 409 unless that version is still the
   * stored, enabled, scheduled definition and no change of the script is in flight. */
  public static final String SCRIPTS_RUN = "scriptd.scripts.cmd.run";
  /** JSON script definition (API shape) -> script JSON; 400 invalid, 409 name taken. */
  public static final String SCRIPTS_CREATE = "scriptd.scripts.cmd.create";
  /** JSON {script_id, definition} -> script JSON with version + 1. */
  public static final String SCRIPTS_UPDATE = "scriptd.scripts.cmd.update";
  /** JSON {script_id} -> JSON {script_id}: kills its runs, then deletes it with its runs and logs. */
  public static final String SCRIPTS_DELETE = "scriptd.scripts.cmd.delete";
  /**
   * JSON {scripts: [definition], prune?, dry_run?} -> JSON {created, updated, unchanged, deleted}
   * (script names): creates or replaces scripts by name (unchanged ones keep their version), with
   * prune deletes the scripts not listed; with dry_run changes nothing. All or nothing: fails 400
   * naming the first invalid definition, 409 when a script to prune has a pending or running run.
   * Publishes SCRIPTS_CHANGED for each script created, updated or deleted.
   */
  public static final String SCRIPTS_APPLY = "scriptd.scripts.cmd.apply";
  /** Nothing -> JSON {scripts: [definition]} by name: no ids, times or last_run; secret env values as "***". */
  public static final String SCRIPTS_EXPORT = "scriptd.scripts.query.export";
  /**
   * Nothing -> JSON {status: UP|DOWN, dir, applied_at, error?, file?} of the scripts.dir folder;
   * no consumer when scripts.dir is unset.
   */
  public static final String SCRIPTS_DIR_STATUS = "scriptd.scripts.query.dir-status";
  /** Nothing -> JSON {nodes: [{id, address, started_at, running_runs, version, self}]}, as GET /api/cluster shows it (local). */
  public static final String CLUSTER_NODES = "scriptd.cluster.query.nodes";
  /**
   * Nothing -> JSON {status, enabled, node_id, members?: [node id]} (local): the /health check and the
   * live nodes a run may name.
   */
  public static final String CLUSTER_STATUS = "scriptd.cluster.query.status";
  /**
   * Prefix of each node's own address ({@code <prefix><node id>}), clustered: nothing -> JSON
   * {id, address, started_at, running_runs, version} of that node. JSON, never a local codec: a
   * body on a local codec sent to another node is dropped.
   */
  public static final String CLUSTER_NODE_PREFIX = "scriptd.cluster.query.node.";
  /** JSON {days?} -> cleanup stats JSON; 409 while a cleanup runs. */
  public static final String SCRIPTS_CLEANUP = "scriptd.scripts.cmd.cleanup";
  /** Nothing -> cleanup status JSON (src/docs/api.md). */
  public static final String SCRIPTS_CLEANUP_STATUS = "scriptd.scripts.query.cleanup-status";
  /** JsProgram -> JsOutcome once the program ended (internal, typed): the JS executor runs a js run's program. */
  public static final String JS_EXECUTE = "scriptd.js.cmd.execute";
  /** StopRun, send only (internal, typed): the JS executor stops a program (kill, timeout of a wait, shutdown). */
  public static final String JS_STOP = "scriptd.js.cmd.stop";
  /** Nothing -> JSON {compilations, cached_sources, contexts_in_use, executions}. */
  public static final String JS_STATS = "scriptd.js.query.stats";

  /** Nothing -> ScheduleState.All: every stored schedule state (the scheduler reads it at start). */
  public static final String DB_SCHEDULE_STATES = "scriptd.db.query.schedule-states";
  /** ScheduleState -> the same ScheduleState once stored (insert or replace). */
  public static final String DB_SAVE_SCHEDULE_STATE = "scriptd.db.cmd.save-schedule-state";
  /**
   * ScheduleFire.Batch -> ScheduleFire.Batch of the rows it added: each row is inserted unless its
   * (script, fire time) is in the ledger already (then it is left as it was and not in the reply).
   */
  public static final String DB_CLAIM_SCHEDULE_FIRES = "scriptd.db.cmd.claim-schedule-fires";
  /** ScheduleFire (with its outcome) -> the same ScheduleFire once its ledger row carries it. */
  public static final String DB_DECIDE_SCHEDULE_FIRE = "scriptd.db.cmd.decide-schedule-fire";
  /** ScheduleFire.Query -> ScheduleFire.Page, newest fire time first; fails 400 on a bad cursor. */
  public static final String DB_SCHEDULE_FIRES = "scriptd.db.query.schedule-fires";
  /** ScheduleFire.Prune -> Long: ledger rows deleted (the retention job, after its pass over runs). */
  public static final String DB_PRUNE_SCHEDULE_FIRES = "scriptd.db.cmd.prune-schedule-fires";
  /** JSON {script_id, action: created|updated|deleted, script}: published after a script is created,
   * replaced (script JSON) or deleted (script null), before the change is acknowledged; the scheduler
   * re-arms from it, the HTTP instances reload their endpoint tables, the JS verticle drops stale
   * compiled sources. */
  public static final String SCRIPTS_CHANGED = "scriptd.scripts.evt.changed";

  /** ApiToken (hash only) -> the same token once stored. */
  public static final String DB_SAVE_TOKEN = "scriptd.db.cmd.save-token";
  /** String token id -> the deleted ApiToken; fails 404 unknown, 409 for the last admin token. */
  public static final String DB_DELETE_TOKEN = "scriptd.db.cmd.delete-token";
  /** ApiToken (admin, hash only) -> TokenList of the admin tokens it replaced (all of them, revoked). */
  public static final String DB_REPLACE_ADMIN_TOKENS = "scriptd.db.cmd.replace-admin-tokens";
  /** TokenUse, send only: records last_used_at (the sender throttles it). */
  public static final String DB_TOUCH_TOKEN = "scriptd.db.cmd.touch-token";
  /** String SHA-256 hex of a token -> ApiToken; fails 404. */
  public static final String DB_FIND_TOKEN = "scriptd.db.query.token";
  /** Nothing -> TokenList, oldest first. */
  public static final String DB_LIST_TOKENS = "scriptd.db.query.tokens";
  /** JSON {limit, cursor?} -> JSON {items: [token as the API shows it, no secret], next_cursor}, oldest first. */
  public static final String DB_PAGE_TOKENS = "scriptd.db.query.token-page";
  /** SsoSession (hash only) -> the same session once stored; expired sessions are dropped on the way. */
  public static final String DB_SAVE_SESSION = "scriptd.db.cmd.save-session";
  /** String SHA-256 hex of a session id -> SsoSession; fails 404 when unknown or expired. */
  public static final String DB_FIND_SESSION = "scriptd.db.query.session";
  /** String SHA-256 hex of a session id -> Boolean: whether a session was deleted (logout). */
  public static final String DB_DELETE_SESSION = "scriptd.db.cmd.delete-session";
  /** Nothing -> String path of a new consistent snapshot of the database (the caller deletes it). */
  public static final String DB_BACKUP = "scriptd.db.cmd.backup";

  /**
   * AuditRecord (unchained), send only: appended to the audit log by its one writer, in arrival
   * order; dropped and counted when the writer's queue is full.
   */
  public static final String DB_AUDIT_APPEND = "scriptd.db.cmd.audit-append";
  /** AuditQuery -> JSON {items: [record], next_cursor}, newest first; 400 for a bad cursor. */
  public static final String DB_AUDIT_LIST = "scriptd.db.query.audit";
  /** Nothing -> JSON {ok: true, records} or {ok: false, first_bad_id}: the chain checked from its anchor. */
  public static final String DB_AUDIT_VERIFY = "scriptd.db.query.audit-verify";
  /**
   * String SHA-256 hex of a revoked token or of an ended single sign-on session, published: every
   * HTTP instance forgets it at once and ends the streams opened with it.
   */
  public static final String TOKENS_REVOKED = "scriptd.tokens.evt.revoked";

  /**
   * The per-node form of {@code address} (a namespaced one too): {@code <address>.node.<nodeId>}, a
   * clustered consumer of that node only (registered only when clustered), with JSON (or
   * wire-form) bodies. The run owner answers RUNS_START, RUNS_START_SCRIPT, RUNS_START_HELD,
   * RUNS_KILL, RUNS_RESTART and RUNS_SCRIPT_RUNS there for what another node's run owner forwards:
   * the command is carried out on that node, never forwarded again.
   */
  public static String onNode(String address, String nodeId) {
    return address + ".node." + nodeId;
  }

  public static String runLog(String runId) {
    return RUNS_LOG_PREFIX + runId;
  }

  /** Long, published by persistence after each write: the total of log lines it has committed
   * (the run owner's back-pressure reads it). */
  public static final String DB_LINES_COMMITTED = "scriptd.db.evt.lines-committed";
}
