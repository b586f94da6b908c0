package dev.scriptd.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.scriptd.bus.Namespace;
import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The retention job's own fire times: nothing is armed here, only its next run is computed. */
@DisplayName("Retention job: retention.cron follows the scheduler's daylight-saving rule")
class RetentionJobTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private RetentionJob job(String cron, String zone) {
    return new RetentionJob(vertx, Namespace.defaultNamespace(), new ScriptdConfig.Retention(cron, 30, 1000, 500),
        ZoneId.of(zone));
  }

  private static Instant at(String iso) {
    return Instant.parse(iso);
  }

  @Test
  @DisplayName("a pass at 02:30 in Berlin runs at 03:00 CEST on the spring-forward day instead of skipping it")
  void springForwardRunsAtTheEndOfTheGap() {
    RetentionJob job = job("30 2 * * *", "Europe/Berlin");
    assertEquals(at("2026-03-28T01:30:00Z"), job.nextRunAfter(at("2026-03-27T12:00:00Z")));
    assertEquals(at("2026-03-29T01:00:00Z"), job.nextRunAfter(at("2026-03-28T12:00:00Z")));
    assertEquals(at("2026-03-30T00:30:00Z"), job.nextRunAfter(at("2026-03-29T01:00:00Z")));
    RetentionJob newYork = job("30 2 * * *", "America/New_York");
    assertEquals(at("2026-03-08T07:00:00Z"), newYork.nextRunAfter(at("2026-03-07T12:00:00Z")));
  }

  @Test
  @DisplayName("a pass in the repeated hour of the fall-back day runs once, at the first 02:30")
  void fallBackRunsOnce() {
    RetentionJob job = job("30 2 * * *", "Europe/Berlin");
    assertEquals(at("2026-10-25T00:30:00Z"), job.nextRunAfter(at("2026-10-24T12:00:00Z")));
    // armed again after that pass (or after a restart during the second 02:30): not again that night
    assertEquals(at("2026-10-26T01:30:00Z"), job.nextRunAfter(at("2026-10-25T00:30:05Z")));
    assertEquals(at("2026-10-26T01:30:00Z"), job.nextRunAfter(at("2026-10-25T01:29:00Z")));
    RetentionJob lordHowe = job("45 1 * * *", "Australia/Lord_Howe");
    assertEquals(at("2026-04-05T15:15:00Z"), lordHowe.nextRunAfter(at("2026-04-04T14:50:00Z")));
  }

  @Test
  @DisplayName("retention.cron takes the schedules' forms and macros, and an invalid one says what is wrong")
  void sameExpressionsAsSchedules() {
    assertEquals(at("2026-01-04T00:00:00Z"), job("0 0 * * SUN-TUE", "UTC").nextRunAfter(at("2026-01-01T00:00:00Z")));
    assertEquals(at("2026-01-02T00:00:00Z"), job("@daily", "UTC").nextRunAfter(at("2026-01-01T00:00:00Z")));
    IllegalArgumentException invalid = assertThrows(IllegalArgumentException.class, () -> job("0 25 * * *", "UTC"));
    assertEquals("retention.cron: '0 25 * * *' is not a valid cron expression: hour 25 is out of range 0-23",
        invalid.getMessage());
  }
}
