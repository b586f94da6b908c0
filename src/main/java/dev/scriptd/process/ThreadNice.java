package dev.scriptd.process;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the calling thread's scheduling priority: on Linux the nice value belongs to each thread,
 * and {@code setpriority(PRIO_PROCESS, 0, n)} sets the calling thread's. Used on NuProcess's reader
 * threads (see {@link RunProcessHandler}). Never raises a priority (that needs privileges), and a
 * failure only costs the optimisation, so it is logged and ignored.
 */
final class ThreadNice {
  private static final Logger LOG = LoggerFactory.getLogger(ThreadNice.class);
  private static final int PRIO_PROCESS = 0;

  interface PriorityLibrary extends Library {
    int getpriority(int which, int who);

    int setpriority(int which, int who, int prio);
  }

  private static final PriorityLibrary LIBC = Native.load("c", PriorityLibrary.class);

  private ThreadNice() {
  }

  /** Gives the calling thread a nice value of at least {@code nice} (0 leaves it as it is). */
  static void atLeast(int nice) {
    if (nice <= 0) {
      return;
    }
    try {
      if (LIBC.getpriority(PRIO_PROCESS, 0) < nice && LIBC.setpriority(PRIO_PROCESS, 0, nice) != 0) {
        LOG.debug("could not set the nice value of thread {} to {}: errno {}", Thread.currentThread().getName(),
            nice, Native.getLastError());
      }
    } catch (Throwable e) {
      LOG.debug("could not set the nice value of thread {}", Thread.currentThread().getName(), e);
    }
  }
}
