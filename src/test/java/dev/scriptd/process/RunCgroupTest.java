package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.RunUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A run's cgroup: limits, usage, entering it before the command, ending everything in it")
class RunCgroupTest {
  /** The limits a run gets when the server sets none (every field set). */
  private static final RunLimits NO_LIMITS = new RunLimits(0L, 0L, 0L, 0L, 0, 0L, "truncate");

  @TempDir
  Path dir;

  /** Not a zombie (a killed orphan waits for init to reap it). */
  private static boolean alive(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (java.io.IOException gone) {
      return false;
    }
  }

  @Test
  @DisplayName("memory_bytes and max_processes become memory.max and pids.max only where those controllers are enabled")
  void limitsFollowTheControllers() throws Exception {
    RunLimits limits = new RunLimits(10L, 1L << 30, 64L, 20L, 0, 1L << 20, "truncate");
    RunCgroup all = RunCgroup.of(dir, "a");
    all.create(limits, Set.of("memory", "pids"));
    assertEquals(Long.toString(1L << 30), Files.readString(all.dir().resolve("memory.max")));
    assertEquals("20", Files.readString(all.dir().resolve("pids.max")));
    RunCgroup none = RunCgroup.of(dir, "b");
    none.create(limits, Set.of());
    assertFalse(Files.exists(none.dir().resolve("memory.max")));
    assertFalse(Files.exists(none.dir().resolve("pids.max")));
    assertEquals("b", RunCgroup.runId(none.dir()));
    assertNull(RunCgroup.runId(dir.resolve("other")));
  }

  @Test
  @DisplayName("usage reads cpu.stat, memory.peak and pids.peak; what is missing comes from the fallback or is null")
  void usageFromTheGroupsFiles() throws Exception {
    RunCgroup cgroup = RunCgroup.of(dir, "u");
    Files.createDirectories(cgroup.dir());
    Files.writeString(cgroup.dir().resolve("cpu.stat"), "usage_usec 1500000\nuser_usec 1234567\nsystem_usec 89000\n");
    RunUsage measured = cgroup.usage(new RunUsage(1L, 2L, 4096L, null, null));
    assertEquals(new RunUsage(1234L, 89L, 4096L, null, RunUsage.CGROUP), measured);
    Files.writeString(cgroup.dir().resolve("memory.peak"), "8388608\n");
    Files.writeString(cgroup.dir().resolve("pids.peak"), "7\n");
    assertEquals(new RunUsage(1234L, 89L, 8388608L, 7L, RunUsage.CGROUP), cgroup.usage(null));
    Files.delete(cgroup.dir().resolve("cpu.stat"));
    assertEquals(new RunUsage(null, null, 8388608L, 7L, RunUsage.CGROUP), cgroup.usage(null));
  }

  @Test
  @DisplayName("a command entered through the launcher is in the group with the daemon it starts, and killAll ends both before the group is removed")
  void realGroup() throws Exception {
    RunContainment containment = RunContainment.open(
        new ScriptdConfig.Containment(ScriptdConfig.Containment.AUTO, null), dir);
    assumeTrue(containment.cgroups(), "no writable cgroup v2 hierarchy here: " + containment.reason());
    try {
      RunCgroup cgroup = containment.cgroupOf(UUID.randomUUID().toString());
      cgroup.create(RunLimits.NONE, containment.controllers());
      Path daemon = dir.resolve("daemon.pid");
      List<String> argv = ProcessLimits.command(cgroup.procsFile(), NO_LIMITS, null, "/bin/bash", "setsid sleep 300 < /dev/null > /dev/null 2>&1 & echo $! > " + daemon + "; exec sleep 301");
      Process shell = new ProcessBuilder(argv).start();
      long end = System.currentTimeMillis() + 10_000;
      while ((!Files.exists(daemon) || Files.readString(daemon).isBlank() || cgroup.pids().size() < 2)
          && System.currentTimeMillis() < end) {
        Thread.onSpinWait();
      }
      int daemonPid = Integer.parseInt(Files.readString(daemon).trim());
      assertTrue(cgroup.pids().contains((int) shell.pid()), "the shell " + shell.pid() + " in " + cgroup.pids());
      assertTrue(cgroup.pids().contains(daemonPid), "the daemon " + daemonPid + " in " + cgroup.pids());
      assertTrue(cgroup.populated());
      assertFalse(cgroup.remove(), "a populated group cannot be removed");
      cgroup.killAll();
      assertTrue(shell.waitFor(10, TimeUnit.SECONDS));
      assertTrue(cgroup.release(5000), "the group is removed once its processes are gone");
      assertFalse(Files.exists(cgroup.dir()));
      assertFalse(alive(daemonPid), "the daemon survived");
    } finally {
      containment.close();
    }
    assertFalse(Files.exists(containment.parent()), "the server's group is removed at close");
  }

  @Test
  @DisplayName("a launcher that cannot enter its group fails with 125 before the command runs")
  void cannotEnter() throws Exception {
    Path ran = dir.resolve("ran");
    List<String> argv = ProcessLimits.command(dir.resolve("missing").resolve("cgroup.procs"), NO_LIMITS, null,
        "/bin/bash", "touch " + ran);
    Process process = new ProcessBuilder(argv).start();
    assertTrue(process.waitFor(10, TimeUnit.SECONDS));
    assertEquals(ProcessLimits.CANNOT_ENTER_CGROUP, process.exitValue());
    assertTrue(new String(process.getErrorStream().readAllBytes()).contains("could not enter the run's cgroup"));
    assertFalse(Files.exists(ran));
  }
}
