package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.scriptd.Main;
import dev.scriptd.bus.Addresses;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("GET /metrics: run counters and histograms per label set, gauges, and the Vert.x metrics")
class MetricsTest {
  private static final String[] ADHOC_SHELL = {"script_id", "adhoc", "type", "shell"};

  @TempDir
  Path dataDir;
  private Vertx vertx;
  private TestServer server;
  private Api api;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Like Main: a Vertx with Micrometer metrics, scriptd deployed into it without a registry. */
  private void startWithVertxMetrics() throws Exception {
    vertx = Main.newVertx(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        MicrometerMetricsOptions.DEFAULT_REGISTRY_NAME);
    server = TestServer.start(vertx, dataDir);
    api = server.api;
  }

  @Test
  @DisplayName("completed, failed and killed runs count once each, per script_id, type and status")
  void countsRunsPerLabelSet() throws Exception {
    startWithVertxMetrics();
    for (int i = 0; i < 2; i++) {
      api.awaitEnd(api.startRun("echo ok").getString("id"));
    }
    JsonObject failed = api.awaitEnd(api.startRun("sleep 0.2; exit 3").getString("id"));
    assertEquals("failed", failed.getString("status"));
    String sleeper = api.startRun("sleep 60").getString("id");
    HttpResponse<String> kill = api.post("/api/runs/" + sleeper + "/kill", null);
    assertTrue(kill.statusCode() < 300, kill.body());
    assertEquals("killed", api.awaitEnd(sleeper).getString("status"));
    JsonObject saved = new JsonObject(vertx.eventBus().<JsonObject>request(Addresses.RUNS_START,
        new JsonObject().put("command", "true").put("script_id", "0f6b7c1e-2d3a-4b5c-8d9e-0a1b2c3d4e5f"))
        .map(Message::body).await(10, TimeUnit.SECONDS).encode());
    api.awaitEnd(saved.getString("id"));

    Scrape scrape = Scrape.of(api);
    assertTrue(scrape.text.contains("script_executions_total{"), scrape.text);
    assertEquals(2.0, scrape.value("script_executions_total", with(ADHOC_SHELL, "status", "completed")));
    assertEquals(1.0, scrape.value("script_executions_total", with(ADHOC_SHELL, "status", "failed")));
    assertEquals(1.0, scrape.value("script_executions_total", with(ADHOC_SHELL, "status", "killed")));
    assertEquals(1.0, scrape.value("script_executions_total",
        "script_id", "0f6b7c1e-2d3a-4b5c-8d9e-0a1b2c3d4e5f", "type", "shell", "status", "completed"));
    assertNull(scrape.value("script_executions_total", with(ADHOC_SHELL, "status", "timed_out")));

    assertEquals(2.0, scrape.value("script_execution_duration_seconds_count", with(ADHOC_SHELL, "status", "completed")));
    assertEquals(1.0, scrape.value("script_execution_duration_seconds_count", with(ADHOC_SHELL, "status", "failed")));
    assertEquals(1.0, scrape.value("script_execution_duration_seconds_count", with(ADHOC_SHELL, "status", "killed")));
    // the histogram has the documented buckets; the failed run slept 0.2 s
    assertEquals(2.0, scrape.value("script_execution_duration_seconds_bucket",
        with(ADHOC_SHELL, "status", "completed", "le", "3600.0")));
    assertEquals(0.0, scrape.value("script_execution_duration_seconds_bucket",
        with(ADHOC_SHELL, "status", "failed", "le", "0.1")));
    assertEquals(1.0, scrape.value("script_execution_duration_seconds_bucket",
        with(ADHOC_SHELL, "status", "failed", "le", "+Inf")));
    assertTrue(scrape.value("script_execution_duration_seconds_sum", with(ADHOC_SHELL, "status", "failed")) >= 0.2);

    assertEquals(0.0, scrape.value("active_scripts_gauge"));
    assertEquals(0.0, scrape.value("active_vms_gauge"));
    assertEquals(0.0, scrape.value("scriptd_runs_queued"));
    assertTrue(scrape.value("scriptd_log_lines_ingested_total") >= 2.0, "ingested lines");
    assertEquals(0.0, scrape.value("scriptd_log_lines_dropped_total"));
    assertTrue(scrape.value("scriptd_sqlite_batch_lines_count") >= 1.0, "batches");
    assertTrue(scrape.value("scriptd_sqlite_flush_seconds_count") >= 1.0, "flushes");
  }

  @Test
  @DisplayName("active_scripts_gauge and the tail subscriber gauge go up while a run runs and back down")
  void gaugesFollowRunsAndSubscribers() throws Exception {
    startWithVertxMetrics();
    String first = api.startRun("sleep 60").getString("id");
    String second = api.startRun("sleep 60").getString("id");
    awaitScrape(s -> Double.valueOf(2.0).equals(s.value("active_scripts_gauge")), "two active runs");
    try (SseClient tail = new SseClient(api.client, api.base + "/api/runs/" + first + "/logs",
        "Authorization", "Bearer " + api.token)) {
      awaitScrape(s -> Double.valueOf(1.0).equals(s.value("scriptd_tail_subscribers")), "one subscriber");
    }
    awaitScrape(s -> Double.valueOf(0.0).equals(s.value("scriptd_tail_subscribers")), "no subscriber");
    api.post("/api/runs/" + first + "/kill", null);
    api.awaitEnd(first);
    assertEquals(1.0, Scrape.of(api).value("active_scripts_gauge"));
    api.post("/api/runs/" + second + "/kill", null);
    api.awaitEnd(second);
    assertEquals(0.0, Scrape.of(api).value("active_scripts_gauge"));
  }

  @Test
  @DisplayName("the standard Vert.x HTTP and event-bus metrics are served, with per-run addresses folded")
  void vertxMetrics() throws Exception {
    startWithVertxMetrics();
    api.awaitEnd(api.startRun("echo one; echo two").getString("id"));
    api.get("/health");
    Scrape scrape = Scrape.of(api);
    assertTrue(scrape.has("vertx_http_server_requests_total"), scrape.text);
    Double healthRequests = scrape.value("vertx_http_server_requests_total",
        "code", "200", "method", "GET", "route", "/health");
    assertTrue(healthRequests != null && healthRequests >= 1.0, scrape.text);
    assertTrue(scrape.has("vertx_eventbus_handlers"), "event-bus metrics");
    assertFalse(scrape.text.contains("address="), "event-bus addresses (one per run) are not labels");
    assertFalse(scrape.text.matches("(?s).*\"/api/runs/[0-9a-f]{8}-.*"), "a run id as a label value");
    assertTrue(scrape.has("jvm_memory_used_bytes"), "JVM metrics");
  }

  @Test
  @DisplayName("scriptd deployed into a Vertx without metrics still serves its own meters")
  void embeddedWithoutVertxMetrics() throws Exception {
    vertx = Vertx.vertx();
    server = TestServer.start(vertx, dataDir);
    api = server.api;
    api.awaitEnd(api.startRun("exit 1").getString("id"));
    Scrape scrape = Scrape.of(api);
    assertEquals(1.0, scrape.value("script_executions_total", with(ADHOC_SHELL, "status", "failed")));
    assertEquals(0.0, scrape.value("active_scripts_gauge"));
    assertFalse(scrape.has("vertx_http_server_requests_total"), "no Vert.x metrics without a metrics Vertx");
    HttpResponse<String> response = api.get("/metrics");
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
        response.headers().toString());
  }

  private void awaitScrape(Predicate<Scrape> until, String what) {
    Instant end = Instant.now().plus(Duration.ofSeconds(20));
    Scrape scrape = Scrape.of(api);
    while (!until.test(scrape)) {
      if (Instant.now().isAfter(end)) {
        fail("metrics never showed " + what + ":\n" + scrape.text);
      }
      LockSupport.parkNanos(20_000_000L);
      scrape = Scrape.of(api);
    }
  }

  private static String[] with(String[] base, String... more) {
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }
}
