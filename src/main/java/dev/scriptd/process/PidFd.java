package dev.scriptd.process;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Process file descriptors (Linux 5.4+): {@code pidfd_open(2)} names one process for good, so its
 * exit can be waited for through the descriptor (epoll reports it readable) and its status read by
 * {@code waitid(P_PIDFD)} with no risk of a reused pid. Every method is one short syscall.
 */
final class PidFd {
  /** pidfd_open: the same number on every architecture (syscalls from 424 on are shared). */
  private static final long SYS_PIDFD_OPEN = 434;
  private static final int P_PIDFD = 3;
  private static final int WNOHANG = 1;
  private static final int WEXITED = 4;
  static final int ECHILD = 10;
  private static final int ENOSYS = 38;

  interface PidFdLibrary extends Library {
    long syscall(long number, long pid, long flags);

    int waitid(int idtype, int id, Pointer infop, int options);

    int close(int fd);

    int getpid();
  }

  private static final PidFdLibrary LIBC = Native.load("c", PidFdLibrary.class);

  private PidFd() {
  }

  /** A pidfd for {@code pid} (close-on-exec), or minus the errno (ESRCH, ENOSYS, EPERM, EMFILE...). */
  static int open(int pid) {
    int fd = (int) LIBC.syscall(SYS_PIDFD_OPEN, pid, 0);
    return fd >= 0 ? fd : -Native.getLastError();
  }

  /**
   * Reaps the exited child behind {@code pidfd} and returns how it ended; null when it has not
   * exited yet, or when it cannot be waited for (not our child, or already reaped: ECHILD).
   */
  static ExitWaiter.Status reap(int pidfd) {
    Memory info = new Memory(ExitWaiter.SIGINFO_SIZE);
    info.clear();
    if (LIBC.waitid(P_PIDFD, pidfd, info, WEXITED | WNOHANG) != 0) {
      return null;
    }
    return ExitWaiter.Status.of(info);
  }

  static void close(int fd) {
    if (fd >= 0) {
      LIBC.close(fd);
    }
  }

  /**
   * Null when this kernel lets us open pidfds and wait on them, else why not. Probed on this JVM's
   * own pid: {@code waitid(P_PIDFD)} on it fails with ECHILD where P_PIDFD is known (a process is
   * not its own child) and with EINVAL where it is not (Linux 5.3).
   */
  static String unsupportedReason() {
    int fd;
    try {
      fd = open(LIBC.getpid());
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      return "pidfd_open cannot be called: " + e;
    }
    if (fd < 0) {
      return "pidfd_open failed with errno " + -fd + (-fd == ENOSYS ? " (ENOSYS: kernel older than 5.3)" : "");
    }
    try {
      Memory info = new Memory(ExitWaiter.SIGINFO_SIZE);
      info.clear();
      int errno = LIBC.waitid(P_PIDFD, fd, info, WEXITED | WNOHANG) == 0 ? 0 : Native.getLastError();
      return errno == ECHILD ? null : "waitid(P_PIDFD) failed with errno " + errno + " (kernel older than 5.4?)";
    } finally {
      close(fd);
    }
  }
}
