package dev.scriptd.process;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.config.TrafficConfig;
import dev.scriptd.domain.Script;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code endpoint.max_concurrent}: the runs an endpoint's calls have at once, pending (queued by the
 * script's concurrency or waiting for a slot) or running, by default
 * {@code endpoints.public_max_concurrent} or {@code endpoints.token_max_concurrent} after its auth.
 * A start is counted from its admission; its run from the start's answer to its final status.
 * Confined to the run owner's context.
 */
final class EndpointRuns {
  private final TrafficConfig.Endpoints defaults;
  /** Per script id: starts admitted and not answered yet. */
  private final Map<String, Integer> starting = new HashMap<>();
  /** Per script id: its endpoint runs not ended. */
  private final Map<String, Set<String>> runs = new HashMap<>();
  private final Map<String, String> scriptOf = new HashMap<>();

  EndpointRuns(TrafficConfig.Endpoints defaults) {
    this.defaults = defaults;
  }

  /** Counts a start of this script's endpoint and returns null, or the 429 when it is at its limit. */
  BusFailure admit(Script script) {
    int max = defaults.maxConcurrent(script.endpoint());
    int now = count(script.id());
    if (now >= max) {
      return new BusFailure(ReplyCodes.TOO_MANY_REQUESTS, "endpoint of script " + script.name() + " has "
          + now + " runs pending or running, its limit (endpoint.max_concurrent = " + max
          + "); retry when one has ended");
    }
    starting.merge(script.id(), 1, Integer::sum);
    return null;
  }

  /**
   * The start admitted for this script answered: {@code runId} (null when it failed) counts until
   * {@link #ended} unless {@code alreadyEnded}.
   */
  void answered(String scriptId, String runId, boolean alreadyEnded) {
    starting.computeIfPresent(scriptId, (k, n) -> n <= 1 ? null : n - 1);
    if (runId != null && !alreadyEnded) {
      runs.computeIfAbsent(scriptId, k -> new HashSet<>()).add(runId);
      scriptOf.put(runId, scriptId);
    }
  }

  /** A run reached its final status. */
  void ended(String runId) {
    String scriptId = scriptOf.remove(runId);
    if (scriptId == null) {
      return;
    }
    Set<String> ids = runs.get(scriptId);
    if (ids != null && ids.remove(runId) && ids.isEmpty()) {
      runs.remove(scriptId);
    }
  }

  int count(String scriptId) {
    Set<String> ids = runs.get(scriptId);
    return starting.getOrDefault(scriptId, 0) + (ids == null ? 0 : ids.size());
  }
}
