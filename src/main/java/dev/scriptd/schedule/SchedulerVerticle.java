package dev.scriptd.schedule;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.Codecs;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.ScheduleFire;
import dev.scriptd.bus.ScheduleState;
import dev.scriptd.bus.ScriptEntry;
import dev.scriptd.bus.ScriptList;
import dev.scriptd.bus.ScriptQuery;
import dev.scriptd.config.ClusterConfig;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.cron.CronSchedule;
import dev.scriptd.cron.Misfire;
import dev.scriptd.cron.Schedules;
import dev.scriptd.domain.Script;
import dev.scriptd.domain.Times;
import dev.scriptd.metrics.ScriptdMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scripts on their cron schedules. Each enabled schedule has one one-shot timer for its next
 * fire time (no polling); it re-arms after every fire and at once on SCRIPTS_CHANGED. When a timer
 * wakes, the wall clock is read again and only times that are due fire ({@link FirePlanner}); the
 * latest fire time dealt with is stored before the runs start, so a restart neither repeats nor
 * (beyond the misfire policy) loses one. Runs start through SCRIPTS_RUN with {@code trigger: cron},
 * so the script's concurrency rule applies; a fire refused by it (forbid) is skipped and logged.
 * Every due fire time gets a row in the schedule ledger ({@link FireLedger}) with what was decided
 * for it, including the missed times a restart finds; a run starts only for a time whose row this
 * scheduler added.
 * Timers are capped at an hour, and the wall clock is compared with the monotonic clock every
 * {@code scheduler.clock_check_ms}: on a jump every schedule is re-armed.
 */
public final class SchedulerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(SchedulerVerticle.class);
  /** A timer never sleeps longer than this before reading the wall clock again. */
  static final long MAX_TIMER_MS = 3_600_000;
  /** A difference between wall and monotonic time larger than this counts as a clock jump. */
  static final long JUMP_TOLERANCE_MS = 1_000;
  /** Env var of a cron run: the fire time it stands for (ISO-8601 UTC). */
  public static final String SCHEDULED_AT_ENV = "SCRIPTD_SCHEDULED_AT";
  /** Ledger rows written per wake at most: the newest due times (a long downtime of a frequent schedule). */
  static final int MAX_LEDGER_ROWS = 1_000;

  /** One armed schedule; lives on this verticle's context only. */
  private static final class Armed {
    final String scriptId;
    final String name;
    final long version;
    final CronSchedule schedule;
    final Misfire misfire;
    final Instant armedAt;
    Instant lastFire;
    Instant due;
    long timerId = -1;

    Armed(Script script, CronSchedule schedule, Instant armedAt, Instant lastFire) {
      this.scriptId = script.id();
      this.name = script.name();
      this.version = script.version();
      this.schedule = schedule;
      this.misfire = Schedules.misfire(script);
      this.armedAt = armedAt;
      this.lastFire = lastFire;
    }

    /** Every fire time up to here was dealt with (or predates this version of the schedule). */
    Instant handledThrough() {
      return lastFire == null || lastFire.isBefore(armedAt) ? armedAt : lastFire;
    }

    ScheduleState state() {
      return new ScheduleState(scriptId, version, armedAt, lastFire, due);
    }
  }

  private Namespace ns;
  private final TimeSource time;
  private final Map<String, Armed> armed = new HashMap<>();
  /** Changes that arrive while the schedules load; replayed after. Null once loaded. */
  private List<JsonObject> early = new ArrayList<>();
  private MessageConsumer<JsonObject> changes;
  private ScriptdConfig.Scheduler settings;
  private ScriptdMetrics metrics;
  private long clockCheck = -1;
  private Instant lastWall;
  private long lastMonotonic;

  public SchedulerVerticle() {
    this(TimeSource.system());
  }

  public SchedulerVerticle(TimeSource time) {
    this.time = time;
  }

  @Override
  public Future<?> start() {
    try {
      settings = ScriptdConfig.scheduler(config());
      ns = Namespace.from(config());
      metrics = ScriptdMetrics.of(vertx, config());
    } catch (RuntimeException invalid) {
      return Future.failedFuture(invalid);
    }
    Codecs.register(vertx.eventBus());
    // clustered, every node's scheduler re-arms on every node's changes (each fire time is then
    // claimed in the shared ledger by one of them)
    String changed = ns.of(Addresses.SCRIPTS_CHANGED);
    changes = ClusterConfig.fromJson(config()).enabled()
        ? vertx.eventBus().consumer(changed, message -> onChanged(message.body()))
        : vertx.eventBus().localConsumer(changed, message -> onChanged(message.body()));
    return changes.completion()
        .compose(v -> vertx.eventBus().<ScheduleState.All>request(ns.of(Addresses.DB_SCHEDULE_STATES), null))
        .map(Message::body)
        .compose(states -> loadScripts(null, new ArrayList<>()).compose(scripts -> resume(states, scripts)))
        .onSuccess(v -> {
          lastWall = time.now();
          lastMonotonic = time.nanoTime();
          clockCheck = vertx.setPeriodic(settings.clockCheckMs(), id -> checkClock());
          LOG.info("scheduler armed {} schedule(s)", armed.size());
        });
  }

  @Override
  public Future<?> stop() {
    if (clockCheck >= 0) {
      vertx.cancelTimer(clockCheck);
    }
    armed.values().forEach(this::disarm);
    armed.clear();
    return changes == null ? Future.succeededFuture() : changes.unregister();
  }

  private Future<List<Script>> loadScripts(String cursor, List<Script> into) {
    return vertx.eventBus().<ScriptList>request(ns.of(Addresses.DB_LIST_SCRIPTS), new ScriptQuery(1000, cursor))
        .map(Message::body)
        .compose(page -> {
          page.items().stream().map(ScriptEntry::script).forEach(into::add);
          return page.nextCursor() == null ? Future.succeededFuture(into) : loadScripts(page.nextCursor(), into);
        });
  }

  /**
   * Arms every enabled schedule. A schedule stored for the same script version resumes from its
   * last fire time, so fire times missed while the server was down go through the misfire policy;
   * any other one starts fresh from now.
   */
  private Future<Void> resume(ScheduleState.All states, List<Script> scripts) {
    Map<String, ScheduleState> byScript = new HashMap<>();
    states.items().forEach(state -> byScript.put(state.scriptId(), state));
    Instant now = time.now();
    List<Future<?>> saves = new ArrayList<>();
    for (Script script : scripts) {
      CronSchedule schedule = Schedules.of(script);
      if (schedule == null) {
        continue;
      }
      ScheduleState stored = byScript.get(script.id());
      Armed entry;
      if (stored != null && stored.version() == script.version()) {
        entry = new Armed(script, schedule, stored.armedAt(), stored.lastFireAt());
        armed.put(script.id(), entry);
        fire(entry, now); // catch-up per the misfire policy, then arm
      } else {
        entry = new Armed(script, schedule, now, stored == null ? null : stored.lastFireAt());
        armed.put(script.id(), entry);
        arm(entry, now);
        saves.add(save(entry));
      }
    }
    List<JsonObject> replay = early;
    early = null;
    replay.forEach(this::onChanged);
    return Future.join(saves).mapEmpty();
  }

  /** SCRIPTS_CHANGED: {script_id, script (null when deleted)}. */
  private void onChanged(JsonObject change) {
    if (early != null) {
      early.add(change);
      return;
    }
    String scriptId = change.getString("script_id");
    JsonObject json = change.getJsonObject("script");
    Armed current = armed.get(scriptId);
    Script script = json == null ? null : fromJson(json);
    if (current != null && script != null && script.version() <= current.version) {
      return; // nothing new (or an older event)
    }
    if (current != null) {
      disarm(current);
      armed.remove(scriptId);
    }
    CronSchedule schedule = script == null ? null : Schedules.of(script);
    if (schedule == null) {
      if (current != null) {
        LOG.info("schedule of script {} removed", current.name);
      }
      return;
    }
    Instant now = time.now();
    Armed entry = new Armed(script, schedule, now, current == null ? null : current.lastFire);
    armed.put(scriptId, entry);
    arm(entry, now);
    save(entry);
    LOG.info("schedule of script {} armed: '{}' in {}, next at {}", entry.name, schedule.cron(), schedule.zone(),
        entry.due);
  }

  /** The script fields the scheduler needs, from the script JSON of SCRIPTS_CHANGED. */
  private static Script fromJson(JsonObject json) {
    return new Script(json.getString("id"), json.getString("name"), json.getString("kind"), null, null, 0,
        null, null, Boolean.TRUE.equals(json.getBoolean("enabled")), json.getJsonObject("schedule"), null,
        json.getString("concurrency"), null, json.getLong("version", 0L), null, null);
  }

  /** Sets the timer for the next fire time after what was handled (at most an hour ahead). */
  private void arm(Armed entry, Instant now) {
    disarm(entry);
    entry.due = entry.schedule.next(entry.handledThrough()).orElse(null);
    if (entry.due == null) {
      LOG.info("schedule '{}' of script {} has no future fire time", entry.schedule.cron(), entry.name);
      return;
    }
    long delay = Math.max(1, Math.min(MAX_TIMER_MS, Duration.between(now, entry.due).toMillis()));
    entry.timerId = vertx.setTimer(delay, id -> wake(entry, id));
  }

  private void disarm(Armed entry) {
    if (entry.timerId >= 0) {
      vertx.cancelTimer(entry.timerId);
      entry.timerId = -1;
    }
  }

  private void wake(Armed entry, long timerId) {
    if (armed.get(entry.scriptId) != entry || entry.timerId != timerId) {
      return; // replaced or disarmed meanwhile
    }
    entry.timerId = -1;
    Instant now = time.now();
    if (entry.due == null || now.isBefore(entry.due)) {
      arm(entry, now); // woke early (capped timer, or the clock moved back): sleep again
    } else {
      fire(entry, now);
    }
  }

  /**
   * Plans what is due at {@code now}, stores the new last fire time, writes the ledger rows of the
   * due times, then starts the runs in order.
   */
  private void fire(Armed entry, Instant now) {
    Instant handledBefore = entry.handledThrough();
    Duration grace = Duration.ofMillis(settings.misfireGraceMs());
    FirePlanner.Plan plan = FirePlanner.plan(entry.schedule, handledBefore, now, entry.misfire,
        settings.maxCatchupRuns(), grace);
    boolean due = !plan.handledThrough().equals(handledBefore);
    if (due) {
      entry.lastFire = plan.handledThrough();
    }
    arm(entry, now);
    if (!due) {
      return;
    }
    if (plan.missed() > 0) {
      LOG.info("script {}: missed fire time(s) up to {}, misfire {}: running {}{}", entry.name,
          plan.handledThrough(), entry.misfire.name().toLowerCase(Locale.ROOT), plan.fire(),
          plan.dropped() ? " (older ones dropped: scheduler.max_catchup_runs)" : "");
    } else {
      LOG.debug("script {}: firing {}", entry.name, plan.fire());
    }
    FireLedger.Rows rows = FireLedger.rows(entry.schedule, handledBefore, now, plan, entry.misfire,
        settings.maxCatchupRuns(), grace, MAX_LEDGER_ROWS);
    if (rows.omitted() > 0) {
      LOG.info("script {}: {}{} older missed fire time(s) get no ledger row (at most {} per wake)", entry.name,
          rows.omitted(), rows.omitted() >= FireLedger.MAX_OMITTED_COUNT ? " or more" : "", MAX_LEDGER_ROWS);
    }
    save(entry).compose(saved -> claim(entry, rows, now)).onSuccess(claimed -> startRuns(entry, claimed, 0));
  }

  /**
   * Writes the ledger rows of one wake: a missed time's row is final, a time to run is claimed
   * without an outcome yet. The unique (script, fire time) of the ledger is a fence: a time whose row
   * exists already (another scheduler decided it) is not run again, and nothing runs when the rows
   * cannot be written. Replies with the times to run, oldest first, each with its claimed row.
   */
  private Future<List<Claimed>> claim(Armed entry, FireLedger.Rows rows, Instant decidedAt) {
    List<ScheduleFire> items = new ArrayList<>(rows.entries().size());
    Map<Instant, FireLedger.Kind> kinds = new HashMap<>();
    for (FireLedger.Entry row : rows.entries()) {
      boolean missed = row.kind() == FireLedger.Kind.MISSED;
      items.add(new ScheduleFire(entry.scriptId, row.fireTime(), decidedAt, missed ? ScheduleFire.MISSED : null,
          null, missed ? row.detail() : "the run is being started"));
      kinds.put(row.fireTime(), row.kind());
    }
    if (items.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return vertx.eventBus().<ScheduleFire.Batch>request(ns.of(Addresses.DB_CLAIM_SCHEDULE_FIRES),
            new ScheduleFire.Batch(items))
        .map(Message::body)
        .map(added -> {
          List<Claimed> toRun = new ArrayList<>();
          for (ScheduleFire row : added.items()) {
            if (ScheduleFire.MISSED.equals(row.outcome())) {
              metrics.scheduleFire(ScheduleFire.MISSED);
            } else {
              toRun.add(new Claimed(row, kinds.get(row.fireTime())));
            }
          }
          if (added.items().size() < items.size()) {
            LOG.info("script {}: {} fire time(s) were in the schedule ledger already; not run again", entry.name,
                items.size() - added.items().size());
          }
          return toRun;
        })
        .onFailure(e -> LOG.error("could not write the schedule ledger of script {}; the runs of this fire are "
            + "not started", entry.name, e));
  }

  /** A fire time whose ledger row this scheduler added, and how it was planned. */
  private record Claimed(ScheduleFire row, FireLedger.Kind kind) {
  }

  private void startRuns(Armed entry, List<Claimed> times, int index) {
    if (index >= times.size()) {
      return;
    }
    Claimed claimed = times.get(index);
    if (armed.get(entry.scriptId) != entry) {
      // the schedule changed or went away before this time's run was asked for
      for (Claimed rest : times.subList(index, times.size())) {
        decide(entry, new ScheduleFire(entry.scriptId, rest.row().fireTime(), time.now(),
            ScheduleFire.FAILED_TO_START, null, "the schedule changed before this fire time's run started"));
      }
      return;
    }
    Instant scheduledAt = claimed.row().fireTime();
    JsonObject request = new JsonObject()
        .put("script_id", entry.scriptId)
        .put("trigger", "cron")
        .put("version", entry.version)
        .put("env", new JsonObject().put(SCHEDULED_AT_ENV, Times.format(scheduledAt)));
    vertx.eventBus().<JsonObject>request(ns.of(Addresses.SCRIPTS_RUN), request)
        .onSuccess(run -> {
          LOG.debug("script {}: cron run {} for {}", entry.name, run.body().getString("id"), scheduledAt);
          decide(entry, FireLedger.started(claimed.row(), claimed.kind(), run.body(), time.now()));
        })
        .onFailure(e -> {
          if (BusFailure.is(e, ReplyCodes.CONFLICT)) {
            LOG.info("script {}: cron fire for {} skipped: {}", entry.name, scheduledAt, e.getMessage());
          } else {
            LOG.warn("script {}: cron fire for {} did not start a run: {}", entry.name, scheduledAt, e.getMessage());
          }
          decide(entry, FireLedger.refused(claimed.row(), claimed.kind(), e, time.now()));
        })
        .onComplete(ar -> startRuns(entry, times, index + 1));
  }

  /** Gives a claimed ledger row its outcome, and counts it. */
  private void decide(Armed entry, ScheduleFire decided) {
    metrics.scheduleFire(decided.outcome());
    vertx.eventBus().request(ns.of(Addresses.DB_DECIDE_SCHEDULE_FIRE), decided)
        .onFailure(e -> LOG.warn("could not write the outcome {} of the fire at {} of script {} to the schedule "
            + "ledger: {}", decided.outcome(), decided.fireTime(), entry.name, e.getMessage()));
  }

  private Future<ScheduleState> save(Armed entry) {
    return vertx.eventBus().<ScheduleState>request(ns.of(Addresses.DB_SAVE_SCHEDULE_STATE), entry.state())
        .map(Message::body)
        .onFailure(e -> LOG.error("could not store the schedule state of script {}; its runs of this fire are "
            + "not started, so a restart cannot repeat them", entry.name, e));
  }

  /** Re-arms everything when the wall clock moved differently from the monotonic clock. */
  private void checkClock() {
    Instant wall = time.now();
    long monotonic = time.nanoTime();
    long wallMs = Duration.between(lastWall, wall).toMillis();
    long monoMs = (monotonic - lastMonotonic) / 1_000_000;
    lastWall = wall;
    lastMonotonic = monotonic;
    if (Math.abs(wallMs - monoMs) > JUMP_TOLERANCE_MS) {
      LOG.warn("the wall clock jumped by {} ms; re-arming {} schedule(s)", wallMs - monoMs, armed.size());
      for (Armed entry : new ArrayList<>(armed.values())) {
        arm(entry, wall);
      }
    }
  }
}
