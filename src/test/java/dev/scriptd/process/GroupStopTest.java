package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GroupStopTest {
  private Vertx vertx;
  private Context context;
  private final List<Integer> groups = new ArrayList<>();
  /** The start time of each group's leader, read while it could not have been reaped. */
  private final Map<Integer, Long> starts = new HashMap<>();

  private int spawn(String script) {
    int pgid = Children.spawn(script);
    groups.add(pgid);
    starts.put(pgid, ProcessGroups.startTime(pgid));
    return pgid;
  }

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void close() throws Exception {
    groups.forEach(Children::killGroup);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Spawns {@code setsid sh -c script} and reaps its shell once it exited, as the exit watcher does. */
  private int spawnAndReapShell(String script) throws Exception {
    int pgid = spawn(script);
    int fd = PidFd.open(pgid);
    try {
      long deadline = System.currentTimeMillis() + 5000;
      while (PidFd.reap(fd) == null) {
        if (System.currentTimeMillis() > deadline) {
          fail("the shell did not exit");
        }
        Thread.sleep(2);
      }
    } finally {
      PidFd.close(fd);
    }
    return pgid;
  }

  private GroupStop stop(int pgid, long graceMs) {
    return new GroupStop(vertx, context, graceMs, pgid, starts.get(pgid));
  }

  /** Runs {@code drain} on the context and returns how long it took to complete. */
  private long drainMs(GroupStop stop, Boolean othersAlive) throws Exception {
    CompletableFuture<Long> took = new CompletableFuture<>();
    long start = System.nanoTime();
    context.runOnContext(v -> stop.drain(othersAlive)
        .onComplete(ar -> took.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))));
    return took.get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("drain ends the live processes left in the group with SIGTERM, without waiting for the grace")
  void drainTerminates() throws Exception {
    int pgid = spawnAndReapShell("sleep 300 & sleep 300 & exit 0");
    assertEquals(2, ProcessGroups.members(pgid).size());
    GroupStop stop = stop(pgid, 5000);
    long took = drainMs(stop, null);
    assertEquals(List.of(), ProcessGroups.members(pgid));
    assertTrue(stop.termSent());
    assertTrue(took < 2500, "took " + took + " ms: waited for the grace");
  }

  @Test
  @DisplayName("a process that ignores SIGTERM is KILLed after the grace, and drain completes only then")
  void drainKillsAfterTheGrace() throws Exception {
    int pgid = spawnAndReapShell("trap '' TERM; sleep 300 & exit 0");
    GroupStop stop = stop(pgid, 300);
    long took = drainMs(stop, null);
    assertEquals(List.of(), ProcessGroups.members(pgid));
    assertTrue(took >= 300, "completed before the grace: " + took + " ms");
  }

  @Test
  @DisplayName("a group known to be empty drains at once, and nothing is signalled")
  void emptyGroup() throws Exception {
    int pgid = spawnAndReapShell("exit 0");
    GroupStop stop = stop(pgid, 5000);
    drainMs(stop, false);
    assertFalse(stop.termSent());
  }

  @Test
  @DisplayName("terminate sends TERM to the whole group and KILL after the grace to what ignores it")
  void terminateWhileTheShellRuns() throws Exception {
    int pgid = spawn("trap '' TERM; sleep 300 & wait");
    long deadline = System.currentTimeMillis() + 5000;
    while (ProcessGroups.members(pgid).size() < 2 && System.currentTimeMillis() < deadline) {
      Thread.sleep(5);
    }
    GroupStop stop = stop(pgid, 200);
    long start = System.nanoTime();
    context.runOnContext(v -> stop.terminate());
    while (!ProcessGroups.members(pgid).isEmpty()) {
      if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(5)) {
        fail("the group was not killed: " + ProcessGroups.members(pgid));
      }
      Thread.sleep(5);
    }
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(took >= 200, "killed before the grace: " + took + " ms");
  }
}
