package dev.scriptd.process;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this process non-dumpable ({@code prctl(PR_SET_DUMPABLE, 0)}). A run under the server's
 * own uid could otherwise read the server's {@code /proc/<pid>/environ} (which may hold
 * {@code SCRIPTD_ADMIN_TOKEN}), its memory and its open files; for a non-dumpable process those
 * files belong to root. It does not stop root (runs of a root server are root too: use
 * {@code limits.user}). The cost: no core dumps, and attaching a debugger as the same user needs
 * root. A failure is logged and the server goes on.
 */
final class NonDumpable {
  private static final Logger LOG = LoggerFactory.getLogger(NonDumpable.class);
  private static final int PR_GET_DUMPABLE = 3;
  private static final int PR_SET_DUMPABLE = 4;

  interface Prctl extends Library {
    int prctl(int option, long arg2, long arg3, long arg4, long arg5);
  }

  private NonDumpable() {
  }

  /** True when the process is non-dumpable afterwards. */
  static boolean apply() {
    try {
      Prctl libc = Native.load("c", Prctl.class);
      if (libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        LOG.warn("could not make the server process non-dumpable (errno {}); runs under the server's uid"
            + " can read its /proc files", Native.getLastError());
        return false;
      }
      return libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
    } catch (Throwable e) {
      LOG.warn("could not make the server process non-dumpable ({}); runs under the server's uid can read"
          + " its /proc files", e.toString());
      return false;
    }
  }

  /** {@code PR_GET_DUMPABLE}: 0 non-dumpable, 1 dumpable, -1 unknown. */
  static int state() {
    try {
      return Native.load("c", Prctl.class).prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    } catch (Throwable e) {
      return -1;
    }
  }
}
