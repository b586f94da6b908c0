package dev.scriptd;

import dev.scriptd.auth.AdminToken;
import dev.scriptd.cli.Cli;
import dev.scriptd.cluster.HazelcastSettings;
import dev.scriptd.cli.Terminal;
import dev.scriptd.config.ClusterConfig;
import dev.scriptd.config.ConfigException;
import dev.scriptd.config.ConfigLoader;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.metrics.KeptMetersFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The jar's entry point. A client command ({@code run}, {@code tail}, {@code runs}, {@code apply},
 * {@code export}, {@code token}, {@code --help}) goes to {@link Cli}. Anything else (no command, {@code serve}, flags) is the
 * standalone server: reads the settings, builds a Vertx with Micrometer metrics (clustered through
 * Hazelcast when {@code cluster.enabled}: it joins the cluster first), deploys scriptd, and on
 * SIGTERM (or SIGINT) stops it cleanly within {@code shutdown_timeout_ms} (closing the Vertx leaves
 * the cluster), then exits 0 (1 when the clean stop did not finish in time).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    // before anything loads NuProcess: scriptd stops its runs itself at exit
    ProcessShutdown.disableNuProcessHook();
    if (Cli.isClientCommand(args)) {
      System.exit(new Cli(Terminal.system()).execute(args));
      return;
    }
    serve(Cli.serverArgs(args));
  }

  private static void serve(String[] givenArgs) {
    List<String> flags = new ArrayList<>(List.of(givenArgs));
    // an action of this start, not a setting: never read from the config file or the environment
    boolean resetAdminToken = flags.removeIf(flag -> flag.equals("--reset-admin-token")
        || flag.equals("-reset-admin-token"));
    String[] args = flags.toArray(new String[0]);
    JsonObject config;
    boolean eventBusMetrics;
    ClusterConfig cluster;
    try {
      config = ConfigLoader.load(args, System.getenv());
      eventBusMetrics = ScriptdConfig.eventBusMetrics(config);
      cluster = ClusterConfig.fromJson(config);
    } catch (ConfigException e) {
      LOG.error("invalid configuration: {}", e.getMessage());
      System.exit(2);
      return;
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx;
    // the JVM's main thread, never an event loop: the waits below (cluster join, deployment) are allowed
    if (cluster.enabled()) {
      try {
        vertx = newClusteredVertx(registry, MicrometerMetricsOptions.DEFAULT_REGISTRY_NAME, eventBusMetrics, cluster)
            .await(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.error("cannot join the cluster '{}' (members {}, port {}): {}", cluster.name(), cluster.members(),
            cluster.port(), e.getMessage(), e);
        System.exit(1);
        return;
      }
      LOG.info("joined the cluster '{}' on port {}", cluster.name(), cluster.port());
    } else {
      vertx = newVertx(registry, MicrometerMetricsOptions.DEFAULT_REGISTRY_NAME, eventBusMetrics);
    }
    ScriptdHandle handle;
    try {
      handle = Scriptd.deploy(vertx, config, registry).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      String inUse = portInUse(e, config);
      DataDirLock.InUse dataDirInUse = dataDirInUse(e);
      if (inUse != null) {
        LOG.error(inUse);
      } else if (dataDirInUse != null) {
        LOG.error("cannot start: {}", dataDirInUse.getMessage());
      } else {
        LOG.error("scriptd failed to start: {}", e.getMessage(), e);
      }
      vertx.close();
      System.exit(1);
      return;
    }
    String link = handle.adminLink();
    if (resetAdminToken) {
      try {
        link = handle.resetAdminToken().await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.error("could not reset the admin token: {}", e.getMessage());
      }
    }
    LOG.info("scriptd listening on http://{}:{}/", handle.config().http().host(), handle.config().http().port());
    Shutdown shutdown = new Shutdown(vertx, handle, handle.config().ops().shutdownTimeoutMs());
    // other exits (System.exit, SIGHUP) still stop cleanly; the exit code is then the JVM's
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown::run, "scriptd-shutdown"));
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), signal -> System.exit(shutdown.run()));
      } catch (IllegalArgumentException unavailable) {
        LOG.warn("cannot handle SIG{} ({}); the shutdown hook stops scriptd instead", name,
            unavailable.getMessage());
      }
    }
    if (link != null) {
      printAdminLink(System.out, link, handle.config().storage().dataDir().resolve(AdminToken.LINK_FILE));
    }
  }

  /** Last thing a start prints, so it is not lost among the log lines. */
  static void printAdminLink(PrintStream out, String link, Path file) {
    out.println();
    out.println("  scriptd admin token (shown once; open this link to log in as admin):");
    out.println();
    out.println("    " + link);
    out.println();
    out.println("  It is also in " + file.toAbsolutePath().normalize() + " (owner-only); delete that file once the"
        + " token is kept elsewhere.");
    out.println();
    out.flush();
  }

  /** One clear line when the port is taken (the cause is a bind failure); null otherwise. */
  static String portInUse(Throwable failure, JsonObject config) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      String message = cause.getMessage();
      if (cause instanceof BindException || message != null && message.contains("Address already in use")) {
        ScriptdConfig.Http http = ScriptdConfig.fromJson(config).http();
        return "cannot listen on " + http.host() + ":" + http.port() + ": the port is already in use (is another scriptd"
            + " running?); stop that process or choose another port with --port";
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }

  /** The data dir refusal among the failure's causes, or null. */
  static DataDirLock.InUse dataDirInUse(Throwable failure) {
    for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
      if (cause instanceof DataDirLock.InUse inUse) {
        return inUse;
      }
    }
    return null;
  }

  /**
   * A Vertx reporting the standard Vert.x metrics (HTTP server, event bus, pools, JVM) to
   * {@code registry}. Labels: Vert.x's defaults (method, code, pool, event-bus side) plus the
   * matched route template; no path and no event-bus address (per-run addresses would be unbounded).
   * The HTTP server's request meters are looked up once and kept ({@link KeptMetersFactory}).
   */
  public static Vertx newVertx(MeterRegistry registry, String registryName) {
    return newVertx(registry, registryName, true);
  }

  /**
   * As {@link #newVertx(MeterRegistry, String)}; {@code eventBusMetrics} false leaves out the
   * event-bus metrics ({@code metrics.event_bus}), which cost meter lookups on every message.
   */
  public static Vertx newVertx(MeterRegistry registry, String registryName, boolean eventBusMetrics) {
    return builder(registry, registryName, eventBusMetrics, new EventBusOptions()).build();
  }

  /**
   * As {@link #newVertx(MeterRegistry, String, boolean)}, clustered through Hazelcast with
   * {@link HazelcastSettings} ({@code cluster} settings); it joins the cluster before it completes.
   * Closing it leaves the cluster.
   */
  public static Future<Vertx> newClusteredVertx(MeterRegistry registry, String registryName, boolean eventBusMetrics,
      ClusterConfig cluster) {
    return builder(registry, registryName, eventBusMetrics, HazelcastSettings.eventBus(cluster))
        .withClusterManager(new HazelcastClusterManager(HazelcastSettings.of(cluster)))
        .buildClustered();
  }

  private static VertxBuilder builder(MeterRegistry registry, String registryName, boolean eventBusMetrics,
      EventBusOptions eventBus) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setRegistryName(registryName)
        .addLabels(Label.HTTP_ROUTE);
    if (!eventBusMetrics) {
      metrics.addDisabledMetricsCategory(MetricsDomain.EVENT_BUS);
    }
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metrics).setEventBusOptions(eventBus))
        .withMetrics(new KeptMetersFactory(registry));
  }

  /** Stops once, whoever asks first (signal handler or shutdown hook); later callers wait for it. */
  private static final class Shutdown {
    private final Vertx vertx;
    private final ScriptdHandle handle;
    private final long limitMs;
    private final CompletableFuture<Integer> result = new CompletableFuture<>();
    private boolean started;

    Shutdown(Vertx vertx, ScriptdHandle handle, long limitMs) {
      this.vertx = vertx;
      this.handle = handle;
      this.limitMs = limitMs;
    }

    /** Runs on a signal or shutdown thread (never a Vert.x thread), so waiting here is allowed. */
    int run() {
      synchronized (this) {
        if (started) {
          return result.join();
        }
        started = true;
      }
      LOG.info("stopping: killing running processes and writing buffered log lines (at most {} ms)", limitMs);
      long began = System.nanoTime();
      int code;
      try {
        handle.close().eventually(vertx::close).await(limitMs, TimeUnit.MILLISECONDS);
        LOG.info("stopped cleanly in {} ms", (System.nanoTime() - began) / 1_000_000);
        code = 0;
      } catch (Exception e) {
        LOG.error("clean shutdown did not finish within {} ms: {}", limitMs, e.toString());
        code = 1;
      }
      result.complete(code);
      return code;
    }
  }
}
