package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The orphan reaper: a run known by its id alone, before its spawn")
class OrphanReaperTest {
  private Context context;
  private OrphanReaper reaper;
  private Process child;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    context = vertx.getOrCreateContext();
    reaper = new OrphanReaper(context, 500, Map.of("PATH", "/usr/bin:/bin"), null);
    await(onContext(r -> r.start()));
  }

  @AfterEach
  void tearDown() {
    if (child != null) {
      child.destroyForcibly();
    }
  }

  private <T> Future<T> onContext(Function<OrphanReaper, Future<T>> call) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> call.apply(reaper).onComplete(done));
    return done.future();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** A process of the run, found only by the marker in its environment (as a run's children are). */
  private Process marked(String runId) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("sleep", "300");
    builder.environment().put("SCRIPTD_RUN_ID", runId);
    return builder.start();
  }

  @Test
  @DisplayName("a run registered by its id before its spawn has its marked processes ended when the server dies")
  void runRegisteredBeforeItsSpawnIsEnded() throws Exception {
    String runId = UUID.randomUUID().toString();
    await(onContext(r -> r.registerRun(runId, null)));
    child = marked(runId);
    await(reaper.simulateServerDeath());
    assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the run's process outlived the server");
  }

  @Test
  @DisplayName("a run's registration by id, once removed, leaves nothing for the reaper to end")
  void unregisteredRunIsLeftAlone() throws Exception {
    String runId = UUID.randomUUID().toString();
    await(onContext(r -> {
      r.registerRun(runId, null);
      r.unregisterRun(runId);
      return Future.succeededFuture();
    }));
    child = marked(runId);
    long reaperPid = reaper.pid();
    await(reaper.simulateServerDeath());
    ProcessHandle reaperProcess = ProcessHandle.of(reaperPid).orElse(null);
    if (reaperProcess != null) {
      reaperProcess.onExit().get(10, TimeUnit.SECONDS); // it exits once done with what was registered
    }
    assertFalse(child.waitFor(0, TimeUnit.SECONDS), "a process of an unregistered run was ended");
  }
}
