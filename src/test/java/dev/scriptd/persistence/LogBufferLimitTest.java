package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.LogPage;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.metrics.Meters;
import dev.scriptd.metrics.ScriptdMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Log lines that cannot be written wait, at most persistence.max_buffered_lines; the rest are dropped, counted and reported")
class LogBufferLimitTest extends PersistenceTestBase {
  @Test
  @DisplayName("while the database cannot be written, lines beyond the limit are dropped: counted in the meter, named in the run's error; the kept ones are written once, when it can")
  void beyondTheLimitIsDroppedCountedAndReported() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ScriptdMetrics metrics = ScriptdMetrics.create(vertx, registry);
    await(vertx.undeploy(deploymentId));
    deploymentId = await(vertx.deployVerticle(new PersistenceVerticle(), new DeploymentOptions().setConfig(
        metrics.configFor(config(new JsonObject().put("max_buffered_lines", 1000).put("busy_timeout_ms", 100)
            .put("batch_lines", 100).put("flush_interval_ms", 10))))));
    Run running = save(runningRun(T0));

    long keptBytes = 0;
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dbFile());
        Statement statement = other.createStatement()) {
      statement.execute("BEGIN EXCLUSIVE");
      for (int i = 0; i < 5; i++) {
        LogChunk chunk = chunk(running.id(), 1 + i * 400L, 400);
        if (i < 2) {
          keptBytes += chunk.bytes();
        }
        append(chunk);
      }
      // the appends are handled in order: a request after them finds them buffered (or dropped)
      JsonObject stats = request(dev.scriptd.bus.Addresses.DB_WRITER_STATS, null);
      assertTrue(stats.getLong("pending_lines") <= 800, stats.encode());
      statement.execute("ROLLBACK");
    }
    Run ended = save(running.withLog(2000, 0).ended(RunStatus.COMPLETED, 0, null, null, Instant.ofEpochMilli(T0 + 5)));
    Run stored = get(ended.id());
    assertTrue(stored.error() != null && stored.error().contains("1200 log lines could not be stored"), stored.error());
    LogPage page = readLogs(running.id(), 0, 10_000);
    assertEquals(800, page.lines().size());
    for (int i = 0; i < 800; i++) {
      assertEquals(i + 1, page.lines().get(i).seq());
    }
    assertEquals(keptBytes, stored.logBytes());
    assertEquals(1200.0, registry.get(Meters.LINES_DROPPED).counter().count());
  }
}
