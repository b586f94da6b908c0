package dev.scriptd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("DataDirLock: one scriptd per data dir")
class DataDirLockTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("a missing data dir is created owner-only, with an owner-only .lock holding this process's pid")
  void createsTheDirAndTheLockFile() throws Exception {
    Path data = dir.resolve("a").resolve("data");
    DataDirLock lock = DataDirLock.take(data);
    try {
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
      Path file = data.resolve(DataDirLock.FILE);
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(file));
    } finally {
      lock.release();
    }
  }

  @Test
  @DisplayName("a second take of the same dir (by another path to it) is refused while the first holds it, and works once released")
  void secondTakeIsRefusedUntilReleased() throws Exception {
    Path data = Files.createDirectory(dir.resolve("data"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), data);
    DataDirLock first = DataDirLock.take(data);
    DataDirLock.InUse refused = assertThrows(DataDirLock.InUse.class, () -> DataDirLock.take(link.resolve(".")));
    assertTrue(refused.getMessage().contains("the data dir " + data.toRealPath() + " is used by another scriptd"),
        refused.getMessage());
    first.release();
    DataDirLock.take(link).release();
  }
}
