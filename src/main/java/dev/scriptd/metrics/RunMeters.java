package dev.scriptd.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The run meters ({@link Meters#EXECUTIONS} and {@link Meters#EXECUTION_DURATION}) of each label
 * set, registered on first use and kept: a run's end then costs one map lookup instead of two
 * builder registrations (new tags, new meter ids, the registry's own lookups). At most
 * {@code maxKept} label sets are kept (the registry holds every meter anyway; this only bounds the
 * second reference); past that a label set is registered on each use, which the registry answers
 * with the same meters. Thread-safe.
 */
final class RunMeters {
  /** The counter and the timer of one label set. */
  record Pair(Counter executions, Timer duration) {
  }

  private record Labels(String scriptId, String type, String status) {
  }

  private final MeterRegistry registry;
  private final int maxKept;
  /** Tags every run meter carries (the node's, in a cluster). */
  private final Tags common;
  private final ConcurrentHashMap<Labels, Pair> kept = new ConcurrentHashMap<>();

  RunMeters(MeterRegistry registry, int maxKept) {
    this(registry, maxKept, Tags.empty());
  }

  RunMeters(MeterRegistry registry, int maxKept, Tags common) {
    this.common = common;
    this.registry = registry;
    this.maxKept = maxKept;
  }

  Pair of(String scriptId, String type, String status) {
    Labels labels = new Labels(scriptId, type, status);
    Pair found = kept.get(labels);
    if (found != null) {
      return found;
    }
    Pair registered = register(labels);
    if (kept.size() < maxKept) {
      Pair raced = kept.putIfAbsent(labels, registered);
      return raced == null ? registered : raced;
    }
    return registered;
  }

  /** How many label sets are kept. */
  int size() {
    return kept.size();
  }

  /** Forgets every kept meter (their registry removes them). */
  void clear() {
    kept.clear();
  }

  private Pair register(Labels labels) {
    String[] tags = {Meters.TAG_SCRIPT_ID, labels.scriptId(), Meters.TAG_TYPE, labels.type(),
        Meters.TAG_STATUS, labels.status()};
    Counter executions = Counter.builder(Meters.EXECUTIONS).tags(tags).tags(common)
        .description("Runs that reached a final status").register(registry);
    Timer duration = Timer.builder(Meters.EXECUTION_DURATION).tags(tags).tags(common)
        .description("Run duration, from start (or creation, if it never started) to end")
        .serviceLevelObjectives(Meters.DURATION_BUCKETS.toArray(Duration[]::new))
        .register(registry);
    return new Pair(executions, duration);
  }
}
