package dev.scriptd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.scriptd.Main;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ScriptdMetrics: which registry, how verticles find it, and cleanup on close")
class ScriptdMetricsTest {
  private Vertx vertx;

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a Vertx with Micrometer metrics lends its registry; verticles find the instance by config")
  void usesTheVertxRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    vertx = Main.newVertx(registry, MicrometerMetricsOptions.DEFAULT_REGISTRY_NAME);
    ScriptdMetrics metrics = ScriptdMetrics.create(vertx, null);
    assertSame(registry, metrics.scrapeRegistry());
    JsonObject config = metrics.configFor(new JsonObject().put("port", 1));
    assertSame(metrics, ScriptdMetrics.of(vertx, config));
    assertNotSame(metrics, ScriptdMetrics.of(vertx, new JsonObject()));
    metrics.close(vertx);
    assertNotSame(metrics, ScriptdMetrics.of(vertx, config));
  }

  @Test
  @DisplayName("active_vms_gauge sums the JS sources; close removes every meter from a shared registry")
  void vmSourcesAndCleanup() {
    vertx = Vertx.vertx();
    PrometheusMeterRegistry shared = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ScriptdMetrics first = ScriptdMetrics.create(vertx, shared);
    assertEquals(0.0, shared.get(Meters.ACTIVE_VMS).gauge().value());
    IntSupplier two = () -> 2;
    first.addVmSource(two);
    first.addVmSource(() -> 3);
    assertEquals(5.0, shared.get(Meters.ACTIVE_VMS).gauge().value());
    first.removeVmSource(two);
    assertEquals(3.0, shared.get(Meters.ACTIVE_VMS).gauge().value());
    first.close(vertx);
    assertNull(shared.find(Meters.ACTIVE_VMS).gauge());
    // a later deployment on the same registry gets live gauges, not the first one's
    ScriptdMetrics second = ScriptdMetrics.create(vertx, shared);
    second.runQueued();
    second.runStarted();
    assertEquals(1.0, shared.get(Meters.ACTIVE_SCRIPTS).gauge().value());
    assertEquals(0.0, shared.get(Meters.QUEUED_RUNS).gauge().value());
    second.close(vertx);
  }
}
