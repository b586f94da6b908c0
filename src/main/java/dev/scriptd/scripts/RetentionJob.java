package dev.scriptd.scripts;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.CleanupRequest;
import dev.scriptd.bus.CleanupStats;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.ScheduleFire;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.cron.CronSchedule;
import dev.scriptd.domain.Times;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention job: a one-shot timer armed for the next fire time of {@code retention.cron} (in the
 * server's time zone, with the scheduler's daylight-saving rule) and armed again after each pass,
 * plus cleanups on demand. One at a time.
 */
final class RetentionJob {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);
  /** A pass over millions of runs takes a while; the database answers when it is done. */
  static final long CLEANUP_TIMEOUT_MS = TimeUnit.HOURS.toMillis(6);

  private final Vertx vertx;
  private final Namespace ns;
  private final ScriptdConfig.Retention settings;
  private final CronSchedule schedule;
  private long timerId = -1;
  private Instant nextRunAt;
  private Instant runningSince;

  RetentionJob(Vertx vertx, Namespace ns, ScriptdConfig.Retention settings) {
    this(vertx, ns, settings, ZoneId.systemDefault());
  }

  /** {@code zone}: the server's time zone, that {@code retention.cron} is read in. */
  RetentionJob(Vertx vertx, Namespace ns, ScriptdConfig.Retention settings, ZoneId zone) {
    this.ns = ns;
    this.vertx = vertx;
    this.settings = settings;
    try {
      // the schedules' own type, so a pass follows the same daylight-saving rule as a script's schedule
      this.schedule = CronSchedule.of(settings.cron(), zone);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("retention.cron: " + e.getMessage());
    }
  }

  void start() {
    arm();
  }

  void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
    nextRunAt = null;
  }

  /** When the next scheduled pass after {@code now} is due; null when the cron has no next time. */
  Instant nextRunAfter(Instant now) {
    return schedule.next(now).orElse(null);
  }

  private void arm() {
    nextRunAt = nextRunAfter(Instant.now());
    if (nextRunAt == null) {
      return;
    }
    long delay = Math.max(1, nextRunAt.toEpochMilli() - System.currentTimeMillis());
    timerId = vertx.setTimer(delay, id -> {
      timerId = -1;
      run(settings.days(), false, true)
          .onFailure(e -> LOG.warn("scheduled cleanup did not run: {}", e.getMessage()))
          .onComplete(ar -> {
            if (nextRunAt != null) {
              arm();
            }
          });
    });
  }

  /**
   * One pass now (a dry run deletes nothing); fails 409 while another one runs. {@code scriptDays}:
   * scripts' own {@code days} and {@code keep_failed_days} apply (see {@link CleanupRequest}).
   */
  Future<CleanupStats> run(int days, boolean dryRun, boolean scriptDays) {
    if (runningSince != null) {
      return Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT, "a cleanup is already running (since "
          + Times.format(runningSince) + "); wait for it, see GET /api/runs/cleanup/status"));
    }
    runningSince = Instant.now();
    CleanupRequest request = new CleanupRequest(days, settings.maxRunsPerScript(), settings.maxBytes(),
        settings.batchSize(), dryRun, scriptDays);
    return vertx.eventBus().<CleanupStats>request(ns.of(Addresses.DB_CLEANUP), request,
            new DeliveryOptions().setSendTimeout(CLEANUP_TIMEOUT_MS))
        .map(Message::body)
        .compose(stats -> pruneLedger().map(stats))
        .onComplete(ar -> runningSince = null);
  }

  /**
   * The schedule ledger is cleaned with the runs: its rows whose fire time is older than the
   * server's {@code retention.days} go. A failure here is logged and does not fail the pass.
   */
  private Future<Void> pruneLedger() {
    Instant before = Instant.now().minus(Duration.ofDays(settings.days()));
    return vertx.eventBus().<Long>request(ns.of(Addresses.DB_PRUNE_SCHEDULE_FIRES), new ScheduleFire.Prune(before),
            new DeliveryOptions().setSendTimeout(CLEANUP_TIMEOUT_MS))
        .map(Message::body)
        .onSuccess(deleted -> {
          if (deleted > 0) {
            LOG.info("deleted {} schedule ledger row(s) of fire times before {}", deleted, Times.format(before));
          }
        })
        .otherwise(e -> {
          LOG.warn("could not clean the schedule ledger: {}", e.getMessage());
          return 0L;
        })
        .mapEmpty();
  }

  Future<JsonObject> status() {
    return vertx.eventBus().<JsonObject>request(ns.of(Addresses.DB_CLEANUP_STATE), null).map(Message::body)
        .map(state -> new JsonObject()
            .put("last_run_at", state.getValue("last_run_at"))
            .put("next_run_at", Times.format(nextRunAt))
            .put("is_running", runningSince != null)
            .put("last_run_stats", state.getValue("last_run_stats"))
            .put("total_deleted_runs", state.getValue("total_deleted_runs"))
            .put("total_freed_bytes", state.getValue("total_freed_bytes")));
  }
}
