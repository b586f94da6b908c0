package dev.scriptd.config;

import dev.scriptd.domain.RunLimits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Security settings: sections {@code auth}, {@code limits}, {@code adhoc} and {@code endpoints}
 * (what endpoint programs see of a request), plus the top-level {@code admin_token}. Read with the
 * same defaults everywhere, like {@link ScriptdConfig}.
 */
public record SecurityConfig(Auth auth, Limits limits, Adhoc adhoc, EndpointCredentials endpointCredentials) {

  /** {@code adminToken} is the token to create as admin on a database without one (null: generate). */
  public record Auth(boolean enabled, boolean protectHealth, boolean protectMetrics, String adminToken) {
  }

  /**
   * Per-run process limits (0 = not set) and run-count limits. {@code user} (null: the server's own
   * user) runs every child under that uid so {@code maxProcesses} is enforced even for a root server.
   */
  public record Limits(long cpuSeconds, long memoryBytes, long openFiles, long maxProcesses, int nice,
      String user, int maxConcurrentRuns, int maxPendingRuns, long maxLogBytes, boolean killOnLogLimit) {

    public boolean anyProcessLimit() {
      return cpuSeconds > 0 || memoryBytes > 0 || openFiles > 0 || maxProcesses > 0 || nice != 0;
    }

    /** The per-run defaults, every field set: what a run without overrides gets, and their ceilings. */
    public RunLimits perRun() {
      return new RunLimits(cpuSeconds, memoryBytes, openFiles, maxProcesses, nice, maxLogBytes,
          killOnLogLimit ? RunLimits.KILL : RunLimits.TRUNCATE);
    }
  }

  /** Ad-hoc runs ({@code POST /api/runs}): on/off and an optional allowlist of command regexes. */
  public record Adhoc(boolean enabled, List<Pattern> allow) {
    public Adhoc {
      allow = List.copyOf(allow);
    }

    public boolean allows(String command) {
      return allow.isEmpty() || allow.stream().anyMatch(p -> p.matcher(command).matches());
    }
  }

  /**
   * {@code endpoints.drop_headers} and {@code endpoints.drop_query}: request header and query names
   * an endpoint's program never sees, on top of the credentials that are always dropped
   * ({@code Authorization}, {@code Proxy-Authorization}, {@code Cookie}, {@code token}).
   */
  public record EndpointCredentials(List<String> dropHeaders, List<String> dropQuery) {
    public EndpointCredentials {
      dropHeaders = List.copyOf(dropHeaders);
      dropQuery = List.copyOf(dropQuery);
    }
  }

  /** A header or query name: printable ASCII, no spaces. */
  private static final Pattern REQUEST_NAME = Pattern.compile("[\\x21-\\x7e]{1,256}");

  public static SecurityConfig fromJson(JsonObject json) {
    Settings root = new Settings(json, "");
    Settings auth = root.section("auth");
    Settings limits = root.section("limits");
    Settings adhoc = root.section("adhoc");

    String adminToken = root.string("admin_token", null);
    if (adminToken != null && (adminToken.length() < 16 || adminToken.length() > 256
        || !adminToken.chars().allMatch(c -> c > 32 && c < 127))) {
      throw new ConfigException("admin_token must be 16..256 printable ASCII characters without spaces");
    }
    Auth authConfig = new Auth(
        auth.bool("enabled", true),
        auth.bool("protect_health", false),
        auth.bool("protect_metrics", false),
        adminToken);

    String onLogLimit = limits.string("on_log_limit", "truncate");
    if (!onLogLimit.equals("truncate") && !onLogLimit.equals("kill")) {
      throw new ConfigException("limits.on_log_limit must be \"truncate\" or \"kill\", got '" + onLogLimit + "'");
    }
    Limits limitsConfig = new Limits(
        limits.longValue("cpu_seconds", 0, 0, 31_536_000),
        limits.longValue("memory_bytes", 0, 0, 1L << 50),
        limits.longValue("open_files", 0, 0, 1 << 20),
        limits.longValue("max_processes", 0, 0, 1 << 22),
        limits.intValue("nice", 0, 0, 19),
        limits.string("user", null),
        limits.intValue("max_concurrent_runs", 64, 1, 100_000),
        limits.intValue("max_pending_runs", 1000, 0, 1_000_000),
        limits.longValue("max_log_bytes", 1L << 30, 1024, 1L << 50),
        onLogLimit.equals("kill"));

    Adhoc adhocConfig = new Adhoc(adhoc.bool("enabled", true), patterns(json.getJsonObject("adhoc")));
    Settings endpoints = root.section("endpoints");
    EndpointCredentials credentials = new EndpointCredentials(
        endpoints.strings("drop_headers", List.of(), REQUEST_NAME, "a header name"),
        endpoints.strings("drop_query", List.of(), REQUEST_NAME, "a query parameter name"));
    return new SecurityConfig(authConfig, limitsConfig, adhocConfig, credentials);
  }

  private static List<Pattern> patterns(JsonObject adhoc) {
    Object raw = adhoc == null ? null : adhoc.getValue("allow");
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof JsonArray array)) {
      throw new ConfigException("adhoc.allow must be a list of regular expressions");
    }
    List<Pattern> patterns = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String text)) {
        throw new ConfigException("adhoc.allow must contain strings only");
      }
      try {
        patterns.add(Pattern.compile(text, Pattern.DOTALL));
      } catch (PatternSyntaxException e) {
        throw new ConfigException("adhoc.allow entry '" + text + "' is not a valid regex: " + e.getDescription());
      }
    }
    return patterns;
  }
}
