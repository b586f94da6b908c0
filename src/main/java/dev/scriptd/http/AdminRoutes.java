package dev.scriptd.http;

import dev.scriptd.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/admin/backup} (admin, see AccessRules): a consistent snapshot of the SQLite
 * database, streamed as {@code application/vnd.sqlite3} (SQLite) or {@code application/sql} (a
 * pg_dump-style script, PostgreSQL) and deleted once sent. One backup at a time
 * per server (a lock shared by every HTTP instance): another request meanwhile is a 409.
 */
final class AdminRoutes {
  static final String CONTENT_TYPE = "application/vnd.sqlite3";
  /** A backup of PostgreSQL: a plain SQL script that psql restores. */
  static final String SQL_CONTENT_TYPE = "application/sql";
  /** The backup lock's name, without the namespace. */
  static final String BACKUP_LOCK = "scriptd.admin.backup";
  private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);
  private static final long SNAPSHOT_TIMEOUT_MS = 60 * 60 * 1000L;
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  private final Vertx vertx;
  private final Bus bus;

  AdminRoutes(Vertx vertx, Bus bus) {
    this.vertx = vertx;
    this.bus = bus;
  }

  void mount(Router router) {
    router.post("/api/admin/backup").handler(this::backup);
  }

  private void backup(RoutingContext ctx) {
    vertx.sharedData().getLocalLockWithTimeout(bus.namespace().of(BACKUP_LOCK), 1).onComplete(locked -> {
      if (locked.failed()) {
        ctx.fail(new ApiException(409, "backup-running", "a backup is being taken right now; retry when it is done"));
        return;
      }
      String stamp = STAMP.format(Instant.now());
      String[] sentName = new String[1];
      bus.<String>request(Addresses.DB_BACKUP, null, SNAPSHOT_TIMEOUT_MS)
          .compose(path -> {
            // the storage decides the form: a .sql snapshot is PostgreSQL's script
            boolean sql = path.endsWith(".sql");
            sentName[0] = "scriptd-backup-" + stamp + (sql ? ".sql" : ".sqlite3");
            return ctx.response()
                .putHeader("Content-Type", sql ? SQL_CONTENT_TYPE : CONTENT_TYPE)
                .putHeader("Content-Disposition", "attachment; filename=\"" + sentName[0] + "\"")
                .putHeader("Cache-Control", "no-store")
                .sendFile(path)
                .eventually(() -> vertx.fileSystem().delete(path)
                    .onFailure(e -> LOG.warn("could not delete the backup file {}: {}", path, e.toString())));
          })
          .onComplete(sent -> {
            locked.result().release();
            if (sent.succeeded()) {
              LOG.info("sent a database backup ({})", sentName[0]);
            } else if (!ctx.response().ended()) {
              ctx.fail(sent.cause());
            }
          });
    });
  }
}
