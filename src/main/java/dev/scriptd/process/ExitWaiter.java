package dev.scriptd.process;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.concurrent.locks.LockSupport;

/**
 * Fix (A) for NuProcess's slow exit detection (src/docs/architecture.md, "NuProcess"), used when
 * the {@link ExitWatcher} cannot be (no pidfds, or runs.exit_watcher off). NuProcess checks once with
 * {@code waitpid(WNOHANG)} right after both pipes closed; the kernel closes a dying child's pipes a
 * little before it is reapable, so about one exit in five waits for the next epoll timeout (250 ms).
 * Called on the NuProcess thread from the last "closed" callback, which NuProcess runs just before
 * that check, this polls {@code waitid(P_PID, pid, WEXITED|WNOWAIT|WNOHANG)} with short parks
 * (capped) until the child is reapable, without reaping it, so NuProcess's own waitpid succeeds.
 *
 * <p>It also reads the real wait status: NuProcess reports death by signal N as plain N and exit
 * 127 as Integer.MIN_VALUE, which cannot be told apart from exit codes. Relies on NuProcess 3.0.0
 * internals (ProcessEpoll.cleanupProcess); RunsVerticleTest covers the behaviour.
 * {@link Status} is also how the exit watcher reports an exit.
 */
final class ExitWaiter {
  private static final int P_PID = 1;
  private static final int WNOHANG = 1;
  private static final int WEXITED = 4;
  private static final int WNOWAIT = 0x01000000;
  private static final int CLD_EXITED = 1;
  // siginfo_t on Linux (x86_64 and aarch64): si_code at 8, si_pid at 16, si_status at 24
  static final int SIGINFO_SIZE = 128;
  private static final int SI_CODE = 8;
  private static final int SI_PID = 16;
  private static final int SI_STATUS = 24;

  /** How the child ended: an exit code, or the number of the signal that killed it. */
  record Status(boolean signalled, int value) {
    /** As a shell reports it: the exit code, or 128 + N for death by signal N. */
    int shellCode() {
      return signalled ? 128 + value : value;
    }

    /** The status a successful {@code waitid} wrote into {@code info}; null when it found no exit. */
    static Status of(Pointer info) {
      if (info.getInt(SI_PID) == 0) {
        return null; // WNOHANG and nothing has exited yet
      }
      return new Status(info.getInt(SI_CODE) != CLD_EXITED, info.getInt(SI_STATUS));
    }
  }

  interface WaitLibrary extends Library {
    int waitid(int idtype, int id, Pointer infop, int options);
  }

  private static final WaitLibrary LIBC = Native.load("c", WaitLibrary.class);

  private ExitWaiter() {
  }

  /** Waits up to {@code maxNanos} until {@code pid} is reapable; its status, or null if not yet. */
  static Status awaitExitable(int pid, long maxNanos) {
    Memory info = new Memory(SIGINFO_SIZE);
    long deadline = System.nanoTime() + maxNanos;
    long park = 20_000;
    while (true) {
      info.clear();
      if (LIBC.waitid(P_PID, pid, info, WEXITED | WNOWAIT | WNOHANG) != 0) {
        return null; // ECHILD: already reaped, or not our child
      }
      if (info.getInt(SI_PID) == pid) {
        return Status.of(info);
      }
      if (System.nanoTime() >= deadline) {
        return null;
      }
      LockSupport.parkNanos(park);
      park = Math.min(park * 2, 500_000);
    }
  }
}
