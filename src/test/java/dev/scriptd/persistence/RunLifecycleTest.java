package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunLifecycleTest extends PersistenceTestBase {

  @Test
  void deleteUnknownFails404() {
    assertFails(ReplyCodes.NOT_FOUND, "run ghost not found",
        () -> request(Addresses.DB_DELETE_RUN, "ghost"));
  }

  @Test
  void deleteRunningFails409AndKeepsIt() {
    Run running = save(runningRun(T0));
    append(chunk(running.id(), 1, 3));

    assertFails(ReplyCodes.CONFLICT, "run " + running.id() + " is still running; kill it first",
        () -> request(Addresses.DB_DELETE_RUN, running.id()));
    assertEquals(3, readLogs(running.id(), 0, 10).lines().size());
    assertEquals(running.id(), get(running.id()).id());
  }

  @Test
  void deleteFinishedRemovesTheRunAndItsLines() throws Exception {
    Run run = save(runningRun(T0));
    Run other = save(runningRun(T0 + 1));
    append(chunk(run.id(), 1, 50));
    append(chunk(other.id(), 1, 5));
    save(run.ended(RunStatus.COMPLETED, 0, null, null, Instant.ofEpochMilli(T0 + 9)));

    Object reply = request(Addresses.DB_DELETE_RUN, run.id());

    assertNull(reply);
    assertFails(ReplyCodes.NOT_FOUND, "not found", () -> get(run.id()));
    assertEquals(List.of(), readLogs(run.id(), 0, 100).lines());
    assertEquals(0, queryLong("SELECT count(*) FROM log_chunks WHERE run_id = '" + run.id() + "'"));
    assertEquals(5, readLogs(other.id(), 0, 100).lines().size());
  }

  @Test
  void aDeleteSeesASaveMadeBeforeItEvenWhileThatSaveStillWaitsForItsGroup() {
    // a group would wait a minute: only the delete makes it commit now
    redeploy(new JsonObject().put("run_flush_interval_ms", 60_000));
    Run finished = runningRun(T0).ended(RunStatus.COMPLETED, 0, null, null, Instant.ofEpochMilli(T0 + 9));

    var saved = vertx.eventBus().request(Addresses.DB_SAVE_RUN, finished);
    Object reply = request(Addresses.DB_DELETE_RUN, finished.id());

    assertNull(reply);
    assertEquals(finished.id(), ((Run) await(saved).body()).id());
    assertFails(ReplyCodes.NOT_FOUND, "not found", () -> get(finished.id()));
  }

  @Test
  void healthIsUpWithDetails() {
    JsonObject health = request(Addresses.DB_HEALTH, null);

    assertEquals("UP", health.getString("database"));
    assertEquals(0, health.getInteger("pending_lines"));
    assertEquals(-1L, health.getLong("last_flush_ms"));
  }

  @Test
  void healthReportsPendingLinesAndLastFlush() {
    redeploy(new JsonObject().put("flush_interval_ms", 60_000).put("batch_lines", 1_000_000));
    Run run = save(runningRun(T0));
    append(chunk(run.id(), 1, 4));

    JsonObject before = request(Addresses.DB_HEALTH, null);
    readLogs(run.id(), 0, 10);
    JsonObject after = request(Addresses.DB_HEALTH, null);

    assertEquals(4, before.getInteger("pending_lines"));
    assertEquals(0, after.getInteger("pending_lines"));
    assertEquals(true, after.getLong("last_flush_ms") >= 0);
  }

  @Test
  void healthFails503WhenTheFileIsGone() throws Exception {
    Files.delete(dbFile());

    assertFails(ReplyCodes.UNAVAILABLE, dbFile().toString(),
        () -> request(Addresses.DB_HEALTH, null));
  }
}
