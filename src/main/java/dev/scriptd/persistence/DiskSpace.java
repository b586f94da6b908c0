package dev.scriptd.persistence;

import dev.scriptd.bus.BusFailure;
import java.nio.file.Path;

/**
 * Whether the disk holding the database is full, as the writes found it: a write that fails for
 * want of space marks it full; from then on writes fail at once (507) instead of each finding out
 * again, until the free space under the data dir is back to at least {@link #RESUME_FREE_BYTES}.
 * Thread-safe (writes fail on worker threads, the checks run on the persistence context).
 */
final class DiskSpace {
  /** HTTP 507 Insufficient Storage. */
  static final int INSUFFICIENT_STORAGE = 507;
  /** Free bytes under the data dir from which writes are tried again. */
  static final long RESUME_FREE_BYTES = 1L << 20;

  private final Path dir;
  private volatile boolean full;
  private volatile long freeBytes = -1;

  DiskSpace(Path dir) {
    this.dir = dir;
  }

  /** Whether {@code error} (or a cause) says the disk or the database file is full. */
  static boolean isDiskFull(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof BusFailure failure && failure.code() == INSUFFICIENT_STORAGE) {
        return true;
      }
      String message = String.valueOf(cause.getMessage());
      if (message.contains("SQLITE_FULL") || message.contains("database or disk is full")
          || message.contains("No space left on device")) {
        return true;
      }
    }
    return false;
  }

  boolean full() {
    return full;
  }

  /** The directory whose file system is measured. */
  Path dir() {
    return dir;
  }

  /** A write failed with {@code error}: true when it found the disk full and the disk was not marked so yet. */
  boolean failed(Throwable error) {
    if (!isDiskFull(error) || full) {
      return false;
    }
    full = true;
    return true;
  }

  /** The free bytes just measured; true when the disk was full and has room again (writes go on). */
  boolean measured(long free) {
    freeBytes = free;
    if (full && free >= RESUME_FREE_BYTES) {
      full = false;
      return true;
    }
    return false;
  }

  /** The answer to a write while the disk is full. */
  BusFailure refusal() {
    long free = freeBytes;
    return new BusFailure(INSUFFICIENT_STORAGE, "the disk holding " + dir + " is full"
        + (free >= 0 ? " (" + free + " bytes free)" : "") + ": nothing was written; free space there,"
        + " and scriptd writes what it has buffered and accepts writes again by itself");
  }
}
