package dev.scriptd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One server's exclusive hold on its data dir: an OS lock on {@code <data_dir>/.lock}, taken before
 * the database is opened and runs are recovered, held for the server's life. Without it a second
 * server started on the same data dir (a port taken, a mistake) would run recovery and mark the
 * first one's running runs {@code lost}. The file holds the holder's pid, for the refusal's message.
 * Blocking: take and release it on a worker.
 */
final class DataDirLock {
  static final String FILE = ".lock";
  /**
   * The data dirs locked by this process. The OS lock belongs to the process, and closing any
   * channel on the file releases it, so a second instance in this JVM must be refused without ever
   * opening the file: this set is process-wide because the lock is.
   */
  private static final Set<Path> HELD_BY_THIS_PROCESS = ConcurrentHashMap.newKeySet();

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  /** Another scriptd holds the data dir; the message says which dir and what to do. */
  static final class InUse extends RuntimeException {
    InUse(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Creates the data dir when missing (owner-only) and locks it.
   *
   * @throws InUse when another scriptd, in this process or another, holds it
   */
  static DataDirLock take(Path dataDir) {
    try {
      Path dir = create(dataDir.toAbsolutePath().normalize()).toRealPath();
      if (!HELD_BY_THIS_PROCESS.add(dir)) {
        throw new InUse("the data dir " + dir + " is used by another scriptd instance in this process;"
            + " give each instance its own data_dir");
      }
      try {
        return lock(dir);
      } catch (RuntimeException | IOException e) {
        HELD_BY_THIS_PROCESS.remove(dir);
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock the data dir " + dataDir.toAbsolutePath().normalize() + ": "
          + e.getMessage(), e);
    }
  }

  private static DataDirLock lock(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE), ownerOnly(dir, "rw-------"));
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      String holder = holder(channel);
      channel.close();
      throw new InUse("the data dir " + dir + " is used by another scriptd (" + holder + " holds " + file
          + "); stop that one first, or give this one its own --data-dir");
    }
    channel.truncate(0);
    channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
    channel.force(false);
    return new DataDirLock(dir, channel, lock);
  }

  /** "pid N" from the holder's lock file, or "a process" when it cannot be told. */
  private static String holder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(32);
      channel.read(buffer, 0);
      String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).trim();
      return pid.matches("[0-9]{1,10}") ? "pid " + pid : "a process";
    } catch (IOException unreadable) {
      return "a process";
    }
  }

  private static Path create(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      try {
        Files.createDirectories(dir, ownerOnly(dir, "rwx------"));
      } catch (FileAlreadyExistsException raced) {
        // created meanwhile: fine when it is a directory, which toRealPath's caller then locks
      }
    }
    return dir;
  }

  /** Owner-only permissions where the file system has them, none elsewhere. */
  private static FileAttribute<?>[] ownerOnly(Path path, String mode) throws IOException {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    boolean posix = existing != null && Files.getFileStore(existing).supportsFileAttributeView("posix");
    return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode))}
        : new FileAttribute<?>[0];
  }

  /** Releases the lock (the file stays: deleting it would race with a server starting now). */
  void release() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      HELD_BY_THIS_PROCESS.remove(dir);
    }
  }
}
