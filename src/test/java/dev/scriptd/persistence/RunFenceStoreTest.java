package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The fence of a node that was declared dead and came back: a run stored {@code lost} stays lost,
 * whatever its old owner still saves, on SQLite here and on PostgreSQL in
 * {@link RunFencePostgresTest}.
 */
@DisplayName("RunWriter's fence: a stored lost is never overwritten but by lost")
class RunFenceStoreTest extends PersistenceTestBase {
  private static final String NODE = "node-a";

  /** A running run of node A, then stored lost by another node (as node-left does). */
  private Run lostRun() {
    Run running = runningRun(T0).withNode(NODE);
    save(running);
    save(running.ended(RunStatus.LOST, null, null, "node node-a left the cluster while this run was active",
        Instant.ofEpochMilli(T0 + 10)));
    return running;
  }

  @Test
  @DisplayName("a running (progress) save of a run stored lost is refused with 410 and not stored")
  void aProgressSaveOfALostRunIsRefused() {
    Run running = lostRun();
    assertFails(ReplyCodes.GONE, "is stored lost", () -> save(running.withProgress(50)));
    Run stored = get(running.id());
    assertEquals(RunStatus.LOST, stored.status());
    assertEquals("node node-a left the cluster while this run was active", stored.error());
  }

  @Test
  @DisplayName("the real end of a run stored lost (completed, killed) is refused and the stored run stays lost")
  void aFinalSaveOfALostRunIsRefused() {
    Run running = lostRun();
    for (RunStatus end : List.of(RunStatus.COMPLETED, RunStatus.KILLED)) {
      assertFails(ReplyCodes.GONE, "was not stored",
          () -> save(running.ended(end, 0, null, null, Instant.ofEpochMilli(T0 + 20))));
    }
    Run stored = get(running.id());
    assertEquals(RunStatus.LOST, stored.status());
    assertEquals(Instant.ofEpochMilli(T0 + 10), stored.endedAt());
  }

  @Test
  @DisplayName("lost over lost is stored (a later recovery may say more), and a refused save in a group"
      + " leaves the group's other saves stored")
  void lostOverLostIsStoredAndOthersInTheGroupAreNot() {
    Run running = lostRun();
    Run other = runningRun(T0 + 5).withNode(NODE);
    // the two saves share one group commit: both are sent before either is answered
    Future<Object> refused = vertx.eventBus().request(Addresses.DB_SAVE_RUN,
        running.ended(RunStatus.COMPLETED, 0, null, null, Instant.now())).map(m -> m.body());
    Future<Object> stored = vertx.eventBus().request(Addresses.DB_SAVE_RUN,
        other.ended(RunStatus.COMPLETED, 0, null, null, Instant.now())).map(m -> m.body());
    assertFails(ReplyCodes.GONE, "is stored lost", () -> await(refused));
    await(stored);
    assertEquals(RunStatus.COMPLETED, get(other.id()).status());
    save(running.ended(RunStatus.LOST, null, null, "found lost again", Instant.ofEpochMilli(T0 + 30)));
    assertEquals("found lost again", get(running.id()).error());
  }

  @Test
  @DisplayName("the lost-runs query answers which of the given runs are stored lost")
  void theLostRunsQueryNamesTheLostOnes() {
    Run lost = lostRun();
    Run running = runningRun(T0 + 5).withNode(NODE);
    save(running);
    JsonArray answer = request(Addresses.DB_LOST_RUNS, new JsonArray().add(lost.id()).add(running.id()).add("nope"));
    assertEquals(new JsonArray().add(lost.id()), answer);
    assertEquals(new JsonArray(), request(Addresses.DB_LOST_RUNS, new JsonArray()));
  }
}
