package dev.scriptd.metrics;

import dev.scriptd.domain.Run;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The meters of one scriptd instance, on the registry it reports to. {@link #create} resolves that
 * registry once per deployment: the one given, else the Vertx's own Micrometer backend (so scriptd's
 * meters sit next to the Vert.x HTTP, event-bus and pool metrics), else a new Prometheus registry
 * owned by this instance. The verticles find their instance through a local map keyed by the id
 * placed in their config ({@link #CONFIG_KEY}); there is no static state. Thread-safe.
 */
public final class ScriptdMetrics implements Shareable {
  /** Config key carrying the instance id to the verticles (internal). */
  public static final String CONFIG_KEY = "metrics_instance";
  private static final String LOCAL_MAP = "scriptd.metrics";
  /** Run label sets whose meters are kept at hand (script ids x kinds x final statuses). */
  private static final int MAX_KEPT_LABEL_SETS = 10_000;

  private final String id;
  private final MeterRegistry registry;
  private final PrometheusMeterRegistry scrape;
  private final boolean owned;
  private final AtomicInteger activeRuns = new AtomicInteger();
  private final AtomicInteger queuedRuns = new AtomicInteger();
  private final Set<IntSupplier> vmSources = ConcurrentHashMap.newKeySet();
  private final Set<IntSupplier> tailSources = ConcurrentHashMap.newKeySet();
  private final Counter linesIngested;
  private final Counter linesDropped;
  private final DistributionSummary batchLines;
  private final Timer flush;
  private final RunMeters runMeters;
  private final Map<String, Counter> scheduleFires = new HashMap<>();
  private final Map<Integer, Counter> refused = new HashMap<>();
  private final Counter auditDropped;
  private final Counter auditWritten;
  private final Map<String, Counter> notifications = new HashMap<>();
  private final Map<String, Counter> chainRuns = new HashMap<>();
  private final Counter retries;

  private ScriptdMetrics(String id, MeterRegistry registry, PrometheusMeterRegistry scrape, boolean owned, Tags node) {
    this.id = id;
    this.registry = registry;
    this.scrape = scrape;
    this.owned = owned;
    Gauge.builder(Meters.ACTIVE_SCRIPTS, activeRuns, AtomicInteger::get)
        .description("Runs running now").tags(node).register(registry);
    Gauge.builder(Meters.ACTIVE_VMS, vmSources, ScriptdMetrics::sum)
        .description("JavaScript contexts in use").tags(node).register(registry);
    Gauge.builder(Meters.QUEUED_RUNS, queuedRuns, AtomicInteger::get)
        .description("Runs accepted and not yet running").tags(node).register(registry);
    Gauge.builder(Meters.TAIL_SUBSCRIBERS, tailSources, ScriptdMetrics::sum)
        .description("Live tail subscribers (SSE and WebSocket)").tags(node).register(registry);
    linesIngested = Counter.builder(Meters.LINES_INGESTED)
        .description("Log lines handed to storage").tags(node).register(registry);
    linesDropped = Counter.builder(Meters.LINES_DROPPED)
        .description("Log lines that could not be stored").tags(node).register(registry);
    batchLines = DistributionSummary.builder(Meters.BATCH_LINES)
        .description("Log lines per SQLite batch").tags(node).register(registry);
    flush = Timer.builder(Meters.FLUSH)
        .description("Duration of one SQLite batch write").tags(node).register(registry);
    runMeters = new RunMeters(registry, MAX_KEPT_LABEL_SETS, node);
    for (Integer status : Meters.REFUSED_STATUSES) {
      refused.put(status, Counter.builder(Meters.REQUESTS_REFUSED).tag(Meters.TAG_STATUS, status.toString())
          .description("Requests refused: 401 no valid credential, 403 not allowed, 429 over a limit")
          .tags(node).register(registry));
    }
    auditDropped = Counter.builder(Meters.AUDIT_DROPPED)
        .description("Audit records dropped because the writer's queue was full").tags(node).register(registry);
    auditWritten = Counter.builder(Meters.AUDIT_WRITTEN)
        .description("Audit records written").tags(node).register(registry);
    for (String outcome : Meters.FIRE_OUTCOMES) {
      scheduleFires.put(outcome, Counter.builder(Meters.SCHEDULE_FIRES).tag(Meters.TAG_OUTCOME, outcome)
          .description("Due fire times of schedules, by what the scheduler decided").tags(node).register(registry));
    }
    for (String outcome : Meters.NOTIFICATION_OUTCOMES) {
      notifications.put(outcome, Counter.builder(Meters.NOTIFICATIONS).tag(Meters.TAG_OUTCOME, outcome)
          .description("Notification delivery attempts, by outcome").tags(node).register(registry));
    }
    for (String outcome : Meters.CHAIN_OUTCOMES) {
      chainRuns.put(outcome, Counter.builder(Meters.CHAIN_RUNS).tag(Meters.TAG_OUTCOME, outcome)
          .description("Runs decided by chains (then), started or refused").tags(node).register(registry));
    }
    retries = Counter.builder(Meters.RETRIES).description("Retry attempts scheduled").tags(node).register(registry);
  }

  /** One delivery attempt of a notification ended: delivered, retried (later) or failed (no attempt left). */
  public void notification(String outcome) {
    Counter counter = notifications.get(outcome);
    if (counter != null) {
      counter.increment();
    }
  }

  /** A chain decided a run: started, or refused (recorded as a failed run). */
  public void chainRun(String outcome) {
    Counter counter = chainRuns.get(outcome);
    if (counter != null) {
      counter.increment();
    }
  }

  /** A pending retry was created. */
  public void retryScheduled() {
    retries.increment();
  }

  /**
   * Resolves the registry for a new scriptd deployment and makes the instance findable by the
   * verticles deployed with {@link #configFor}. {@code given} may be null.
   */
  public static ScriptdMetrics create(Vertx vertx, MeterRegistry given) {
    return create(vertx, given, null);
  }

  /**
   * As {@link #create(Vertx, MeterRegistry)}; {@code node}, this node's id in a cluster (null on a
   * single node), is a {@code node} tag on every scriptd meter, so the scrapes of several nodes
   * stay apart wherever they are gathered. A single node's meters carry no such tag.
   */
  public static ScriptdMetrics create(Vertx vertx, MeterRegistry given, String node) {
    MeterRegistry registry = given;
    if (registry == null && vertx.isMetricsEnabled()) {
      registry = BackendRegistries.getDefaultNow();
    }
    PrometheusMeterRegistry prometheus = registry == null ? null : prometheusOf(registry);
    boolean owned = prometheus == null;
    if (owned) {
      // no registry, or one that cannot be scraped: scriptd keeps its meters in its own
      prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      registry = prometheus;
    }
    ScriptdMetrics metrics = new ScriptdMetrics(UUID.randomUUID().toString(), registry, prometheus, owned,
        node == null ? Tags.empty() : Tags.of(Meters.TAG_NODE, node));
    localMap(vertx).put(metrics.id, metrics);
    return metrics;
  }

  /**
   * The instance named in a verticle's config, or (for a verticle deployed on its own, as in
   * tests) a private instance that nobody scrapes.
   */
  public static ScriptdMetrics of(Vertx vertx, JsonObject config) {
    String key = config == null ? null : config.getString(CONFIG_KEY);
    ScriptdMetrics found = key == null ? null : localMap(vertx).get(key);
    if (found != null) {
      return found;
    }
    PrometheusMeterRegistry own = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    return new ScriptdMetrics("detached", own, own, true, Tags.empty());
  }

  /** A copy of {@code config} that leads the verticles to this instance. */
  public JsonObject configFor(JsonObject config) {
    return config.copy().put(CONFIG_KEY, id);
  }

  /** The registry {@code /metrics} serves. */
  public PrometheusMeterRegistry scrapeRegistry() {
    return scrape;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Removes this instance's meters (a registry shared with the host keeps no stale gauges). */
  public void close(Vertx vertx) {
    localMap(vertx).remove(id);
    List<Meter> ours = new ArrayList<>();
    for (String name : Meters.ALL) {
      ours.addAll(registry.find(name).meters());
    }
    ours.forEach(registry::remove);
    runMeters.clear();
    if (owned) {
      registry.close();
    }
  }

  public void runQueued() {
    queuedRuns.incrementAndGet();
  }

  /** A queued run was dropped before it started (its pending state could not be saved). */
  public void runDequeued() {
    queuedRuns.decrementAndGet();
  }

  /** Runs running now on this instance (the run owner counts them here): a node's running runs. */
  public int runningRuns() {
    return activeRuns.get();
  }

  public void runStarted() {
    queuedRuns.decrementAndGet();
    activeRuns.incrementAndGet();
  }

  /**
   * A run reached its final status. {@code wasRunning} tells whether it had started (and so was
   * counted active) or ended while still queued.
   */
  public void runEnded(Run run, boolean wasRunning) {
    if (wasRunning) {
      activeRuns.decrementAndGet();
    } else {
      queuedRuns.decrementAndGet();
    }
    count(run);
  }

  /**
   * A run left this node without a final status of its own (it is stored lost: another node
   * counted that): it leaves the active or queued count only.
   */
  public void runAbandoned(boolean wasRunning) {
    if (wasRunning) {
      activeRuns.decrementAndGet();
    } else {
      queuedRuns.decrementAndGet();
    }
  }

  /**
   * A run a previous server left unfinished was ended at this start (as {@code lost}): counted
   * like any final status, but it was never among this instance's active or queued runs.
   */
  public void runRecovered(Run run) {
    count(run);
  }

  private void count(Run run) {
    RunMeters.Pair meters = runMeters.of(run.scriptId() == null ? Meters.ADHOC : run.scriptId(),
        run.kind() == null ? Run.KIND_SHELL : run.kind(), run.status().wire());
    meters.executions().increment();
    meters.duration().record(durationMs(run), TimeUnit.MILLISECONDS);
  }

  /**
   * Adds a source of JavaScript contexts in use (one per JS verticle instance, read from any
   * thread); remove it when that instance stops. {@code active_vms_gauge} is their sum (0 without).
   */
  public void addVmSource(IntSupplier contextsInUse) {
    vmSources.add(contextsInUse);
  }

  public void removeVmSource(IntSupplier contextsInUse) {
    vmSources.remove(contextsInUse);
  }

  /** The scheduler decided for one due fire time; an outcome outside {@link Meters#FIRE_OUTCOMES} is ignored. */
  public void scheduleFire(String outcome) {
    Counter counter = scheduleFires.get(outcome);
    if (counter != null) {
      counter.increment();
    }
  }

  /** A request answered {@code status}; counted when it is a refusal (401, 403, 429). */
  public void requestAnswered(int status) {
    Counter counter = refused.get(status);
    if (counter != null) {
      counter.increment();
    }
  }

  public void auditDropped() {
    auditDropped.increment();
  }

  public void auditWritten(int records) {
    auditWritten.increment(records);
  }

  public void linesIngested(int lines) {
    linesIngested.increment(lines);
  }

  public void linesDropped(int lines) {
    if (lines > 0) {
      linesDropped.increment(lines);
    }
  }

  public void batchWritten(int lines, long nanos) {
    batchLines.record(lines);
    flush.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Adds a source of live subscribers (one per HTTP instance or host router); remove it when that stops. */
  public void addTailSource(IntSupplier subscribers) {
    tailSources.add(subscribers);
  }

  public void removeTailSource(IntSupplier subscribers) {
    tailSources.remove(subscribers);
  }

  private static long durationMs(Run run) {
    Instant end = run.endedAt() != null ? run.endedAt() : Instant.now();
    Instant start = run.startedAt() != null ? run.startedAt() : run.createdAt();
    return Math.max(0, Duration.between(start, end).toMillis());
  }

  private static double sum(Set<IntSupplier> sources) {
    double total = 0;
    for (IntSupplier source : sources) {
      total += source.getAsInt();
    }
    return total;
  }

  private static PrometheusMeterRegistry prometheusOf(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      return prometheus;
    }
    if (registry instanceof CompositeMeterRegistry composite) {
      for (MeterRegistry child : composite.getRegistries()) {
        PrometheusMeterRegistry found = prometheusOf(child);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static LocalMap<String, ScriptdMetrics> localMap(Vertx vertx) {
    return vertx.sharedData().getLocalMap(LOCAL_MAP);
  }
}
