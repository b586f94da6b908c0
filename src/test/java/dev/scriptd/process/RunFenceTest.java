package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.Codecs;
import dev.scriptd.bus.InstanceLifecycle;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.persistence.PersistenceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run owner's fence: its rules against a stand-in of the live runs, and the real run owner on
 * real storage (SQLite) whose run another node marks lost, as the survivors of a cluster do when
 * this node was silent past the failure timeout.
 */
@ExtendWith(VertxExtension.class)
class RunFenceTest {
  @TempDir
  Path tempDir;
  private Vertx vertx;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    Codecs.register(vertx.eventBus());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static void awaitTrue(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        fail("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  @DisplayName("the check runs every half failure timeout, at most every second and at least every 100 ms")
  void theIntervalIsHalfTheFailureTimeoutCapped() {
    assertEquals(1000, RunFence.interval(5000));
    assertEquals(1000, RunFence.interval(2000));
    assertEquals(750, RunFence.interval(1500));
    assertEquals(100, RunFence.interval(100));
  }

  /** Live runs that record what the fence asks of them; abandon completes when the test says. */
  private static final class StandIn implements RunFence.LiveRuns {
    final List<String> live = new CopyOnWriteArrayList<>();
    final List<String> abandoned = new CopyOnWriteArrayList<>();
    final Promise<Void> gone = Promise.promise();

    @Override
    public Collection<String> ids() {
      return List.copyOf(live);
    }

    @Override
    public Future<Void> abandon(String runId) {
      abandoned.add(runId);
      return gone.future();
    }
  }

  @Test
  @DisplayName("a run found lost by a refused save and again by a check is abandoned once; once gone, its waiters"
      + " get the stored lost run; no query is made while nothing is live")
  void aRunFoundLostTwiceIsAbandonedOnce() throws Exception {
    Run lost = Run.pending("r1", null, Run.KIND_SHELL, "sleep 300", "api", 60, Map.of(), null, null, Instant.now())
        .ended(RunStatus.LOST, null, null, "node a left the cluster while this run was active", Instant.now());
    List<JsonArray> queries = new CopyOnWriteArrayList<>();
    await(vertx.eventBus().<JsonArray>localConsumer(Addresses.DB_LOST_RUNS, m -> {
      queries.add(m.body());
      m.reply(new JsonArray().add("r1"));
    }).completion());
    await(vertx.eventBus().<String>localConsumer(Addresses.DB_GET_RUN, m -> m.reply(lost)).completion());
    StandIn runs = new StandIn();
    List<Run> forgotten = new CopyOnWriteArrayList<>();
    RunBus bus = new RunBus(vertx.eventBus(), Namespace.defaultNamespace(), "a");
    RunFence fence = new RunFence(vertx, bus, runs, forgotten::add, 0);
    List<String> found = await(onContext(fence::check));
    assertEquals(List.of(), found);
    assertEquals(List.of(), queries, "nothing live: nothing asked");

    runs.live.add("r1");
    runs.live.add("r2");
    await(onContext(() -> {
      fence.refused(lost);
      return Future.succeededFuture();
    }));
    assertEquals(List.of("r1"), await(onContext(fence::check)));
    assertEquals(List.of(new JsonArray().add("r1").add("r2")), queries);
    assertEquals(List.of("r1"), runs.abandoned, "abandoned once");
    assertEquals(List.of(), forgotten, "not before its processes are gone");
    vertx.runOnContext(v -> runs.gone.complete());
    awaitTrue("the waiters to be told", 5000, () -> forgotten.size() == 1);
    assertEquals(RunStatus.LOST, forgotten.get(0).status());
  }

  private <T> Future<T> onContext(java.util.function.Supplier<Future<T>> work) {
    Promise<T> done = Promise.promise();
    vertx.runOnContext(v -> work.get().onComplete(done));
    return done.future();
  }

  // ---- the real run owner on real storage

  private JsonObject config() {
    return new JsonObject().put("data_dir", tempDir.toString())
        .put("runs", new JsonObject().put("kill_grace_ms", 500))
        .put("cluster", new JsonObject().put("failure_timeout_ms", 1000));
  }

  /** Storage, then a run owner that is node {@code node} (null: a single node, which never checks). */
  private void deploy(String node) throws Exception {
    DeploymentOptions options = new DeploymentOptions().setConfig(config());
    await(vertx.deployVerticle(new PersistenceVerticle(), options));
    InstanceLifecycle lifecycle = new InstanceLifecycle();
    lifecycle.deployed();
    await(vertx.deployVerticle(new RunsVerticle(lifecycle, node, () -> node == null ? java.util.List.<String>of() : java.util.List.of(node)), options));
  }

  private Run startShell(String command) throws Exception {
    JsonObject run = await(vertx.eventBus().<JsonObject>request(Addresses.RUNS_START,
        new JsonObject().put("command", command))).body();
    return stored(run.getString("id"));
  }

  private Run stored(String id) throws Exception {
    return await(vertx.eventBus().<Run>request(Addresses.DB_GET_RUN, id)).body();
  }

  /** What the oldest surviving member does to a dead node's run: stored lost, over the shared database. */
  private void markLost(Run run) throws Exception {
    await(vertx.eventBus().request(Addresses.DB_SAVE_RUN, run.ended(RunStatus.LOST, null, null,
        Recovery.nodeLeftError("node-a"), Instant.now())));
  }

  private void assertStaysLostAndIsNotLiveHere(Run run) throws Exception {
    long until = System.currentTimeMillis() + 1500;
    while (System.currentTimeMillis() < until) {
      assertEquals(RunStatus.LOST, stored(run.id()).status());
      Thread.sleep(100);
    }
    assertEquals(Recovery.nodeLeftError("node-a"), stored(run.id()).error());
    try {
      await(vertx.eventBus().request(Addresses.RUNS_KILL, new JsonObject().put("run_id", run.id())));
      fail("the run is still live here");
    } catch (ExecutionException e) {
      ReplyException reply = (ReplyException) e.getCause();
      assertEquals(ReplyCodes.CONFLICT, reply.failureCode());
      assertTrue(reply.getMessage().contains("has already ended (lost)"), reply.getMessage());
    }
  }

  @Test
  @DisplayName("clustered: a running run that never saves again, marked lost by another node, has its process"
      + " ended within a few seconds by the periodic check and stays lost")
  void aSilentRunMarkedLostIsEndedByTheCheck() throws Exception {
    deploy("node-a");
    Run run = startShell("sleep 300");
    assertEquals(RunStatus.RUNNING, run.status());
    int pgid = run.pid();
    awaitTrue("its process to run", 5000, () -> !ProcessGroups.members(pgid).isEmpty());
    markLost(run);
    awaitTrue("the process group " + pgid + " to be gone", 5000, () -> ProcessGroups.members(pgid).isEmpty());
    assertStaysLostAndIsNotLiveHere(run);
  }

  @Test
  @DisplayName("a run whose progress save is refused (stored lost) is ended at once, even on a node without the"
      + " check, and its real end is never stored over lost")
  void aRefusedSaveEndsTheRun() throws Exception {
    deploy(null);
    Path go = tempDir.resolve("go");
    Run run = startShell("while [ ! -f '" + go + "' ]; do sleep 0.05; done; echo '::progress 50'; sleep 300");
    int pgid = run.pid();
    markLost(run);
    Files.writeString(go, "");
    awaitTrue("the process group " + pgid + " to be gone", 5000, () -> ProcessGroups.members(pgid).isEmpty());
    assertStaysLostAndIsNotLiveHere(run);
  }

  @Test
  @DisplayName("clustered: the check leaves runs that are not lost alone")
  void runsNotLostAreLeftAlone() throws Exception {
    deploy("node-a");
    Run run = startShell("sleep 300");
    awaitTrue("its process to run", 5000, () -> !ProcessGroups.members(run.pid()).isEmpty());
    List<Run> seen = new ArrayList<>();
    // three checks' worth of time (the interval is 500 ms here): the run keeps running
    long until = System.currentTimeMillis() + 1600;
    while (System.currentTimeMillis() < until) {
      seen.add(stored(run.id()));
      assertTrue(!ProcessGroups.members(run.pid()).isEmpty(), "its process runs");
      Thread.sleep(100);
    }
    assertTrue(seen.stream().allMatch(r -> r.status() == RunStatus.RUNNING));
    await(vertx.eventBus().request(Addresses.RUNS_KILL, new JsonObject().put("run_id", run.id())));
    awaitTrue("the run to end killed", 5000, () -> {
      try {
        return stored(run.id()).status() == RunStatus.KILLED;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }
}
