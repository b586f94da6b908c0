package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.nuprocess.NuAbstractProcessHandler;
import com.zaxxer.nuprocess.NuProcess;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
class ChildSpawnTest {
  private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin");

  /** Collects a child's stdout and completes with it and its exit code once NuProcess saw it end. */
  private static final class Collect extends NuAbstractProcessHandler {
    final StringBuilder out = new StringBuilder();
    final CompletableFuture<String> ended = new CompletableFuture<>();

    @Override
    public void onStdout(ByteBuffer buffer, boolean closed) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      synchronized (out) {
        out.append(new String(bytes, StandardCharsets.UTF_8));
      }
    }

    @Override
    public void onExit(int exitCode) {
      synchronized (out) {
        ended.complete(exitCode + ":" + out);
      }
    }
  }

  @Test
  @DisplayName("on Linux, spawns do not wait for NuProcess's global lock")
  void parallelOnLinux() {
    assertTrue(ChildSpawn.forThisPlatform().parallel());
  }

  @Test
  @DisplayName("children started from many threads at once each get their own output, and one still "
      + "running holds no other child's pipe open")
  void concurrentSpawnsKeepTheirPipes() throws Exception {
    ChildSpawn spawn = ChildSpawn.forThisPlatform();
    // started first and alive throughout: had it inherited a later child's stdout, that child's
    // output would not end (and its onExit not come) before this one is killed
    Collect sleeper = new Collect();
    NuProcess sleeping = spawn.start(List.of("sleep", "60"), ENV, null, sleeper);
    assertNotNull(sleeping);
    int threads = 8;
    int perThread = 10;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<CompletableFuture<String>>> started = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        started.add(CompletableFuture.supplyAsync(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          List<CompletableFuture<String>> ends = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            Collect child = new Collect();
            NuProcess process = spawn.start(List.of("sh", "-c", "echo child-$0", thread + "-" + i), ENV, null,
                child);
            assertNotNull(process);
            process.closeStdin(true);
            ends.add(child.ended);
          }
          return CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new))
              .thenApply(v -> String.join(",", ends.stream().map(CompletableFuture::join).toList()));
        }, pool));
      }
      go.countDown();
      for (int t = 0; t < threads; t++) {
        String outcomes = started.get(t).get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS);
        String[] each = outcomes.split(",");
        assertEquals(perThread, each.length);
        for (int i = 0; i < perThread; i++) {
          assertEquals("0:child-" + t + "-" + i + "\n", each[i]);
        }
      }
      assertTrue(sleeping.isRunning(), "the long child still runs: the others ended without it");
    } finally {
      pool.shutdownNow();
      sleeping.destroy(true);
    }
    sleeper.ended.get(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a NUL in the command or the environment is refused before anything starts")
  void nulRefused() {
    ChildSpawn spawn = ChildSpawn.forThisPlatform();
    assertThrows(IllegalArgumentException.class,
        () -> spawn.start(List.of("sh", "-c", "echo a\u0000b"), ENV, null, new Collect()));
    assertThrows(IllegalArgumentException.class,
        () -> spawn.start(List.of("true"), Map.of("X", "a\u0000b"), null, new Collect()));
  }
}
