package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.Codecs;
import dev.scriptd.bus.Namespace;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("RunEnds: the one wait for a run's end")
class RunEndsTest {
  private final Map<String, Run> stored = new HashMap<>();
  private final Set<String> managed = new java.util.HashSet<>();
  private Vertx vertx;
  private RunEnds ends;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    Codecs.register(vertx.eventBus());
    vertx.eventBus().<String>localConsumer(Addresses.DB_GET_RUN, m -> {
      Run run = stored.get(m.body());
      if (run == null) {
        m.fail(ReplyCodes.NOT_FOUND, "run " + m.body() + " not found");
      } else {
        m.reply(run);
      }
    }).completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    ends = new RunEnds(new RunBus(vertx.eventBus(), Namespace.from(new io.vertx.core.json.JsonObject())),
        managed::contains);
  }

  private static Run run(String id) {
    return Run.pending(id, null, Run.KIND_SHELL, "true", "api", 60, Map.of(), null, null, Instant.now());
  }

  /** Runs {@code action} on a Vert.x context, as the owner does, and waits for its future. */
  private <T> T onContext(java.util.function.Supplier<Future<T>> action) throws Exception {
    io.vertx.core.Promise<T> result = io.vertx.core.Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> action.get().onComplete(result));
    return result.future().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a waiter of a run managed here gets the run whose end was saved, and not before")
  void aManagedRunIsAwaitedUntilItsEnd() throws Exception {
    managed.add("r1");
    Future<Run> waited = ends.whenEnded("r1");
    Future<Run> second = ends.whenEnded("r1");
    assertFalse(waited.isComplete());
    Run ended = run("r1").started(1, null, Instant.now()).ended(RunStatus.COMPLETED, 0, null, null, Instant.now());
    ends.ended(ended);
    assertSame(ended, waited.result());
    assertSame(ended, second.result());
    assertEquals(0, ends.waiting());
  }

  @Test
  @DisplayName("a run not managed here that already ended is answered from storage")
  void anEndedRunComesFromStorage() throws Exception {
    Run ended = run("r2").ended(RunStatus.KILLED, null, null, "killed", Instant.now());
    stored.put("r2", ended);
    assertEquals(RunStatus.KILLED, onContext(() -> ends.whenEnded("r2")).status());
    assertEquals(0, ends.waiting());
  }

  @Test
  @DisplayName("an unknown run fails 404, and one active but not managed here 409")
  void unknownAndForeignRunsFail() throws Exception {
    stored.put("r3", run("r3").started(1, null, Instant.now()));
    ExecutionException unknown = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> onContext(() -> ends.whenEnded("nope")));
    assertEquals(ReplyCodes.NOT_FOUND, dev.scriptd.bus.BusFailure.codeOf(unknown.getCause()));
    ExecutionException foreign = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> onContext(() -> ends.whenEnded("r3")));
    assertEquals(ReplyCodes.CONFLICT, dev.scriptd.bus.BusFailure.codeOf(foreign.getCause()));
    assertEquals(0, ends.waiting());
  }
}
