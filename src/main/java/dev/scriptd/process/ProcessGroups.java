package dev.scriptd.process;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Process groups through {@code /proc} and {@code kill(2)}. Every method is a short blocking
 * syscall or procfs read: call them from a worker (executeBlocking) or a NuProcess thread, not
 * from an event loop. Stateless; the libc binding is immutable and shared.
 */
final class ProcessGroups {
  static final int SIGKILL = 9;
  static final int SIGTERM = 15;

  /** kill(2) from libc, loaded once. */
  interface PosixSignals extends Library {
    int kill(int pid, int sig);
  }

  private static final PosixSignals LIBC = Native.load("c", PosixSignals.class);
  private static final Path PROC = Path.of("/proc");

  private ProcessGroups() {
  }

  /** Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or null. */
  static Long startTime(int pid) {
    String[] fields = statFields(pid);
    return fields == null ? null : Long.parseLong(fields[19]);
  }

  /**
   * Whether {@code -pgid} still designates the group we started. When the leader exists, its start
   * time must match (else the pid was reused and the group is someone else's). When the leader is
   * gone, Linux never hands out a pid that is still in use as a process group id, so while any
   * member of our group lives the id cannot name another group: signalling it is safe (and a no-op
   * with ESRCH when the group is empty).
   */
  static boolean isOurs(int pgid, Long expectedStart) {
    Long now = startTime(pgid);
    return now == null || now.equals(expectedStart);
  }

  /** Sends {@code sig} to the whole group if it is still ours; true when a process received it. */
  static boolean signalGroup(int pgid, Long expectedStart, int sig) {
    if (pgid <= 1 || !isOurs(pgid, expectedStart)) {
      return false;
    }
    return LIBC.kill(-pgid, sig) == 0;
  }

  /** Sends {@code sig} to one process; true when it got it. */
  static boolean signal(int pid, int sig) {
    return pid > 1 && LIBC.kill(pid, sig) == 0;
  }

  /**
   * Live pids whose environment, as they were started, holds {@code SCRIPTD_RUN_ID=<runId>}: what a
   * run started, even after it left the run's process group and session (a setsid or double-forked
   * daemon), unless it was started with an environment of its own. Reads /proc/*&#47;environ, which
   * is the environment a process was exec'd with (unsetenv does not change it) and empty for a
   * zombie; processes this server may not read (another user's, when not root) are not seen.
   */
  static List<Integer> marked(String runId) {
    byte[] marker = ("SCRIPTD_RUN_ID=" + runId).getBytes(StandardCharsets.US_ASCII);
    long self = ProcessHandle.current().pid();
    List<Integer> pids = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
          continue;
        }
        try {
          if (holds(Files.readAllBytes(dir.resolve("environ")), marker)) {
            pids.add(Integer.parseInt(name));
          }
        } catch (IOException | RuntimeException gone) {
          // ended meanwhile, or not ours to read
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return pids;
  }

  /** Whether the NUL-separated {@code environ} holds exactly the entry {@code marker}. */
  static boolean holds(byte[] environ, byte[] marker) {
    int start = 0;
    for (int i = 0; i <= environ.length; i++) {
      if (i == environ.length || environ[i] == 0) {
        if (i - start == marker.length && Arrays.equals(environ, start, i, marker, 0, marker.length)) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }

  /** Whether any process (zombies included) of the group exists, by {@code kill(-pgid, 0)}. */
  static boolean groupExists(int pgid) {
    return pgid > 1 && LIBC.kill(-pgid, 0) == 0;
  }

  /**
   * Whether a live (non-zombie) process is left in the group: {@code kill(-pgid, 0)} first, which
   * is enough where orphans are reaped promptly, then a /proc scan, since zombies count for kill(2)
   * and an init that does not reap orphans leaves them in the group for good.
   */
  static boolean hasLiveMembers(int pgid) {
    return groupExists(pgid) && !members(pgid).isEmpty();
  }

  /** Live (non-zombie) pids whose process group is {@code pgid}, by scanning /proc/*&#47;stat. */
  static List<Integer> members(int pgid) {
    List<Integer> pids = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        int pid = Integer.parseInt(name);
        String[] fields = statFields(pid);
        if (fields != null && Integer.parseInt(fields[2]) == pgid && !"Z".equals(fields[0])) {
          pids.add(pid);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return pids;
  }

  /**
   * Whether a group recorded as (pgid, start) may still have live processes: its leader with the
   * same start time, or members of the group while the leader is gone.
   */
  static boolean mayBeAlive(int pgid, Long expectedStart) {
    Long now = startTime(pgid);
    if (now != null) {
      return now.equals(expectedStart);
    }
    return !members(pgid).isEmpty();
  }

  /** Fields of /proc/PID/stat from field 3 on (index 0 = state), or null when the pid is gone. */
  private static String[] statFields(int pid) {
    try {
      String stat = Files.readString(PROC.resolve(Integer.toString(pid)).resolve("stat"),
          StandardCharsets.UTF_8);
      // the command name (field 2) may hold spaces and parentheses: parse after the last ')'
      int close = stat.lastIndexOf(')');
      return stat.substring(close + 2).trim().split(" ");
    } catch (IOException | RuntimeException gone) {
      return null;
    }
  }
}
