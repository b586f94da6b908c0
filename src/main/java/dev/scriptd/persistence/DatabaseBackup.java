package dev.scriptd.persistence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consistent snapshots of the database while the server runs: {@code VACUUM INTO} a new owner-only
 * file in the data dir, on a reader connection (a WAL reader sees one committed state and does not
 * hold up the writer). Whoever asked streams the file and deletes it; files left by a crash in the
 * middle are removed at the next start.
 */
final class DatabaseBackup {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseBackup.class);
  private static final String PREFIX = ".backup-";
  private static final String SUFFIX = ".sqlite3";

  private final Vertx vertx;
  private final Database db;
  private final LogBatcher batcher;
  private final Path dataDir;

  DatabaseBackup(Vertx vertx, Database db, LogBatcher batcher, Path dataDir) {
    this.vertx = vertx;
    this.db = db;
    this.batcher = batcher;
    this.dataDir = dataDir.toAbsolutePath();
  }

  /** The path of a new snapshot file; the caller deletes it. Buffered log lines are written first. */
  Future<String> snapshot() {
    Path target = dataDir.resolve(PREFIX + UUID.randomUUID() + SUFFIX);
    // VACUUM INTO wants a missing or empty file: create it empty and owner-only, since the copy
    // holds token hashes and script secrets
    return batcher.flush()
        .compose(v -> vertx.executeBlocking(() -> Files.createFile(target,
            PosixFilePermissions.asFileAttribute(PrivateFiles.FILE))))
        .compose(v -> db.reader().preparedQuery("VACUUM INTO ?").execute(Tuple.of(target.toString())))
        .map(rows -> target.toString())
        .recover(failure -> vertx.executeBlocking(() -> Files.deleteIfExists(target))
            .transform(ignored -> Future.failedFuture(failure)));
  }

  /** Deletes snapshots a crash left behind. */
  Future<Void> removeLeftovers() {
    return vertx.executeBlocking(() -> {
      try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dataDir, PREFIX + "*" + SUFFIX)) {
        for (Path leftover : leftovers) {
          Files.deleteIfExists(leftover);
          LOG.info("removed {}, a backup left unfinished by an earlier stop", leftover);
        }
      } catch (IOException e) {
        LOG.debug("could not look for unfinished backups in {}", dataDir, e);
      }
      return null;
    });
  }
}
