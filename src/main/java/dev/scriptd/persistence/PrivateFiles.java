package dev.scriptd.persistence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps scriptd's files to the user it runs as: the database holds run environments (secret values
 * included) and token hashes. The data dir (and the log dir, when run logs are written as files) is
 * created 0700, the database file 0600 before SQLite first opens it, so the {@code -wal} and
 * {@code -shm} files SQLite creates next to it get the same mode. Existing ones that grant anything
 * to group or others lose those bits. An existing directory that only holds the database file (a
 * {@code db_file} outside the data dir) is left as it is: it may be shared. Blocking file-system
 * calls: run on a worker. Stateless.
 */
final class PrivateFiles {
  private static final Logger LOG = LoggerFactory.getLogger(PrivateFiles.class);
  static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  /** The files SQLite keeps beside a database. */
  static final List<String> DATABASE_SUFFIXES = List.of("", "-wal", "-shm", "-journal");
  private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private PrivateFiles() {
  }

  /**
   * Creates or tightens {@code dataDir}, {@code dbFile} (and its SQLite companions) and
   * {@code logDir} (null: run log files are off); {@code dbFile} null: the data is in PostgreSQL,
   * and no SQLite file is made. Returns the existing paths it tightened, so the
   * caller can say so once. On a file system without POSIX permissions it changes nothing.
   */
  static List<Path> secure(Path dataDir, Path dbFile, Path logDir) throws IOException {
    List<Path> tightened = new ArrayList<>();
    if (!Files.getFileStore(existingAncestor(dataDir.toAbsolutePath()))
        .supportsFileAttributeView("posix")) {
      return tightened;
    }
    privateDirectory(dataDir, tightened);
    if (logDir != null) {
      privateDirectory(logDir, tightened);
    }
    if (dbFile == null) {
      return tightened;
    }
    Path database = dbFile.toAbsolutePath();
    Path parent = database.getParent();
    if (parent != null && !Files.exists(parent)) {
      Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(DIRECTORY));
    }
    if (!Files.exists(database)) {
      // an empty file is an empty database; created here, it is never readable by others
      Files.createFile(database, PosixFilePermissions.asFileAttribute(FILE));
    }
    for (String suffix : DATABASE_SUFFIXES) {
      Path file = Path.of(database + suffix);
      if (Files.exists(file)) {
        tighten(file, tightened);
      }
    }
    return tightened;
  }

  private static void privateDirectory(Path dir, List<Path> tightened) throws IOException {
    if (Files.isDirectory(dir)) {
      tighten(dir, tightened);
    } else {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
    }
  }

  /**
   * Removes the group and others bits of an existing path; the owner's bits stay. A path of another
   * owner cannot be changed: that is a warning, not a reason to refuse to start.
   */
  private static void tighten(Path path, List<Path> tightened) throws IOException {
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path);
    if (mode.stream().anyMatch(NOT_OWNER::contains)) {
      Set<PosixFilePermission> owner = EnumSet.noneOf(PosixFilePermission.class);
      owner.addAll(mode);
      owner.removeAll(NOT_OWNER);
      try {
        Files.setPosixFilePermissions(path, owner);
        tightened.add(path);
      } catch (IOException notOurs) {
        LOG.warn("{} is {} and could not be made owner-only: {}", path, PosixFilePermissions.toString(mode),
            notOurs.toString());
      }
    }
  }

  private static Path existingAncestor(Path path) {
    Path current = path;
    while (current != null && !Files.exists(current)) {
      current = current.getParent();
    }
    return current == null ? Path.of("/") : current;
  }
}
