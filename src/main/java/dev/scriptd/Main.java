package dev.scriptd;

import dev.scriptd.config.ConfigException;
import dev.scriptd.config.ConfigLoader;
import dev.scriptd.config.ScriptdConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Standalone server: reads the settings, builds a Vertx with Micrometer metrics, deploys scriptd,
 * and on SIGTERM (or SIGINT) stops it cleanly within {@code shutdown_timeout_ms}, then exits 0 (1
 * when the clean stop did not finish in time).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    JsonObject config;
    boolean eventBusMetrics;
    try {
      config = ConfigLoader.load(args, System.getenv());
      eventBusMetrics = ScriptdConfig.eventBusMetrics(config);
    } catch (ConfigException e) {
      LOG.error("invalid configuration: {}", e.getMessage());
      System.exit(2);
      return;
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = newVertx(registry, MicrometerMetricsOptions.DEFAULT_REGISTRY_NAME, eventBusMetrics);
    ScriptdHandle handle;
    try {
      handle = Scriptd.deploy(vertx, config, registry).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("scriptd failed to start: {}", e.getMessage(), e);
      vertx.close();
      System.exit(1);
      return;
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
  }

  /**
   * A Vertx reporting the standard Vert.x metrics (HTTP server, event bus, pools, JVM) to
   * {@code registry}. Labels: Vert.x's defaults (method, code, pool, event-bus side) plus the
   * matched route template; no path and no event-bus address (per-run addresses would be unbounded).
   */
  public static Vertx newVertx(MeterRegistry registry, String registryName) {
    return newVertx(registry, registryName, true);
  }

  /**
   * As {@link #newVertx(MeterRegistry, String)}; {@code eventBusMetrics} false leaves out the
   * event-bus metrics ({@code metrics.event_bus}), which cost meter lookups on every message.
   */
  public static Vertx newVertx(MeterRegistry registry, String registryName, boolean eventBusMetrics) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setRegistryName(registryName)
        .addLabels(Label.HTTP_ROUTE);
    if (!eventBusMetrics) {
      metrics.addDisabledMetricsCategory(MetricsDomain.EVENT_BUS);
    }
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
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
