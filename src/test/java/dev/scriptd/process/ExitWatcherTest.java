package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.domain.RunUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExitWatcherTest {
  private ExitWatcher watcher;
  private final List<Integer> groups = new ArrayList<>();

  @BeforeEach
  void open() {
    watcher = new ExitWatcher();
    assertTrue(watcher.available());
  }

  @AfterEach
  void close() {
    watcher.close();
    groups.forEach(Children::killGroup);
  }

  private int spawn(String script) {
    int pid = Children.spawn(script);
    groups.add(pid);
    return pid;
  }

  private CompletableFuture<ExitWaiter.Status> watch(int pid) {
    CompletableFuture<ExitWaiter.Status> exit = new CompletableFuture<>();
    assertTrue(watcher.watch(pid, (status, usage) -> exit.complete(status)));
    return exit;
  }

  @Test
  @DisplayName("a watched child's exit is reported with its exit code, and the child is reaped")
  void exitCode() throws Exception {
    int pid = spawn("exit 3");
    assertEquals(new ExitWaiter.Status(false, 3), watch(pid).get(5, TimeUnit.SECONDS));
    assertFalse(Children.exists(pid), "a zombie is left in /proc");
  }

  @Test
  @DisplayName("a death by signal is reported as that signal")
  void signal() throws Exception {
    assertEquals(new ExitWaiter.Status(true, 9), watch(spawn("kill -9 $$")).get(5, TimeUnit.SECONDS));
  }

  @Test
  @DisplayName("the shell's exit is reported while a background child it started still runs")
  void shellExitBeforeItsChild() throws Exception {
    int pid = spawn("sleep 30 & exit 5");
    assertEquals(new ExitWaiter.Status(false, 5), watch(pid).get(3, TimeUnit.SECONDS));
    assertEquals(1, ProcessGroups.members(pid).size(), "the background sleep should still run");
  }

  @Test
  @DisplayName("children exiting together are each reported exactly once, with their own code")
  void many() throws Exception {
    Map<Integer, Integer> codes = new ConcurrentHashMap<>();
    AtomicInteger reports = new AtomicInteger();
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      int code = i;
      int pid = spawn("exit " + code);
      CompletableFuture<Void> reported = new CompletableFuture<>();
      done.add(reported);
      assertTrue(watcher.watch(pid, (status, usage) -> {
        reports.incrementAndGet();
        codes.put(code, status.value());
        reported.complete(null);
      }));
    }
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    assertEquals(40, reports.get());
    codes.forEach((expected, got) -> assertEquals(expected, got));
  }

  @Test
  @DisplayName("the reaped child's CPU time comes with its exit, as the child itself counted it (within 10 %)")
  void usage(@TempDir Path dir) throws Exception {
    Path times = dir.resolve("times");
    // bash's times builtin: the shell's own user and system time, then its children's
    int pid = spawn("exec bash -c 'i=0; while ((i < 1500000)); do ((i++)); done; times > " + times + "'");
    CompletableFuture<RunUsage> exit = new CompletableFuture<>();
    assertTrue(watcher.watch(pid, (status, usage) -> exit.complete(usage)));
    RunUsage usage = exit.get(60, TimeUnit.SECONDS);
    Matcher own = Pattern.compile("^(\\d+)m([\\d.]+)s").matcher(Files.readString(times));
    assertTrue(own.find(), Files.readString(times));
    double counted = Long.parseLong(own.group(1)) * 60_000 + Double.parseDouble(own.group(2)) * 1000;
    assertTrue(counted > 200, "the spinner ran too briefly to compare: " + counted + " ms");
    assertEquals(counted, usage.cpuUserMs(), counted * 0.1, "user ms");
    // the peak memory of a process spawned by the JVM is the JVM's own (exec keeps it): not reported
    assertNull(usage.maxRssBytes(), "max rss");
  }

  @Test
  @DisplayName("a pid that is not a live child, or a closed watcher, is not watched")
  void refusals() throws Exception {
    int pid = spawn("exit 0");
    watch(pid).get(5, TimeUnit.SECONDS);
    assertFalse(watcher.watch(pid, (status, usage) -> { }), "reaped pid");
    watcher.close();
    int unwatched = spawn("exit 0");
    assertFalse(watcher.watch(unwatched, (status, usage) -> { }), "closed watcher");
    int fd = PidFd.open(unwatched); // reaped here, so no zombie is left to this JVM
    for (long deadline = System.currentTimeMillis() + 5000; PidFd.reap(fd) == null
        && System.currentTimeMillis() < deadline; ) {
      Thread.sleep(2);
    }
    PidFd.close(fd);
  }
}
