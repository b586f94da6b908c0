package dev.scriptd.process;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import dev.scriptd.domain.RunUsage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells when watched child processes exit, at once and with their status: one thread waits in
 * {@code epoll_wait} on a pidfd per child (see {@link PidFd}) and, when one becomes readable, reaps
 * the child with {@code waitid(P_PIDFD)} and calls its listener. This sees the exit of the process
 * itself, not the end of its output, which a background child can hold open long after.
 *
 * <p>A watched child is reaped here: nothing else may wait for it (its NuProcess is told not to).
 * Where pidfds are not available (ENOSYS before Linux 5.3, EPERM under some seccomp policies) this
 * says so once in the log and {@link #watch} returns false, so the caller keeps the old path.
 */
final class ExitWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExitWatcher.class);
  private static final int EPOLL_CLOEXEC = 0x80000;
  private static final int EFD_CLOEXEC = 0x80000;
  private static final int EPOLL_CTL_ADD = 1;
  private static final int EPOLL_CTL_DEL = 2;
  private static final int EPOLLIN = 1;
  private static final int EINTR = 4;
  private static final int MAX_EVENTS = 64;
  // struct epoll_event is packed on x86_64 (12 bytes, data at 4), naturally aligned elsewhere
  private static final int EVENT_SIZE = Platform.isIntel() && Platform.is64Bit() ? 12 : 16;
  private static final int DATA_OFFSET = Platform.isIntel() && Platform.is64Bit() ? 4 : 8;
  private static final long WAKE_KEY = -1;
  private static final int WNOHANG = 1;
  /** struct rusage on 64-bit Linux: two struct timeval and fourteen longs. */
  private static final int RUSAGE_SIZE = 144;

  /** Called on the watcher's thread: must be quick and must not block. */
  interface Listener {
    /**
     * {@code status} is null when it could not be read (the child was reaped elsewhere);
     * {@code usage} (containment unset) is the CPU time of the child and its waited-for children,
     * or null.
     */
    void exited(ExitWaiter.Status status, RunUsage usage);
  }

  private record Watch(int pid, Listener listener) {
  }

  interface EpollLibrary extends Library {
    int epoll_create1(int flags);

    int epoll_ctl(int epfd, int op, int fd, Pointer event);

    int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMs);

    int eventfd(int initval, int flags);

    long write(int fd, Pointer buffer, long count);

    int close(int fd);

    int wait4(int pid, Pointer status, int options, Pointer rusage);
  }

  private static final EpollLibrary LIBC = Native.load("c", EpollLibrary.class);

  private final Map<Integer, Watch> watched = new ConcurrentHashMap<>();
  private final AtomicBoolean openFailureLogged = new AtomicBoolean();
  private final int epoll;
  private final int wake;
  private final Thread thread;
  private volatile boolean closed;

  /** Starts the watcher's thread, or, where pidfds cannot be used, logs why and watches nothing. */
  ExitWatcher() {
    String unsupported = PidFd.unsupportedReason();
    int epfd = -1;
    int eventFd = -1;
    if (unsupported == null) {
      epfd = LIBC.epoll_create1(EPOLL_CLOEXEC);
      eventFd = epfd < 0 ? -1 : LIBC.eventfd(0, EFD_CLOEXEC);
      if (epfd < 0 || eventFd < 0 || control(epfd, EPOLL_CTL_ADD, eventFd, WAKE_KEY) != 0) {
        unsupported = "epoll/eventfd failed with errno " + Native.getLastError();
        PidFd.close(epfd);
        PidFd.close(eventFd);
        epfd = eventFd = -1;
      }
    }
    epoll = epfd;
    wake = eventFd;
    if (unsupported != null) {
      LOG.warn("process exits are seen when a run's pipes close, not when its shell exits: {}", unsupported);
      thread = null;
      return;
    }
    thread = new Thread(this::loop, "scriptd-exit-watcher");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether {@link #watch} can work here. */
  boolean available() {
    return thread != null;
  }

  /**
   * Watches {@code pid}, a child of this JVM that nothing has reaped yet; false (and nothing
   * watched) when it cannot, and then the caller must reap the child as before. The listener is
   * called once, from the watcher's thread, after the child was reaped.
   */
  boolean watch(int pid, Listener listener) {
    if (thread == null || closed) {
      return false;
    }
    int fd = PidFd.open(pid);
    if (fd < 0) {
      if (openFailureLogged.compareAndSet(false, true)) {
        LOG.warn("pidfd_open({}) failed with errno {}: such runs end when their pipes close (logged once)", pid, -fd);
      }
      return false;
    }
    watched.put(fd, new Watch(pid, listener));
    if (closed || control(epoll, EPOLL_CTL_ADD, fd, fd) != 0) {
      watched.remove(fd);
      PidFd.close(fd);
      return false;
    }
    return true;
  }

  /**
   * Stops the thread; children still watched are not reaped any more. Call when nothing is left to
   * watch (after every run ended).
   */
  @Override
  public void close() {
    if (thread == null || closed) {
      return;
    }
    closed = true;
    Memory one = new Memory(8);
    one.setLong(0, 1);
    LIBC.write(wake, one, 8);
  }

  private void loop() {
    Memory events = new Memory((long) EVENT_SIZE * MAX_EVENTS);
    try {
      while (!closed) {
        int ready = LIBC.epoll_wait(epoll, events, MAX_EVENTS, -1);
        if (ready < 0) {
          int errno = Native.getLastError();
          if (errno == EINTR) {
            continue;
          }
          LOG.error("epoll_wait failed with errno {}: process exits are no longer watched", errno);
          return;
        }
        for (int i = 0; i < ready; i++) {
          long key = events.getLong((long) i * EVENT_SIZE + DATA_OFFSET);
          if (key != WAKE_KEY) {
            exited((int) key);
          }
        }
      }
    } catch (Throwable e) {
      LOG.error("the process exit watcher failed", e);
    } finally {
      closed = true;
      for (Integer fd : watched.keySet()) {
        PidFd.close(fd);
      }
      watched.clear();
      LIBC.close(epoll);
      LIBC.close(wake);
    }
  }

  private void exited(int pidfd) {
    Watch watch = watched.remove(pidfd);
    if (watch == null) {
      return;
    }
    control(epoll, EPOLL_CTL_DEL, pidfd, pidfd);
    Memory usage = new Memory(RUSAGE_SIZE);
    usage.clear();
    ExitWaiter.Status status = reap(watch.pid(), usage);
    RunUsage measured = null;
    if (status != null) {
      // ru_utime and ru_stime (struct timeval). Not ru_maxrss: a child spawned by the JVM (vfork)
      // execs from the JVM's memory, and exec keeps that as the child's peak, so it tells the JVM's size
      measured = new RunUsage(usage.getLong(0) * 1000 + usage.getLong(8) / 1000,
          usage.getLong(16) * 1000 + usage.getLong(24) / 1000, null, null, null);
    } else {
      status = PidFd.reap(pidfd);
    }
    // closed only after the removal above, so a new pidfd with the same number is a new entry
    PidFd.close(pidfd);
    try {
      watch.listener().exited(status, measured);
    } catch (Throwable e) {
      LOG.error("a process exit listener failed", e);
    }
  }

  /**
   * Reaps the exited child {@code pid} with wait4(2), which also reports its resource usage (with
   * the children it waited for). The pidfd said the child exited and nothing else reaps it, so the
   * pid cannot name another process yet. Null when it could not be reaped so.
   */
  private static ExitWaiter.Status reap(int pid, Memory usage) {
    Memory status = new Memory(4);
    status.clear();
    if (LIBC.wait4(pid, status, WNOHANG, usage) != pid) {
      return null;
    }
    int raw = status.getInt(0);
    int signal = raw & 0x7f;
    return signal == 0 ? new ExitWaiter.Status(false, (raw >> 8) & 0xff) : new ExitWaiter.Status(true, signal);
  }

  private static int control(int epfd, int op, int fd, long key) {
    Memory event = new Memory(16);
    event.clear();
    event.setInt(0, EPOLLIN);
    event.setLong(DATA_OFFSET, key);
    return LIBC.epoll_ctl(epfd, op, fd, event);
  }
}
