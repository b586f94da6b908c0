package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunIo;
import dev.scriptd.domain.RunLineage;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.ScriptAutomation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RetryPlanner: which ended run is retried, and when")
class RetryPlannerTest {
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
  private static final JsonObject RETRY = ScriptAutomation.parse(new JsonObject().put("retry", new JsonObject()
      .put("max_attempts", 3).put("delay_ms", 1000).put("backoff", 2).put("max_delay_ms", 1500)), (f, m) -> {
        throw new AssertionError(f + " " + m);
      }).retry();

  private static Run ended(RunStatus status, RunLineage lineage, boolean started) {
    Run pending = Run.pending("run-" + lineage.attempt(), "script", Run.KIND_SHELL, "false", "api", 60, Map.of(), null,
        null, T0).withLineage(lineage);
    Run running = started ? pending.started(1, 1L, T0) : pending;
    return running.ended(status, 1, null, null, T0.plusSeconds(5));
  }

  @Test
  @DisplayName("a failed first run is retried 1 s after its end as attempt 2 of the series it starts")
  void firstRetry() {
    Run first = ended(RunStatus.FAILED, RunLineage.FIRST, true);
    Instant due = RetryPlanner.nextAttemptAt(RETRY, first);
    assertEquals(T0.plusSeconds(6), due);
    Run next = RetryPlanner.nextAttempt(first, "run-2", due, T0.plusSeconds(5));
    assertEquals(RunStatus.PENDING, next.status());
    assertEquals("retry", next.trigger());
    assertEquals(new RunLineage(null, first.id(), 2, due, 0), next.lineage());
  }

  @Test
  @DisplayName("the next attempt keeps the run's parameter values (the secret ones too) but not its outputs")
  void nextAttemptKeepsParams() {
    Run first = ended(RunStatus.FAILED, RunLineage.FIRST, true)
        .withIo(new RunIo(new JsonObject().put("day", "2026-12-24").put("token", "s3"), Set.of("token"),
            new JsonObject().put("out", "1")));
    Run next = RetryPlanner.nextAttempt(first, "run-2", T0, T0);
    assertEquals(new JsonObject().put("day", "2026-12-24").put("token", "s3"), next.io().params());
    assertEquals(Set.of("token"), next.io().secretParams());
    assertEquals(new JsonObject(), next.io().outputs());
  }

  @Test
  @DisplayName("the second retry waits delay × backoff, capped by max_delay_ms; the series keeps its first run")
  void secondRetryIsCapped() {
    Run second = ended(RunStatus.TIMED_OUT, new RunLineage("parent", "run-1", 2, T0, 3), true);
    Instant due = RetryPlanner.nextAttemptAt(RETRY, second);
    assertEquals(T0.plusMillis(5000 + 1500), due, "2000 ms capped at 1500");
    assertEquals(new RunLineage("parent", "run-1", 3, due, 3), RetryPlanner.nextAttempt(second, "x", due, T0).lineage());
  }

  @Test
  @DisplayName("no retry after the last attempt, for killed or completed runs, for a run that never started, or without retry")
  void noRetry() {
    assertNull(RetryPlanner.nextAttemptAt(RETRY, ended(RunStatus.FAILED, new RunLineage(null, "run-1", 3, T0, 0), true)));
    assertNull(RetryPlanner.nextAttemptAt(RETRY, ended(RunStatus.KILLED, RunLineage.FIRST, true)));
    assertNull(RetryPlanner.nextAttemptAt(RETRY, ended(RunStatus.COMPLETED, RunLineage.FIRST, true)));
    assertNull(RetryPlanner.nextAttemptAt(RETRY, ended(RunStatus.FAILED, RunLineage.FIRST, false)));
    assertNull(RetryPlanner.nextAttemptAt(null, ended(RunStatus.FAILED, RunLineage.FIRST, true)));
    JsonObject onLost = RETRY.copy().put("on", new JsonArray().add("lost"));
    assertNull(RetryPlanner.nextAttemptAt(onLost, ended(RunStatus.FAILED, RunLineage.FIRST, true)), "failed is not listed");
  }
}
