package dev.scriptd.process;

import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.RunUsage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The cgroup (v2) of one run: every process the run starts is in it, whatever session or process
 * group it makes for itself, so ending them all is one write to {@code cgroup.kill}. Every method is
 * a few short file operations: call them from a worker, not from an event loop.
 */
final class RunCgroup {
  private static final String PREFIX = "run-";
  private final Path dir;

  RunCgroup(Path dir) {
    this.dir = dir;
  }

  /** The group of run {@code runId} under {@code parent} (it may not exist). */
  static RunCgroup of(Path parent, String runId) {
    return new RunCgroup(parent.resolve(PREFIX + runId));
  }

  /** The run id of a group directory's name, or null when it is not a run's group. */
  static String runId(Path dir) {
    String name = dir.getFileName().toString();
    return name.startsWith(PREFIX) && name.length() > PREFIX.length() ? name.substring(PREFIX.length()) : null;
  }

  Path dir() {
    return dir;
  }

  boolean exists() {
    return Files.isDirectory(dir);
  }

  /**
   * Creates the group and writes the limits the enabled {@code controllers} allow: memory_bytes as
   * memory.max and max_processes as pids.max, each a total for every process of the run.
   */
  void create(RunLimits limits, Set<String> controllers) throws IOException {
    // the parent again: a dying reaper of a previous server may just have removed it while empty
    Files.createDirectories(dir.getParent());
    Files.createDirectory(dir);
    try {
      if (controllers.contains("memory") && limits.memoryBytes() != null && limits.memoryBytes() > 0) {
        write("memory.max", Long.toString(limits.memoryBytes()));
        if (Files.exists(dir.resolve("memory.swap.max"))) {
          write("memory.swap.max", "0"); // else the limit only moves the excess to swap
        }
      }
      if (controllers.contains("pids") && limits.maxProcesses() != null && limits.maxProcesses() > 0) {
        write("pids.max", Long.toString(limits.maxProcesses()));
      }
    } catch (IOException e) {
      remove();
      throw e;
    }
  }

  /** Whether the group's directory was made before {@code instant} (false when it is gone). */
  boolean madeBefore(Instant instant) {
    try {
      return Files.getLastModifiedTime(dir).toInstant().isBefore(instant);
    } catch (IOException gone) {
      return false;
    }
  }

  /** The file a process writes its pid to, to enter the group. */
  Path procsFile() {
    return dir.resolve("cgroup.procs");
  }

  /** The pids in the group (empty when it is gone). */
  List<Integer> pids() {
    List<Integer> pids = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(procsFile(), StandardCharsets.US_ASCII)) {
        if (!line.isBlank()) {
          pids.add(Integer.parseInt(line.trim()));
        }
      }
    } catch (IOException | NumberFormatException gone) {
      // no group, no process
    }
    return pids;
  }

  /** Whether a live process is in the group (cgroup.events; zombies do not count). */
  boolean populated() {
    try {
      for (String line : Files.readAllLines(dir.resolve("cgroup.events"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("populated ")) {
          return !line.endsWith(" 0");
        }
      }
    } catch (IOException gone) {
      return !pids().isEmpty();
    }
    return !pids().isEmpty();
  }

  /** Sends {@code sig} to every process in the group; true when one got it. */
  boolean signalAll(int sig) {
    boolean any = false;
    for (int pid : pids()) {
      any |= ProcessGroups.signal(pid, sig);
    }
    return any;
  }

  /**
   * SIGKILL to every process in the group at once, by {@code cgroup.kill} (Linux 5.14+), which also
   * catches a process forked meanwhile; without it, to each pid in {@code cgroup.procs}.
   */
  void killAll() {
    Path kill = dir.resolve("cgroup.kill");
    if (Files.exists(kill)) {
      try {
        Files.writeString(kill, "1");
        return;
      } catch (IOException e) {
        // fall back on the pids
      }
    }
    signalAll(ProcessGroups.SIGKILL);
  }

  /**
   * What the group used: cpu.stat's user and system time (every process that was in it),
   * memory.peak and pids.peak where those controllers are enabled (else null, or what
   * {@code fallback} measured).
   */
  RunUsage usage(RunUsage fallback) {
    Long user = null;
    Long system = null;
    try {
      for (String line : Files.readAllLines(dir.resolve("cpu.stat"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("user_usec ")) {
          user = Long.parseLong(line.substring(10).trim()) / 1000;
        } else if (line.startsWith("system_usec ")) {
          system = Long.parseLong(line.substring(12).trim()) / 1000;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not measured
    }
    Long memory = number("memory.peak");
    Long processes = number("pids.peak");
    return new RunUsage(
        user != null ? user : fallback == null ? null : fallback.cpuUserMs(),
        system != null ? system : fallback == null ? null : fallback.cpuSystemMs(),
        memory != null ? memory : fallback == null ? null : fallback.maxRssBytes(),
        processes, RunUsage.CGROUP);
  }

  /** Removes the (empty) group; true when it is gone. */
  boolean remove() {
    try {
      Files.delete(dir); // rmdir(2): a cgroup's files go with it
      return true;
    } catch (NoSuchFileException gone) {
      return true;
    } catch (IOException busy) {
      return false;
    }
  }

  /**
   * Removes the group, killing what is still in it first if the removal fails, and trying again for
   * at most {@code maxWaitMs} (a killed process leaves its group a moment later); true once gone.
   */
  boolean release(long maxWaitMs) {
    if (remove()) {
      return true;
    }
    killAll();
    long deadline = System.nanoTime() + maxWaitMs * 1_000_000L;
    while (!remove()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(2_000_000);
    }
    return true;
  }

  private Long number(String file) {
    try {
      return Long.parseLong(Files.readString(dir.resolve(file), StandardCharsets.US_ASCII).trim());
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  private void write(String file, String value) throws IOException {
    Files.writeString(dir.resolve(file), value);
  }
}
