package dev.scriptd.process;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child processes for tests of exit detection, spawned with posix_spawnp through JNA: unlike
 * ProcessBuilder's, nothing in the JVM waits for them, so the code under test is their only reaper.
 */
final class Children {
  interface Spawn extends Library {
    int posix_spawnp(IntByReference pid, String file, Pointer fileActions, Pointer attributes,
        String[] argv, String[] envp);

    int kill(int pid, int sig);
  }

  private static final Spawn LIBC = Native.load("c", Spawn.class);

  private Children() {
  }

  /** {@code setsid sh -c script}: the pid is also the id of the child's own process group. */
  static int spawn(String script) {
    IntByReference pid = new IntByReference();
    int error = LIBC.posix_spawnp(pid, "setsid", null, null,
        new String[] {"setsid", "sh", "-c", script}, new String[] {"PATH=/usr/bin:/bin"});
    if (error != 0) {
      throw new IllegalStateException("posix_spawnp failed: " + error);
    }
    return pid.getValue();
  }

  /**
   * SIGKILL to the whole group, and to the pid itself: right after the spawn, setsid may not have
   * made the group yet.
   */
  static void killGroup(int pgid) {
    LIBC.kill(-pgid, 9);
    LIBC.kill(pgid, 9);
  }

  /** Whether {@code pid} exists and is not a zombie. */
  static boolean alive(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (java.io.IOException gone) {
      return false;
    }
  }

  /** Whether {@code pid} is a zombie child of this JVM (exited, and nobody here reaped it). */
  static boolean unreapedChild(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return fields[0].equals("Z") && Long.parseLong(fields[1]) == ProcessHandle.current().pid();
    } catch (java.io.IOException gone) {
      return false;
    }
  }

  /** How many pidfds this JVM holds open. */
  static long openPidFds() throws java.io.IOException {
    try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).toString().contains("pidfd");
        } catch (java.io.IOException closed) {
          return false;
        }
      }).count();
    }
  }

  /** Whether {@code pid} still has an entry in /proc (alive or a zombie nobody reaped). */
  static boolean exists(int pid) {
    return Files.exists(Path.of("/proc", Integer.toString(pid)));
  }
}
