package dev.scriptd.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.Locale;

/**
 * All settings, read once from the config JsonObject handed to each verticle. Every key has a
 * default here, so a host application may pass only what it changes. conf/scriptd.json lists them.
 */
public record ScriptdConfig(Http http, Storage storage, Runs runs, Tail tail, Ops ops, Retention retention,
    Logs logs) {

  /**
   * HTTP server and request limits. {@code rateLimit} 0 disables rate limiting. {@code publicUrl} is
   * the address users reach the server at (default {@code http://<host>:<port>}); requests made with
   * the session cookie must come from its origin or from the request's own.
   */
  public record Http(boolean enabled, String host, int port, int instances, long maxBodyBytes,
      int rateLimit, int rateBurst, String publicUrl) {
  }

  /**
   * Where data lives and how log lines are batched into SQLite; {@code viewRuns} is how many
   * finished runs the in-memory run view keeps besides the live ones.
   */
  /**
   * Where and how runs and lines are stored. {@code busyTimeoutMs}: how long a write waits for the
   * database's write lock while another process holds it, before it fails (503).
   * {@code maxBufferedLines}: how many log lines may wait in memory while they cannot be written
   * (a full disk, a locked database); beyond it lines are dropped, counted and reported.
   * {@code databaseUrl}: PostgreSQL instead of the SQLite file (null: SQLite), with a pool of
   * {@code databasePoolSize} connections.
   */
  public record Storage(Path dataDir, Path dbFile, Path logDir, int batchLines, long flushIntervalMs,
      int readPoolSize, int viewRuns, long busyTimeoutMs, long maxBufferedLines, DatabaseUrl databaseUrl,
      int databasePoolSize) {
  }

  /**
   * Process supervision defaults; {@code maxUnwrittenLines} bounds output read but not yet stored;
   * {@code pipeBytes} and {@code minReadIntervalUs} pace the reading of busy output (src/docs/architecture.md);
   * {@code exitWatcher}: a run ends when its shell exits, seen through a pidfd (false: when its pipes
   * close, as NuProcess alone sees it).
   * {@code inheritEnv} names the server's environment variables a child gets (a trailing {@code *}
   * is a prefix); the server's own {@code SCRIPTD_*} ones never pass, whatever it names.
   * {@code protectServerProcess} makes the server process non-dumpable, so runs under its uid
   * cannot read its environment or memory through {@code /proc}.
   */
  public record Runs(long defaultTimeoutSeconds, long killGraceMs, int maxLineBytes, int ringLines,
      String shell, boolean reaper, long maxUnwrittenLines, long maxUnwrittenWaitMs, int readerNice,
      int pipeBytes, int minReadIntervalUs, boolean exitWatcher, List<String> inheritEnv,
      boolean protectServerProcess) {
    public Runs {
      inheritEnv = List.copyOf(inheritEnv);
    }
  }

  /** What a child inherits from the server's environment unless {@code runs.inherit_env} says otherwise. */
  public static final List<String> DEFAULT_INHERIT_ENV =
      List.of("PATH", "HOME", "LANG", "LC_*", "TZ", "USER", "SHELL", "TMPDIR");
  /** A variable name, or a prefix of names ending in {@code *} (a lone {@code *}: every name). */
  private static final Pattern INHERIT_ENV_ENTRY = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)?\\*|[A-Za-z_][A-Za-z0-9_]*");

  /** Live tails (SSE and WebSocket): shared ring per run, keep-alives, slow-client limits. */
  public record Tail(int ringLines, long keepAliveMs, long stallTimeoutMs, int writeQueueBytes, long coalesceMs,
      int maxWritesPerSecond) {
    /**
     * How long lines of a run gather before its {@code subscribers} are written to: at least
     * {@code coalesceMs}, and longer for crowds, so one run's viewers cost at most
     * {@code maxWritesPerSecond} socket writes a second (each write then carries more lines).
     */
    public long coalesceMsFor(int subscribers) {
      return Math.max(coalesceMs, (long) subscribers * 1000 / maxWritesPerSecond);
    }
  }

  /**
   * Operations: {@code /health} limits (free bytes under the data dir, pending log lines) and how
   * long the standalone server waits for a clean stop before it exits anyway.
   */
  public record Ops(long minFreeBytes, long maxPendingLines, long shutdownTimeoutMs) {
  }

  /**
   * The retention job: when (5-field cron, server time zone) and what it deletes. {@code maxBytes}:
   * the budget of stored log bytes (the runs' {@code log_bytes}); 0 means none.
   */
  public record Retention(String cron, int days, int maxRunsPerScript, int batchSize, long maxBytes) {

    /** Without a stored-bytes budget. */
    public Retention(String cron, int days, int maxRunsPerScript, int batchSize) {
      this(cron, days, maxRunsPerScript, batchSize, 0);
    }
  }

  /** {@code files}: also write each run's lines to {@code <log_dir>/YYYY-MM-DD/<name>_<run-id>.log}. */
  public record Logs(boolean files) {
  }

  public static final long MAX_TIMEOUT_SECONDS = 604_800;

  /** An absolute http(s) URL without query or fragment, or the default built from host and port. */
  private static String publicUrl(String configured, String host, int port) {
    if (configured == null) {
      return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
    try {
      URI uri = new URI(configured);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getRawQuery() == null
          && uri.getRawFragment() == null && uri.getRawUserInfo() == null) {
        return configured.endsWith("/") ? configured.substring(0, configured.length() - 1) : configured;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new ConfigException("public_url must be an absolute http:// or https:// URL without query or fragment"
        + " (the address users reach scriptd at, e.g. https://scriptd.example.com), got '" + configured + "'");
  }

  public static ScriptdConfig fromJson(JsonObject json) {
    Settings root = new Settings(json, "");
    Settings http = root.section("http");
    Settings runs = root.section("runs");
    Settings persistence = root.section("persistence");
    Settings database = root.section("database");
    Settings tail = root.section("tail");

    int rateLimit = root.intValue("rate_limit", 100, 0, 1_000_000);
    String host = root.string("host", "127.0.0.1");
    int port = root.intValue("port", 8080, 0, 65535);
    Http httpConfig = new Http(
        http.bool("enabled", true),
        host,
        port,
        http.intValue("instances", Math.max(1, Runtime.getRuntime().availableProcessors()), 1, 64),
        http.longValue("max_body_bytes", 1_048_576, 1024, 1L << 30),
        rateLimit,
        root.intValue("rate_burst", Math.max(1, rateLimit * 2), 1, 2_000_000),
        publicUrl(root.string("public_url", null), host, port));

    Path dataDir = Path.of(root.string("data_dir", "./data"));
    Storage storage = new Storage(
        dataDir,
        Path.of(root.string("db_file", dataDir.resolve("scriptd.db").toString())),
        Path.of(root.string("log_dir", dataDir.resolve("logs").toString())),
        persistence.intValue("batch_lines", 1000, 1, 1_000_000),
        persistence.longValue("flush_interval_ms", 50, 1, 60_000),
        persistence.intValue("read_pool_size", 4, 1, 64),
        persistence.intValue("view_runs", 10_000, 0, 1_000_000),
        persistence.longValue("busy_timeout_ms", 5000, 100, 600_000),
        persistence.longValue("max_buffered_lines", 1_000_000, 1000, 100_000_000),
        DatabaseUrl.parse(database.string("url", null)),
        database.intValue("pool_size", 8, 1, 256));

    Runs runsConfig = new Runs(
        runs.longValue("default_timeout", 3600, 1, MAX_TIMEOUT_SECONDS),
        runs.longValue("kill_grace_ms", 5000, 0, 600_000),
        runs.intValue("max_line_bytes", 65_536, 256, 64 << 20),
        runs.intValue("ring_lines", 10_000, 16, 10_000_000),
        runs.string("shell", "/bin/bash"),
        runs.bool("reaper", true),
        runs.longValue("max_unwritten_lines", 500_000, 0, 100_000_000),
        runs.longValue("max_unwritten_wait_ms", 1000, 1, 600_000),
        runs.intValue("reader_nice", 10, 0, 19),
        runs.intValue("pipe_bytes", 256 << 10, 0, 1 << 30),
        runs.intValue("min_read_interval_us", 200, 0, 100_000),
        runs.bool("exit_watcher", true),
        runs.strings("inherit_env", DEFAULT_INHERIT_ENV, INHERIT_ENV_ENTRY,
            "a variable name, or a name prefix ending in * (e.g. LC_*)"),
        runs.bool("protect_server_process", true));

    Tail tailConfig = new Tail(
        tail.intValue("ring_lines", 10_000, 16, 1_000_000),
        tail.longValue("keep_alive_ms", 15_000, 100, 600_000),
        tail.longValue("stall_timeout_ms", 10_000, 100, 600_000),
        tail.intValue("write_queue_bytes", 256 * 1024, 1024, 64 << 20),
        tail.longValue("coalesce_ms", 10, 0, 1000),
        tail.intValue("max_writes_per_second", 20_000, 100, 10_000_000));

    Settings health = root.section("health");
    Ops ops = new Ops(
        health.longValue("min_free_bytes", 100L << 20, 0, Long.MAX_VALUE),
        health.longValue("max_pending_lines", 1_000_000, 1, Long.MAX_VALUE),
        root.longValue("shutdown_timeout_ms", 30_000, 1000, 3_600_000));

    Settings retention = root.section("retention");
    Retention retentionConfig = new Retention(
        retention.string("cron", "0 3 * * *"),
        retention.intValue("days", 30, 1, 36_500),
        retention.intValue("max_runs_per_script", 1000, 1, 100_000_000),
        retention.intValue("batch_size", 500, 1, 100_000),
        retention.longValue("max_bytes", 0, 0, Long.MAX_VALUE / 2));
    Logs logsConfig = new Logs(root.section("logs").bool("files", false));

    return new ScriptdConfig(httpConfig, storage, runsConfig, tailConfig, ops, retentionConfig, logsConfig);
  }

  /**
   * The cron scheduler ({@code scheduler} section). Read on its own so the record above keeps its
   * shape: {@code enabled} deploys it at all; {@code max_catchup_runs} caps misfire {@code all};
   * {@code misfire_grace_ms} is how late a fire time may still run as on time; {@code clock_check_ms}
   * is how often the wall clock is compared with the monotonic clock to catch jumps.
   */
  public record Scheduler(boolean enabled, int maxCatchupRuns, long misfireGraceMs, long clockCheckMs) {
  }

  public static Scheduler scheduler(JsonObject json) {
    Settings scheduler = new Settings(json, "").section("scheduler");
    return new Scheduler(
        scheduler.bool("enabled", true),
        scheduler.intValue("max_catchup_runs", 10, 1, 1000),
        scheduler.longValue("misfire_grace_ms", 60_000, 0, 86_400_000),
        scheduler.longValue("clock_check_ms", 30_000, 10, 3_600_000));
  }

  /**
   * Scripts kept as files ({@code scripts} section): {@code dir} is a folder of definition files
   * applied at start and whenever a file changes (null: none); {@code dir_prune} also deletes the
   * scripts no file defines; {@code dir_debounce_ms} is how long the folder must be quiet before a
   * change is applied (an editor or a git checkout writes several files at once).
   */
  public record ScriptsDir(Path dir, boolean prune, long debounceMs) {
  }

  public static ScriptsDir scriptsDir(JsonObject json) {
    Settings scripts = new Settings(json, "").section("scripts");
    String dir = scripts.string("dir", null);
    return new ScriptsDir(dir == null ? null : Path.of(dir), scripts.bool("dir_prune", false),
        scripts.longValue("dir_debounce_ms", 500, 10, 60_000));
  }

  /**
   * How the processes of a run are contained ({@code runs} section), read on its own so {@link Runs}
   * keeps its shape. {@code mode}: {@code auto} (a cgroup per run when a writable cgroup v2
   * hierarchy is found, else process groups), {@code cgroup} (a cgroup per run, or the server does
   * not start) or {@code process_group}. {@code cgroupRoot}: the cgroup under which each run gets its
   * own (null: found at start, see src/docs/operations.md, "Containment").
   */
  public record Containment(String mode, Path cgroupRoot) {
    public static final String AUTO = "auto";
    public static final String CGROUP = "cgroup";
    public static final String PROCESS_GROUP = "process_group";
  }

  public static Containment containment(JsonObject json) {
    Settings runs = new Settings(json, "").section("runs");
    String mode = runs.string("containment", Containment.AUTO);
    if (!List.of(Containment.AUTO, Containment.CGROUP, Containment.PROCESS_GROUP).contains(mode)) {
      throw new ConfigException("runs.containment must be auto, cgroup or process_group, got '" + mode + "'");
    }
    String root = runs.string("cgroup_root", null);
    if (root != null && !Path.of(root).isAbsolute()) {
      throw new ConfigException("runs.cgroup_root must be an absolute path (a directory of a cgroup v2"
          + " hierarchy, e.g. /sys/fs/cgroup/system.slice/scriptd.service/runs), got '" + root + "'");
    }
    return new Containment(mode, root == null ? null : Path.of(root));
  }

  /**
   * Group commit of run rows ({@code persistence} section), read on its own so {@link Storage} keeps
   * its shape: a transaction holds at most {@code batchRows} runs; saves gather for at most
   * {@code flushIntervalMs} after the first (0: whatever arrived while the previous transaction
   * was committing); beyond {@code maxQueued} waiting saves a save fails at once.
   */
  public record RunWrites(int batchRows, long flushIntervalMs, int maxQueued) {
  }

  public static RunWrites runWrites(JsonObject json) {
    Settings persistence = new Settings(json, "").section("persistence");
    return new RunWrites(
        persistence.intValue("run_batch_rows", 256, 1, 100_000),
        persistence.longValue("run_flush_interval_ms", 0, 0, 60_000),
        persistence.intValue("run_max_queued", 10_000, 1, 1_000_000));
  }

  /**
   * {@code audit.days}: records older than this are dropped (the chain stays checkable from the first
   * kept one); {@code audit.max_queued}: records waiting for the writer; beyond it a record is dropped
   * and counted, never a request held up.
   */
  public record Audit(int days, int maxQueued) {
  }

  public static Audit audit(JsonObject json) {
    Settings audit = new Settings(json, "").section("audit");
    return new Audit(
        audit.intValue("days", 365, 1, 36_500),
        audit.intValue("max_queued", 10_000, 1, 1_000_000));
  }

  /**
   * {@code bus_namespace}: the prefix of every event-bus address of this deployment (default
   * {@code scriptd}, the names documented in {@code Addresses}). Two instances in one Vertx need
   * different namespaces, e.g. {@code scriptd.tenant2}.
   */
  public static String busNamespace(JsonObject json) {
    String name = new Settings(json, "").string("bus_namespace", "scriptd");
    if (!name.matches("scriptd(\\.[a-z0-9-]+)*")) {
      throw new ConfigException("bus_namespace must be 'scriptd' or 'scriptd.<part>[.<part>...]' with parts of"
          + " a-z, 0-9 and '-' (e.g. scriptd.tenant2), got '" + name + "'");
    }
    return name;
  }

  /**
   * {@code metrics.event_bus}: the standalone server's Vert.x event-bus metrics (on by default, as
   * {@code /metrics} promises them). Each one costs meter lookups on every bus message; false drops
   * them from the hot path. A host that builds its own Vertx decides this in its own metrics options.
   */
  public static boolean eventBusMetrics(JsonObject json) {
    return new Settings(json, "").section("metrics").bool("event_bus", true);
  }

  /** {@code js.enabled}: deploy the JavaScript verticle at all (false: js runs and endpoints answer 503). */
  public static boolean jsEnabled(JsonObject json) {
    return new Settings(json, "").section("js").bool("enabled", true);
  }
}
