package dev.scriptd.process;

import dev.scriptd.domain.RunOutputs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code SCRIPTD_OUTPUT} files of shell runs: one empty file per run, readable and writable by
 * its owner only, in a directory of its own under {@code dir} (the data dir's {@code outputs}, which
 * only scriptd's user can enter). A run under {@code limits.user} cannot enter the data dir, so its
 * directory is made in the system's temporary directory and given to that user. Each file is read
 * (at most {@link RunOutputs#MAX_BYTES}) and removed when its run ends. Blocking: call on a worker.
 */
final class OutputFiles {
  private static final Logger LOG = LoggerFactory.getLogger(OutputFiles.class);
  private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final String FILE_NAME = "output";

  private final Path dir;
  /** {@code limits.user} ("uid[:gid]" or a name), or null. */
  private final String user;

  OutputFiles(Path dir, String user) {
    this.dir = dir;
    this.user = user;
  }

  /** Leftovers of runs that ended while the server was down go (their runs are lost anyway). */
  void clearLeftovers() {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      entries.forEach(OutputFiles::removeRunDir);
    } catch (IOException e) {
      LOG.warn("could not clear old output files in {}: {}", dir, e.toString());
    }
  }

  /** A new empty file for run {@code runId}. */
  Path create(String runId) throws IOException {
    Path runDir;
    if (user == null) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, DIRECTORY);
      runDir = dir.resolve(runId);
      try {
        Files.createDirectory(runDir, PosixFilePermissions.asFileAttribute(DIRECTORY));
      } catch (FileAlreadyExistsException e) {
        removeRunDir(runDir);
        Files.createDirectory(runDir, PosixFilePermissions.asFileAttribute(DIRECTORY));
      }
    } else {
      runDir = Files.createTempDirectory("scriptd-output-", PosixFilePermissions.asFileAttribute(DIRECTORY));
    }
    Path file = Files.createFile(runDir.resolve(FILE_NAME), PosixFilePermissions.asFileAttribute(FILE));
    if (user != null) {
      giveToUser(runDir);
      giveToUser(file);
    }
    return file;
  }

  /** Reads what the run declared and removes its file and directory; null file: nothing declared. */
  RunOutputs readAndRemove(Path file) {
    RunOutputs outputs = new RunOutputs();
    if (file == null) {
      return outputs;
    }
    try {
      if (Files.isRegularFile(file)) {
        long size = Files.size(file);
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
          content = in.readNBytes(RunOutputs.MAX_BYTES);
        }
        outputs.parseFile(content, Math.max(size, content.length));
      }
    } catch (IOException e) {
      LOG.warn("could not read the output file {}: {}", file, e.toString());
    } finally {
      removeRunDir(file.getParent());
    }
    return outputs;
  }

  private static void removeRunDir(Path runDir) {
    try (Stream<Path> entries = Files.list(runDir)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        Files.deleteIfExists(entry);
      }
      Files.deleteIfExists(runDir);
    } catch (IOException e) {
      LOG.warn("could not remove the output directory {}: {}", runDir, e.toString());
    }
  }

  private void giveToUser(Path path) throws IOException {
    int colon = user.indexOf(':');
    String uid = colon < 0 ? user : user.substring(0, colon);
    String gid = colon < 0 ? null : user.substring(colon + 1);
    if (uid.chars().allMatch(Character::isDigit)) {
      Files.setAttribute(path, "unix:uid", Integer.parseInt(uid));
      if (gid != null && gid.chars().allMatch(Character::isDigit)) {
        Files.setAttribute(path, "unix:gid", Integer.parseInt(gid));
      }
    } else {
      Files.setOwner(path, path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(uid));
    }
  }
}
