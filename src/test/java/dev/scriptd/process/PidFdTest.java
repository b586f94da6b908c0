package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PidFdTest {
  private static final int ESRCH = 3;

  /** Reaps through the pidfd, polling with a deadline until the child has exited. */
  private static ExitWaiter.Status awaitReaped(int pidfd) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5000;
    while (System.currentTimeMillis() < deadline) {
      ExitWaiter.Status status = PidFd.reap(pidfd);
      if (status != null) {
        return status;
      }
      Thread.sleep(5);
    }
    return fail("the child did not exit");
  }

  @Test
  @DisplayName("pidfds and waitid(P_PIDFD) work on this kernel")
  void supported() {
    assertNull(PidFd.unsupportedReason());
  }

  @Test
  @DisplayName("reap returns an exited child's exit code and reaps it; its pid then has no pidfd")
  void exitCode() throws Exception {
    int pid = Children.spawn("exit 3");
    int fd = PidFd.open(pid);
    assertTrue(fd >= 0, "pidfd_open: " + fd);
    try {
      assertEquals(new ExitWaiter.Status(false, 3), awaitReaped(fd));
      assertFalse(Children.exists(pid), "still in /proc after the reap");
      assertNull(PidFd.reap(fd), "a second reap finds nothing");
    } finally {
      PidFd.close(fd);
    }
    assertEquals(-ESRCH, PidFd.open(pid));
  }

  @Test
  @DisplayName("a death by signal is reported as the signal (a shell's 128 + N)")
  void signal() throws Exception {
    int pid = Children.spawn("kill -9 $$");
    int fd = PidFd.open(pid);
    try {
      ExitWaiter.Status status = awaitReaped(fd);
      assertEquals(new ExitWaiter.Status(true, 9), status);
      assertEquals(137, status.shellCode());
    } finally {
      PidFd.close(fd);
    }
  }

  @Test
  @DisplayName("before the child exits there is nothing to reap, and it is left running")
  void notYet() throws Exception {
    int pid = Children.spawn("sleep 30");
    int fd = PidFd.open(pid);
    try {
      assertNull(PidFd.reap(fd));
      assertTrue(Children.alive(pid));
      Children.killGroup(pid);
      assertEquals(new ExitWaiter.Status(true, 9), awaitReaped(fd));
    } finally {
      PidFd.close(fd);
    }
  }
}
