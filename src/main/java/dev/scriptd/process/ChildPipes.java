package dev.scriptd.process;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.ptr.IntByReference;
import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.internal.BasePosixProcess;
import com.zaxxer.nuprocess.internal.ReferenceCountedFileDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipes a child writes its output into, seen from NuProcess's read ends.
 *
 * <p>{@link #grow}: the kernel's default capacity of 64 KiB is half a millisecond of a child writing
 * 130 MB/s, so with the pauses of {@link ReadPacer} a pipe that small fills now and then and the
 * child blocks, which costs it more than the pause saves. A pipe's capacity belongs to the pipe, so
 * {@code fcntl(F_SETPIPE_SZ)} on the read end sets it. The kernel refuses more than
 * {@code /proc/sys/fs/pipe-max-size} (1 MiB by default) and sizes down the pipes of a user over
 * {@code pipe-user-pages-soft}; a refusal only costs the gain, so it is logged at debug. Capacity is
 * not memory: pages are taken only for bytes not read yet.
 *
 * <p>{@link #readRest}: when a pipe hangs up, NuProcess (3.0.0) reads at most its 64 KiB buffer and
 * then reports the stream closed, so whatever a grown pipe still holds is read here, before the
 * stream is finished. It reads only what {@code FIONREAD} says is there, so it never blocks, and
 * only while it holds NuProcess's reference on the descriptor, so the number cannot be closed and
 * reused meanwhile (NuProcess sets it to -1 when it closes it). Relies on NuProcess internals: the
 * version is pinned and the 100,000-line tests fail without it.
 */
final class ChildPipes {
  private static final Logger LOG = LoggerFactory.getLogger(ChildPipes.class);
  private static final int F_SETPIPE_SZ = 1031;
  private static final NativeLong FIONREAD = new NativeLong(0x541B);

  interface PipeLibrary extends Library {
    int fcntl(int fd, int cmd, int arg);

    int ioctl(int fd, NativeLong request, IntByReference available);

    int read(int fd, byte[] buffer, int count);
  }

  private static final PipeLibrary LIBC = Native.load("c", PipeLibrary.class);

  private ChildPipes() {
  }

  /** Sets the capacity of the child's stdout and stderr pipes to {@code bytes} (0: leaves them). */
  static void grow(NuProcess process, int bytes) {
    if (bytes <= 0 || !(process instanceof BasePosixProcess posix)) {
      return;
    }
    grow(posix.getStdout(), bytes);
    grow(posix.getStderr(), bytes);
  }

  /** The capacity the pipe has afterwards, or -1 when it could not be set. */
  static int grow(ReferenceCountedFileDescriptor descriptor, int bytes) {
    if (descriptor == null) {
      return -1;
    }
    try {
      int fd = descriptor.acquire();
      try {
        int size = fd < 0 ? -1 : LIBC.fcntl(fd, F_SETPIPE_SZ, bytes);
        if (size < 0) {
          LOG.debug("could not set the size of pipe fd {} to {} bytes: errno {}", fd, bytes, Native.getLastError());
        }
        return size;
      } finally {
        descriptor.release();
      }
    } catch (Throwable e) {
      LOG.debug("could not set a pipe size to {} bytes", bytes, e);
      return -1;
    }
  }

  /** What is left in a pipe NuProcess reported closed. */
  interface Sink {
    void take(byte[] bytes, int length);
  }

  /**
   * Reads everything the child's stdout (or stderr) pipe still holds into {@code sink}, through
   * {@code buffer}; returns the number of bytes read.
   */
  static long readRest(NuProcess process, boolean stdout, byte[] buffer, Sink sink) {
    if (!(process instanceof BasePosixProcess posix)) {
      return 0;
    }
    return readRest(stdout ? posix.getStdout() : posix.getStderr(), buffer, sink);
  }

  /** Reads everything the pipe still holds into {@code sink}; returns the number of bytes read. */
  static long readRest(ReferenceCountedFileDescriptor descriptor, byte[] buffer, Sink sink) {
    if (descriptor == null) {
      return 0;
    }
    long total = 0;
    int fd = descriptor.acquire();
    try {
      IntByReference available = new IntByReference();
      while (fd >= 0 && LIBC.ioctl(fd, FIONREAD, available) == 0 && available.getValue() > 0) {
        int read = LIBC.read(fd, buffer, Math.min(available.getValue(), buffer.length));
        if (read <= 0) {
          break;
        }
        sink.take(buffer, read);
        total += read;
      }
    } finally {
      descriptor.release();
    }
    return total;
  }
}
