package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The data dir, database and log dir are private to their owner")
class PrivateFilesTest {
  @TempDir
  Path temp;

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  @Test
  @DisplayName("creates the data and log dirs 0700 and an empty database file 0600, tightening nothing")
  void createsPrivate() throws Exception {
    Path data = temp.resolve("a/data");
    Path db = data.resolve("scriptd.db");
    Path logs = data.resolve("logs");
    assertEquals(List.of(), PrivateFiles.secure(data, db, logs));
    assertEquals("rwx------", mode(data));
    assertEquals("rwx------", mode(logs));
    assertEquals("rw-------", mode(db));
    assertEquals(0, Files.size(db));
    assertEquals(List.of(), PrivateFiles.secure(data, db, logs), "a second start has nothing to change");
  }

  @Test
  @DisplayName("removes group and others bits from existing ones (the owner's stay) and lists what it changed")
  void tightensExisting() throws Exception {
    Path data = Files.createDirectories(temp.resolve("data"));
    Path logs = Files.createDirectories(data.resolve("logs"));
    Path db = Files.writeString(data.resolve("scriptd.db"), "");
    Path wal = Files.writeString(data.resolve("scriptd.db-wal"), "");
    Path shm = Files.writeString(data.resolve("scriptd.db-shm"), "");
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(wal, PosixFilePermissions.fromString("r--rw----"));
    Files.setPosixFilePermissions(shm, PosixFilePermissions.fromString("rw-------"));
    assertEquals(List.of(data, logs, db.toAbsolutePath(), wal.toAbsolutePath()), PrivateFiles.secure(data, db, logs));
    assertEquals("rwx------", mode(data));
    assertEquals("rwx------", mode(logs));
    assertEquals("rw-------", mode(db));
    assertEquals("r--------", mode(wal));
    assertEquals("rw-------", mode(shm));
  }

  @Test
  @DisplayName("leaves alone a log dir when logs are not files, and an existing directory holding only the database")
  void leavesOthersAlone() throws Exception {
    Path data = temp.resolve("data");
    Path logs = Files.createDirectories(temp.resolve("logs"));
    Path shared = Files.createDirectories(temp.resolve("shared"));
    Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path db = shared.resolve("scriptd.db");
    assertEquals(List.of(), PrivateFiles.secure(data, db, null));
    assertEquals("rwxr-xr-x", mode(logs));
    assertEquals("rwxr-xr-x", mode(shared));
    assertEquals("rw-------", mode(db));
    assertEquals("rwx------", mode(data));
  }
}
