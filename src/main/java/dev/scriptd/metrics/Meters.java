package dev.scriptd.metrics;

import java.time.Duration;
import java.util.List;

/**
 * scriptd's own meter names and tags. Micrometer's Prometheus naming appends {@code _total} to
 * counters and {@code _seconds} to timers, so {@link #EXECUTIONS} is scraped as
 * {@code script_executions_total} and {@link #EXECUTION_DURATION} as
 * {@code script_execution_duration_seconds}.
 */
public final class Meters {
  private Meters() {
  }

  /** Counter, tags script_id, type, status: once per run when it reaches its final status. */
  public static final String EXECUTIONS = "script_executions";
  /** Timer (histogram), tags script_id, type, status: a run's duration (start to end). */
  public static final String EXECUTION_DURATION = "script_execution_duration";
  /** Gauge: runs running now. */
  public static final String ACTIVE_SCRIPTS = "active_scripts_gauge";
  /** Gauge: JavaScript contexts in use (fed by the JS verticle). */
  public static final String ACTIVE_VMS = "active_vms_gauge";
  /** Gauge: runs accepted but not yet running. */
  public static final String QUEUED_RUNS = "scriptd_runs_queued";
  /** Counter: log lines handed to storage. */
  public static final String LINES_INGESTED = "scriptd_log_lines_ingested";
  /** Counter: log lines that could not be stored. */
  public static final String LINES_DROPPED = "scriptd_log_lines_dropped";
  /** Distribution summary: lines per SQLite batch. */
  public static final String BATCH_LINES = "scriptd_sqlite_batch_lines";
  /** Timer: duration of one SQLite batch write. */
  public static final String FLUSH = "scriptd_sqlite_flush";
  /** Gauge: live tail subscribers (SSE and WebSocket), summed over the HTTP instances. */
  public static final String TAIL_SUBSCRIBERS = "scriptd_tail_subscribers";

  /** Counter, tag outcome: once per due fire time of a schedule, when the scheduler decided for it. */
  public static final String SCHEDULE_FIRES = "scriptd_schedule_fires";

  /** Counter, tag status: requests refused with 401 (no valid credential), 403 (role too low, cross-origin) or 429. */
  public static final String REQUESTS_REFUSED = "scriptd_requests_refused";
  /** The status values of {@link #REQUESTS_REFUSED}. */
  public static final List<Integer> REFUSED_STATUSES = List.of(401, 403, 429);
  /** Counter: audit records dropped because the writer's queue was full (audit.max_queued). */
  public static final String AUDIT_DROPPED = "scriptd_audit_dropped";
  /** Counter: audit records written. */
  public static final String AUDIT_WRITTEN = "scriptd_audit_records";
  /** Counter, tag outcome: once per delivery attempt of a notification (delivered, retried, failed). */
  public static final String NOTIFICATIONS = "scriptd_notifications";
  /** The outcome values of {@link #NOTIFICATIONS}: failed = no attempt left. */
  public static final List<String> NOTIFICATION_OUTCOMES = List.of("delivered", "retried", "failed");
  /** Counter: pending retries created (one per retry attempt decided). */
  public static final String RETRIES = "scriptd_retries";
  /** Counter, tag outcome: runs a chain ({@code then}) decided: started, or refused (recorded failed). */
  public static final String CHAIN_RUNS = "scriptd_chain_runs";
  public static final List<String> CHAIN_OUTCOMES = List.of("started", "refused");

  public static final String TAG_OUTCOME = "outcome";
  /** The outcome values of {@link #SCHEDULE_FIRES}: the schedule ledger's outcomes. */
  public static final List<String> FIRE_OUTCOMES = List.of("started", "queued", "skipped_forbid", "missed",
      "caught_up", "failed_to_start");

  public static final String TAG_SCRIPT_ID = "script_id";
  public static final String TAG_TYPE = "type";
  public static final String TAG_STATUS = "status";
  /** Tag of every meter above in a cluster: the id of the node that counted it (absent on a single node). */
  public static final String TAG_NODE = "node";
  /** The script_id value of every ad-hoc run (bounded cardinality). */
  public static final String ADHOC = "adhoc";

  /** Histogram buckets of {@link #EXECUTION_DURATION}, in seconds: 0.01 s to one hour. */
  public static final List<Duration> DURATION_BUCKETS = List.of(
      Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60),
      Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1));

  /** Every name above, to remove scriptd's meters from a registry it does not own. */
  static final List<String> ALL = List.of(EXECUTIONS, EXECUTION_DURATION, ACTIVE_SCRIPTS, ACTIVE_VMS,
      QUEUED_RUNS, LINES_INGESTED, LINES_DROPPED, BATCH_LINES, FLUSH, TAIL_SUBSCRIBERS, SCHEDULE_FIRES,
      REQUESTS_REFUSED, AUDIT_DROPPED, AUDIT_WRITTEN, NOTIFICATIONS, RETRIES, CHAIN_RUNS);
}
