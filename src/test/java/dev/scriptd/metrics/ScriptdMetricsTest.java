package dev.scriptd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.Main;
import dev.scriptd.config.ConfigException;
import dev.scriptd.config.ScriptdConfig;
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
  @DisplayName("metrics.event_bus is on by default; false leaves the per-message event-bus meters out, JVM metrics stay")
  void eventBusMetricsByConfig() throws Exception {
    assertTrue(ScriptdConfig.eventBusMetrics(new JsonObject()));
    assertThrows(ConfigException.class,
        () -> ScriptdConfig.eventBusMetrics(new JsonObject().put("metrics", new JsonObject().put("event_bus", "maybe"))));
    PrometheusMeterRegistry on = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    vertx = Main.newVertx(on, "scriptd-test-eb-on", ScriptdConfig.eventBusMetrics(new JsonObject()));
    exchangeOneMessage();
    assertTrue(on.scrape().contains("vertx_eventbus_processed_total"), on.scrape());
    vertx.close().await(10, TimeUnit.SECONDS);

    PrometheusMeterRegistry off = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    vertx = Main.newVertx(off, "scriptd-test-eb-off", ScriptdConfig.eventBusMetrics(
        new JsonObject().put("metrics", new JsonObject().put("event_bus", false))));
    exchangeOneMessage();
    String scrape = off.scrape();
    assertFalse(scrape.contains("vertx_eventbus"), scrape);
    assertTrue(scrape.contains("jvm_memory_used_bytes"), scrape);
  }

  private void exchangeOneMessage() throws Exception {
    vertx.eventBus().<String>consumer("scriptd.test.echo", message -> message.reply(message.body()));
    assertEquals("ping", vertx.eventBus().<String>request("scriptd.test.echo", "ping")
        .await(10, TimeUnit.SECONDS).body());
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

  @Test
  @DisplayName("a run a previous server left unfinished, ended lost at start, is counted by status without moving the active or queued gauges")
  void recoveredRunsAreCounted() {
    vertx = Vertx.vertx();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ScriptdMetrics metrics = ScriptdMetrics.create(vertx, registry);
    java.time.Instant then = java.time.Instant.parse("2026-01-01T00:00:00Z");
    dev.scriptd.domain.Run lost = dev.scriptd.domain.Run.pending("r1", null, "shell", "sleep 9", "api", 60,
            null, null, null, then)
        .started(123, 1L, then)
        .ended(dev.scriptd.domain.RunStatus.LOST, null, null, "the server stopped", then.plusSeconds(2));
    metrics.runRecovered(lost);
    assertEquals(1.0, registry.get(Meters.EXECUTIONS).tags(Meters.TAG_STATUS, "lost", Meters.TAG_SCRIPT_ID,
        Meters.ADHOC, Meters.TAG_TYPE, "shell").counter().count());
    assertEquals(2.0, registry.get(Meters.EXECUTION_DURATION).tags(Meters.TAG_STATUS, "lost").timer()
        .totalTime(TimeUnit.SECONDS));
    assertEquals(0.0, registry.get(Meters.ACTIVE_SCRIPTS).gauge().value());
    assertEquals(0.0, registry.get(Meters.QUEUED_RUNS).gauge().value());
    metrics.close(vertx);
  }

  /** The scrape's sample lines of scriptd's own meters (every name in Meters.ALL, with Prometheus's suffixes). */
  private static java.util.List<String> scriptdSamples(String scrape) {
    return scrape.lines().filter(line -> !line.startsWith("#"))
        .filter(line -> Meters.ALL.stream().anyMatch(name -> line.startsWith(name + "{") || line.startsWith(name + "_")
            || line.startsWith(name + " ")))
        .toList();
  }

  @Test
  @DisplayName("clustered, every scriptd meter carries node=\"<id>\"; a single node's meters carry no node tag")
  void aClusteredNodesMetersCarryItsId() {
    vertx = Vertx.vertx();
    java.time.Instant then = java.time.Instant.parse("2026-01-01T00:00:00Z");
    dev.scriptd.domain.Run ended = dev.scriptd.domain.Run.pending("r1", null, "shell", "true", "api", 60,
        null, null, null, then).started(1, 1L, then).ended(dev.scriptd.domain.RunStatus.COMPLETED, 0, null, null,
        then.plusSeconds(1));
    PrometheusMeterRegistry clustered = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ScriptdMetrics node = ScriptdMetrics.create(vertx, clustered, "node-7");
    node.runQueued();
    node.runStarted();
    node.runEnded(ended, true);
    java.util.List<String> samples = scriptdSamples(clustered.scrape());
    // every meter of Meters.ALL is registered at creation, the run meters once a run ended
    for (String name : Meters.ALL) {
      assertTrue(samples.stream().anyMatch(line -> line.startsWith(name)), name + " missing from " + samples);
    }
    for (String line : samples) {
      assertTrue(line.contains("node=\"node-7\""), line);
    }
    assertEquals(1.0, clustered.get(Meters.EXECUTIONS).tags(Meters.TAG_NODE, "node-7", Meters.TAG_STATUS,
        "completed").counter().count());
    node.close(vertx);

    PrometheusMeterRegistry single = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ScriptdMetrics alone = ScriptdMetrics.create(vertx, single);
    alone.runQueued();
    alone.runStarted();
    alone.runEnded(ended, true);
    java.util.List<String> unchanged = scriptdSamples(single.scrape());
    assertTrue(unchanged.stream().anyMatch(line -> line.startsWith("script_executions_total{")), unchanged.toString());
    for (String line : unchanged) {
      assertFalse(line.contains("node="), line);
    }
    alone.close(vertx);
  }
}
