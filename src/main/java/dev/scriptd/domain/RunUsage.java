package dev.scriptd.domain;

import io.vertx.core.json.JsonObject;

/**
 * What a run used, measured when it ended. Each figure is null when the platform could not measure
 * it: with a cgroup per run, {@code cpu.stat} (every process of the run), {@code memory.peak} and
 * {@code pids.peak} (only where those controllers are enabled); with process groups, the CPU time
 * the kernel reports for the run's shell and the children it waited for (not its peak memory: a
 * process spawned by the JVM inherits the JVM's as its own through exec). {@code containment}
 * is how the run's processes were contained: {@link #CGROUP} or {@link #PROCESS_GROUP}.
 */
public record RunUsage(Long cpuUserMs, Long cpuSystemMs, Long maxRssBytes, Long peakProcesses, String containment) {
  public static final String CGROUP = "cgroup";
  public static final String PROCESS_GROUP = "process_group";

  /** The API shape (also how it is stored). */
  public JsonObject toJson() {
    return new JsonObject()
        .put("cpu_user_ms", cpuUserMs)
        .put("cpu_system_ms", cpuSystemMs)
        .put("max_rss_bytes", maxRssBytes)
        .put("peak_processes", peakProcesses)
        .put("containment", containment);
  }

  /** From its stored JSON text; null for null or text that is not a usage object. */
  public static RunUsage fromStored(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      JsonObject json = new JsonObject(text);
      String containment = json.getValue("containment") instanceof String mode ? mode : null;
      return new RunUsage(number(json, "cpu_user_ms"), number(json, "cpu_system_ms"), number(json, "max_rss_bytes"),
          number(json, "peak_processes"), containment);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Long number(JsonObject json, String key) {
    return json.getValue(key) instanceof Number number ? number.longValue() : null;
  }
}
