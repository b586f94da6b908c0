package dev.scriptd.config;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What one client or one endpoint may take of the server: the {@code endpoints} section (default
 * limits of endpoints by their auth, and the share of the run slots endpoint runs may hold) and the
 * connection keys of the {@code http} section (header and idle timeouts, open streams per token and
 * per address, the connection cap past which only {@code /health} and admins are served).
 */
public record TrafficConfig(Endpoints endpoints, Connections connections) {

  /**
   * Defaults of {@code endpoint.rate_limit} (calls a second, every caller together) and
   * {@code endpoint.max_concurrent} (runs at once, pending and running) by the endpoint's auth, and
   * {@code maxRunSharePercent}: the share of limits.max_concurrent_runs and of
   * limits.max_concurrent_runs + limits.max_pending_runs that runs triggered by endpoints may hold.
   */
  public record Endpoints(int publicRateLimit, int publicMaxConcurrent, int tokenRateLimit, int tokenMaxConcurrent,
      int maxRunSharePercent) {

    /** The endpoint's own rate limit, else the default of its auth. */
    public int rateLimit(JsonObject endpoint) {
      Number own = endpoint.getValue("rate_limit") instanceof Number n ? n : null;
      return own != null ? own.intValue() : isPublic(endpoint) ? publicRateLimit : tokenRateLimit;
    }

    /** The endpoint's own concurrency limit, else the default of its auth. */
    public int maxConcurrent(JsonObject endpoint) {
      Number own = endpoint.getValue("max_concurrent") instanceof Number n ? n : null;
      return own != null ? own.intValue() : isPublic(endpoint) ? publicMaxConcurrent : tokenMaxConcurrent;
    }

    private static boolean isPublic(JsonObject endpoint) {
      return "public".equals(endpoint.getString("auth"));
    }
  }

  /**
   * {@code headerTimeoutMs}: time from a connection's opening (or the end of its last response) to
   * a complete request head, else it is closed; {@code idleTimeoutMs}: how long a keep-alive
   * connection may wait idle for its next request; {@code maxConnections} 0: derived from the
   * process's open-file limit, see {@link #maxConnections(long)}.
   */
  public record Connections(long headerTimeoutMs, long idleTimeoutMs, int maxStreamsPerToken,
      int maxStreamsPerAddress, int maxConnections) {

    /**
     * The configured cap, or half the open-file soft limit (at least 32): the other half stays for
     * the database, log files, the pipes of runs, and the {@code /health} and admin requests that
     * are still served past the cap.
     */
    public int maxConnections(long fdSoftLimit) {
      if (maxConnections > 0) {
        return maxConnections;
      }
      return (int) Math.max(32, Math.min(Integer.MAX_VALUE, fdSoftLimit / 2));
    }
  }

  /** What is assumed when the open-file limit cannot be read (not Linux). */
  public static final long DEFAULT_FD_LIMIT = 1024;

  public static TrafficConfig fromJson(JsonObject json) {
    Settings root = new Settings(json, "");
    Settings endpoints = root.section("endpoints");
    Settings http = root.section("http");
    Endpoints endpointsConfig = new Endpoints(
        endpoints.intValue("public_rate_limit", 10, 1, 100_000),
        endpoints.intValue("public_max_concurrent", 4, 1, 100_000),
        endpoints.intValue("token_rate_limit", 100, 1, 100_000),
        endpoints.intValue("token_max_concurrent", 32, 1, 100_000),
        endpoints.intValue("max_run_share_percent", 50, 1, 90));
    Connections connections = new Connections(
        http.longValue("header_timeout_ms", 5000, 100, 600_000),
        http.longValue("idle_timeout_ms", 60_000, 100, 3_600_000),
        http.intValue("max_streams_per_token", 64, 1, 1_000_000),
        http.intValue("max_streams_per_address", 16, 1, 1_000_000),
        http.intValue("max_connections", 0, 0, 10_000_000));
    return new TrafficConfig(endpointsConfig, connections);
  }

  /** The soft "Max open files" of this process (blocking: a file read), or {@link #DEFAULT_FD_LIMIT}. */
  public static long fdSoftLimit() {
    try {
      return fdSoftLimit(Files.readString(Path.of("/proc/self/limits")));
    } catch (IOException | RuntimeException e) {
      return DEFAULT_FD_LIMIT;
    }
  }

  /** Parses the text of {@code /proc/self/limits}; "unlimited" counts as a large number. */
  static long fdSoftLimit(String limits) {
    for (String line : limits.split("\n")) {
      if (line.startsWith("Max open files")) {
        String[] columns = line.substring("Max open files".length()).trim().split("\\s+");
        if (columns.length > 0) {
          return columns[0].equals("unlimited") ? 1L << 20 : Long.parseLong(columns[0]);
        }
      }
    }
    return DEFAULT_FD_LIMIT;
  }
}
