package dev.scriptd.persistence;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import dev.scriptd.bus.ReplyCodes;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteOpenMode;

/**
 * The SQLite file (the default storage): a writer pool of one connection (SQLite has a single
 * writer), a reader pool, and the versioned migrations of {@code db/migration} (listed in
 * {@code db/migration/INDEX}).
 */
final class SqliteDatabase implements Database {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteDatabase.class);
  static final String MIGRATIONS = "db/migration/";
  /** How long the lock probe of {@link #lockedByOther} waits for the write lock. */
  static final long LOCK_PROBE_MS = 500;

  /** How often the free space is measured while the disk is full. */
  private static final long DISK_CHECK_MS = 1000;

  private final Path file;
  /** Replaced by a new pool when a write failed in a way that may leave its connection unusable. */
  private volatile Pool writer;
  private int writerGeneration;
  private final Pool reader;
  private final Vertx vertx;
  private final long busyTimeoutMs;
  private final DiskSpace disk;
  private final List<Runnable> roomListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private long diskTimer = -1;
  /** The connection of {@link #writeBatches}; opened at its first use, guarded by this. */
  private java.sql.Connection direct;
  /** System.nanoTime() of the last committed write. */
  private volatile long lastCommitNanos = System.nanoTime();

  private SqliteDatabase(Vertx vertx, Path file, Pool writer, Pool reader, long busyTimeoutMs) {
    this.vertx = vertx;
    this.file = file;
    this.writer = writer;
    this.reader = reader;
    this.busyTimeoutMs = busyTimeoutMs;
    this.disk = new DiskSpace(file.getParent() == null ? file : file.getParent());
  }

  Path file() {
    return file;
  }

  @Override
  public String describe() {
    return file.toString();
  }

  @Override
  public SqlDialect dialect() {
    return SqlDialect.SQLITE;
  }

  @Override
  public boolean diskFull() {
    return disk.full();
  }

  @Override
  public BusFailure diskFullRefusal() {
    return disk.refusal();
  }

  @Override
  public void onRoomAgain(Runnable listener) {
    roomListeners.add(listener);
  }

  /**
   * Every failed write passes here. A full disk is marked (writes fail at once from then on) and
   * its free space measured every second until there is room again. After a full disk, or
   * SQLite's own rollback of a transaction ("no transaction is active"), the writer pool is
   * renewed: its JDBC connection may believe in a transaction SQLite already rolled back, and
   * would then fail every later commit. Answers the error a caller should see: a 507 for a full disk.
   */
  private Throwable writeFailed(Throwable error, Pool pool) {
    if (pool != null && pool != writer && disk.full()) {
      // queued on a pool renewed meanwhile because the disk filled up: that is what it met
      return disk.refusal();
    }
    boolean full = DiskSpace.isDiskFull(error);
    // marked before the renewal: writes queued on the old pool fail as it closes, and must see it
    boolean newlyFull = disk.failed(error);
    if (full || String.valueOf(error.getMessage()).contains("no transaction is active")) {
      renewWriter(pool);
    }
    if (newlyFull) {
      LOG.warn("the disk holding {} is full: writes fail at once (507) until it has room again; log lines"
          + " wait in memory meanwhile", file.getParent());
      watchDisk();
    }
    if (error instanceof BusFailure) {
      return error;
    }
    return full ? new BusFailure(DiskSpace.INSUFFICIENT_STORAGE, disk.refusal().getMessage(), error) : error;
  }

  private void watchDisk() {
    vertx.runOnContext(v -> {
      if (diskTimer != -1) {
        return;
      }
      diskTimer = vertx.setPeriodic(DISK_CHECK_MS, id -> vertx.executeBlocking(
              () -> Files.getFileStore(disk.dir()).getUsableSpace(), false)
          .onSuccess(free -> {
            if (disk.measured(free) || !disk.full()) {
              vertx.cancelTimer(id);
              diskTimer = -1;
              LOG.info("the disk holding {} has room again ({} bytes free): writing what was buffered",
                  file.getParent(), free);
              roomListeners.forEach(Runnable::run);
            }
          }));
    });
  }

  private synchronized void renewWriter(Pool failed) {
    if (writer != failed) {
      return;
    }
    writer = writerPool(vertx, file, busyTimeoutMs, ++writerGeneration);
    failed.close();
  }

  private static Pool writerPool(Vertx vertx, Path file, long busyTimeoutMs, int generation) {
    return JDBCPool.pool(vertx, dataSource(file, true, busyTimeoutMs), new PoolOptions().setMaxSize(1)
        .setName("scriptd-db-writer-" + file + (generation == 0 ? "" : "-" + generation)));
  }

  /** How long a write waits for the write lock another connection holds (persistence.busy_timeout_ms). */
  long busyTimeoutMs() {
    return busyTimeoutMs;
  }

  @Override
  public boolean isLocked(Throwable error) {
    return lockedError(error);
  }

  /** Embedded, SQLite is never out of reach; only another process's write lock passes. */
  @Override
  public boolean isTransient(Throwable error) {
    return lockedError(error);
  }

  @Override
  public String lockedMessage() {
    return "the database " + file + " is locked by another process: a write waited "
        + busyTimeoutMs + " ms (persistence.busy_timeout_ms) for the lock; nothing was changed,"
        + " retry once that process has released it";
  }

  /** Whether {@code error} (or a cause) is SQLite's "database is locked": another connection held the write lock. */
  static boolean lockedError(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      String message = String.valueOf(cause.getMessage());
      if (message.contains("SQLITE_BUSY") || message.contains("database is locked")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Blocking probe: whether another process holds the write lock. It takes the lock for an instant
   * (BEGIN IMMEDIATE, ROLLBACK) on a connection of its own, waiting at most {@link #LOCK_PROBE_MS};
   * a busy answer counts only when this server committed nothing meanwhile, since its own writes
   * hold the lock for moments too.
   */
  boolean lockedByOther() throws java.sql.SQLException {
    long began = System.nanoTime();
    try (java.sql.Connection probe = dataSource(file, false, LOCK_PROBE_MS).getConnection();
        java.sql.Statement statement = probe.createStatement()) {
      statement.execute("BEGIN IMMEDIATE");
      statement.execute("ROLLBACK");
      return false;
    } catch (java.sql.SQLException e) {
      if (!lockedError(e)) {
        throw e;
      }
      return lastCommitNanos - began < 0;
    }
  }

  /**
   * Runs a write in a transaction on the single writer connection. Every write must go through
   * here: vertx-jdbc-client 5.0.10 leaves a connection in autocommit=false after any transaction
   * (vert-x3/vertx-jdbc-client#356, fixed by #358 after 5.0.10), so a bare statement on the writer
   * would sit in a transaction that is never committed.
   */
  @Override
  public <T> Future<T> write(Function<SqlConnection, Future<T>> work) {
    if (disk.full()) {
      return Future.failedFuture(disk.refusal());
    }
    Pool pool = writer;
    return pool.withTransaction(work)
        .onSuccess(done -> lastCommitNanos = System.nanoTime())
        .recover(error -> Future.failedFuture(writeFailed(error, pool)));
  }

  /**
   * Runs work in a transaction on the writer connection and rolls it back whatever happens: a
   * preview of writes (the cleanup's dry run). No other write runs meanwhile.
   */
  @Override
  public <T> Future<T> rolledBack(Function<SqlConnection, Future<T>> work) {
    return writer.withConnection(conn -> conn.begin().compose(tx -> work.apply(conn)
        .transform(done -> tx.rollback().transform(ignored -> done.succeeded()
            ? Future.succeededFuture(done.result()) : Future.<T>failedFuture(done.cause())))));
  }

  @Override
  public Pool reader() {
    return reader;
  }

  /**
   * Runs batches in one transaction, in a single blocking task: a transaction through the pool
   * costs a worker hand-off for its begin, for each statement and for its commit, which bounds
   * how often the hot path of run rows can commit. The work goes over a second plain JDBC
   * connection while the writer connection is held, so no other write runs meanwhile (the held
   * connection has written nothing and takes no lock, as in {@link #reclaimSpace}).
   */
  @Override
  public Future<int[]> writeCounted(Vertx vertx, List<Batch> batches) {
    if (disk.full()) {
      return Future.failedFuture(disk.refusal());
    }
    Pool pool = writer;
    return pool.getConnection().compose(held -> vertx.<int[]>executeBlocking(() -> runBatches(batches), false)
        .eventually(() -> held.close()))
        .recover(error -> Future.failedFuture(writeFailed(error, null)));
  }

  private synchronized int[] runBatches(List<Batch> batches) throws java.sql.SQLException {
    if (direct == null) {
      direct = dataSource(file, false, busyTimeoutMs).getConnection();
    }
    execute("BEGIN IMMEDIATE");
    try {
      int[] counts = null;
      for (Batch batch : batches) {
        try (java.sql.PreparedStatement statement = direct.prepareStatement(batch.sql())) {
          for (Tuple row : batch.rows()) {
            for (int i = 0; i < row.size(); i++) {
              statement.setObject(i + 1, row.getValue(i));
            }
            statement.addBatch();
          }
          int[] changed = statement.executeBatch();
          if (counts == null) {
            counts = changed;
          }
        }
      }
      execute("COMMIT");
      lastCommitNanos = System.nanoTime();
      return counts == null ? new int[0] : counts;
    } catch (java.sql.SQLException | RuntimeException e) {
      try {
        execute("ROLLBACK");
      } catch (java.sql.SQLException rollback) {
        e.addSuppressed(rollback);
        // a connection that could not roll back is not trusted again: the next write opens another
        try {
          closeDirect();
        } catch (java.sql.SQLException closing) {
          e.addSuppressed(closing);
        }
      }
      throw e;
    }
  }

  private void execute(String sql) throws java.sql.SQLException {
    try (java.sql.Statement statement = direct.createStatement()) {
      statement.execute(sql);
    }
  }

  /**
   * Returns free pages to the filesystem: {@code PRAGMA incremental_vacuum}, then a WAL checkpoint
   * so the main file shrinks. sqlite-jdbc steps that pragma to completion only through
   * Statement.executeUpdate (execute() frees a single page), which the pool API does not reach,
   * so it runs on a short-lived JDBC connection while the writer connection is held: no other
   * write can run meanwhile, and the held transaction has written nothing, so it takes no lock.
   */
  @Override
  public Future<Void> reclaimSpace(Vertx vertx) {
    return write(conn -> vertx.executeBlocking(() -> {
      try (java.sql.Connection raw = dataSource(file, false, busyTimeoutMs).getConnection();
          java.sql.Statement statement = raw.createStatement()) {
        statement.executeUpdate("PRAGMA incremental_vacuum");
        try (java.sql.ResultSet ignored = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
          // busy when a reader still holds an old snapshot; the next checkpoint finishes the job
        }
      }
      return null;
    }, false));
  }

  /** Creates the file's directory, opens both pools and applies missing migrations. */
  static Future<SqliteDatabase> open(Vertx vertx, ScriptdConfig.Storage storage) {
    Path file = storage.dbFile().toAbsolutePath();
    return vertx.executeBlocking(() -> {
      Path parent = file.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return Database.loadMigrations(MIGRATIONS);
    }).compose(migrations -> {
      long busyTimeoutMs = storage.busyTimeoutMs();
      Pool writer = writerPool(vertx, file, busyTimeoutMs, 0);
      Pool reader = JDBCPool.pool(vertx, dataSource(file, false, busyTimeoutMs), new PoolOptions()
          .setMaxSize(storage.readPoolSize()).setName("scriptd-db-reader-" + file));
      SqliteDatabase database = new SqliteDatabase(vertx, file, writer, reader, busyTimeoutMs);
      return database.migrate(migrations)
          .map(database)
          .recover(err -> database.close().transform(ignored -> Future.failedFuture(err)));
    });
  }

  @Override
  public Future<Long> sizeBytes() {
    return write(conn -> conn.query("PRAGMA page_count").execute()
        .compose(count -> conn.query("PRAGMA page_size").execute()
            .map(size -> count.iterator().next().getLong(0) * size.iterator().next().getLong(0))));
  }

  /**
   * The file check comes first: a query alone still answers from connections already open. Then
   * {@code lock}: whether another process holds the write lock (then every write waits
   * persistence.busy_timeout_ms and fails).
   */
  @Override
  public Future<JsonObject> health(Vertx vertx) {
    return vertx.executeBlocking(() -> Files.isRegularFile(file) && Files.isReadable(file))
        .compose(readable -> readable
            ? reader.query("SELECT 1").execute()
            : Future.failedFuture(new BusFailure(ReplyCodes.UNAVAILABLE,
                "database file " + file + " is missing or not readable")))
        .recover(err -> Future.failedFuture(err instanceof BusFailure ? err
            : new BusFailure(ReplyCodes.UNAVAILABLE,
                "database " + file + " does not answer: " + err.getMessage())))
        .compose(ok -> vertx.executeBlocking(this::lockedByOther, false).transform(probe -> {
          JsonObject lock = new JsonObject();
          if (probe.failed()) {
            lock.put("status", "DOWN").put("error", "could not probe the write lock of " + file + ": "
                + probe.cause().getMessage());
          } else if (probe.result()) {
            lock.put("status", "DOWN").put("error", "the database " + file + " is locked by another process"
                + " (its write lock was not free within " + LOCK_PROBE_MS + " ms): writes wait "
                + busyTimeoutMs + " ms (persistence.busy_timeout_ms), then fail with 503");
          } else {
            lock.put("status", "UP");
          }
          return Future.succeededFuture(new JsonObject().put("database", "UP").put("lock", lock));
        }));
  }

  @Override
  public Future<Void> close() {
    vertx.runOnContext(v -> {
      if (diskTimer != -1) {
        vertx.cancelTimer(diskTimer);
        diskTimer = -1;
      }
    });
    return Future.join(writer.close(), reader.close()).compose(v -> vertx.executeBlocking(() -> {
      closeDirect();
      return null;
    }, false)).mapEmpty();
  }

  private synchronized void closeDirect() throws java.sql.SQLException {
    if (direct != null) {
      direct.close();
      direct = null;
    }
  }

  /**
   * Only the writer may create the file: a reader connection opened after the file was deleted
   * must fail rather than start an empty database.
   */
  private static SQLiteDataSource dataSource(Path file, boolean mayCreate, long busyTimeoutMs) {
    SQLiteConfig config = new SQLiteConfig();
    if (!mayCreate) {
      config.resetOpenMode(SQLiteOpenMode.CREATE);
    }
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout((int) busyTimeoutMs);
    config.enforceForeignKeys(true);
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + file);
    return dataSource;
  }

  /** The bare statements here run before the first transaction, while autocommit still holds. */
  private Future<Void> migrate(List<Migration> migrations) {
    return writer.query("SELECT count(*) FROM sqlite_master").execute()
        .compose(rows -> rows.iterator().next().getLong(0) == 0
            ? enableIncrementalVacuum()
            : Future.succeededFuture())
        .compose(v -> writer.query("CREATE TABLE IF NOT EXISTS schema_version ("
            + "version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, "
            + "applied_at INTEGER NOT NULL)").execute())
        .compose(v -> writer.query("SELECT version FROM schema_version").execute())
        .compose(rows -> {
          Set<Integer> applied = new HashSet<>();
          for (Row row : rows) {
            applied.add(row.getInteger(0));
          }
          Future<Void> chain = Future.succeededFuture();
          for (Migration migration : migrations) {
            if (!applied.contains(migration.version())) {
              chain = chain.compose(v -> apply(migration));
            }
          }
          return chain;
        });
  }

  /** auto_vacuum can only change before the first table exists, so only on a new file. */
  private Future<Void> enableIncrementalVacuum() {
    return writer.query("PRAGMA auto_vacuum = INCREMENTAL").execute()
        .compose(v -> writer.query("VACUUM").execute())
        .mapEmpty();
  }

  private Future<Void> apply(Migration migration) {
    return write(conn -> runAll(conn, migration.statements())
        .compose(v -> conn.preparedQuery(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)")
            .execute(Tuple.of(migration.version(), migration.name(), System.currentTimeMillis())))
        .mapEmpty())
        .onSuccess(v -> LOG.info("applied migration {} to {}", migration.name(), file))
        .mapEmpty();
  }

  private static Future<Void> runAll(SqlConnection conn, List<String> statements) {
    Future<Void> chain = Future.succeededFuture();
    for (String statement : statements) {
      chain = chain.compose(v -> conn.query(statement).execute().mapEmpty());
    }
    return chain;
  }
}
