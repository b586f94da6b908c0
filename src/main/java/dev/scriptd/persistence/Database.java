package dev.scriptd.persistence;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteOpenMode;

/**
 * The SQLite file: a writer pool of one connection (SQLite has a single writer), a reader pool,
 * and the versioned migrations of {@code db/migration} (listed in {@code db/migration/INDEX}).
 */
final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private static final String MIGRATIONS = "db/migration/";
  private static final Pattern MIGRATION_NAME = Pattern.compile("V(\\d{3})__[A-Za-z0-9_]+\\.sql");
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

  private Database(Vertx vertx, Path file, Pool writer, Pool reader, long busyTimeoutMs) {
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

  /** Whether the disk was found full: every write fails at once meanwhile (507). */
  boolean diskFull() {
    return disk.full();
  }

  /** The 507 of a write while the disk is full. */
  BusFailure diskFullRefusal() {
    return disk.refusal();
  }

  /** Called (on the context that opened the database) when the disk has room again after being full. */
  void onRoomAgain(Runnable listener) {
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

  /** Whether {@code error} (or a cause) is SQLite's "database is locked": another connection held the write lock. */
  static boolean isLocked(Throwable error) {
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
      if (!isLocked(e)) {
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
  <T> Future<T> write(Function<SqlConnection, Future<T>> work) {
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
  <T> Future<T> rolledBack(Function<SqlConnection, Future<T>> work) {
    return writer.withConnection(conn -> conn.begin().compose(tx -> work.apply(conn)
        .transform(done -> tx.rollback().transform(ignored -> done.succeeded()
            ? Future.succeededFuture(done.result()) : Future.<T>failedFuture(done.cause())))));
  }

  Pool reader() {
    return reader;
  }

  /** A statement and the parameter rows it runs with, one execution a row. */
  record Batch(String sql, List<Tuple> rows) {
  }

  /**
   * Runs batches in one transaction, in a single blocking task: a transaction through the pool
   * costs a worker hand-off for its begin, for each statement and for its commit, which bounds
   * how often the hot path of run rows can commit. The work goes over a second plain JDBC
   * connection while the writer connection is held, so no other write runs meanwhile (the held
   * connection has written nothing and takes no lock, as in {@link #incrementalVacuum}).
   */
  Future<Void> writeBatches(Vertx vertx, List<Batch> batches) {
    if (disk.full()) {
      return Future.failedFuture(disk.refusal());
    }
    Pool pool = writer;
    return pool.getConnection().compose(held -> vertx.<Void>executeBlocking(() -> {
      runBatches(batches);
      return null;
    }, false).eventually(() -> held.close()))
        .recover(error -> Future.failedFuture(writeFailed(error, null)));
  }

  private synchronized void runBatches(List<Batch> batches) throws java.sql.SQLException {
    if (direct == null) {
      direct = dataSource(file, false, busyTimeoutMs).getConnection();
    }
    execute("BEGIN IMMEDIATE");
    try {
      for (Batch batch : batches) {
        try (java.sql.PreparedStatement statement = direct.prepareStatement(batch.sql())) {
          for (Tuple row : batch.rows()) {
            for (int i = 0; i < row.size(); i++) {
              statement.setObject(i + 1, row.getValue(i));
            }
            statement.addBatch();
          }
          statement.executeBatch();
        }
      }
      execute("COMMIT");
      lastCommitNanos = System.nanoTime();
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
  Future<Void> incrementalVacuum(Vertx vertx) {
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
  static Future<Database> open(Vertx vertx, ScriptdConfig.Storage storage) {
    Path file = storage.dbFile().toAbsolutePath();
    return vertx.executeBlocking(() -> {
      Path parent = file.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return loadMigrations();
    }).compose(migrations -> {
      long busyTimeoutMs = storage.busyTimeoutMs();
      Pool writer = writerPool(vertx, file, busyTimeoutMs, 0);
      Pool reader = JDBCPool.pool(vertx, dataSource(file, false, busyTimeoutMs), new PoolOptions()
          .setMaxSize(storage.readPoolSize()).setName("scriptd-db-reader-" + file));
      Database database = new Database(vertx, file, writer, reader, busyTimeoutMs);
      return database.migrate(migrations)
          .map(database)
          .recover(err -> database.close().transform(ignored -> Future.failedFuture(err)));
    });
  }

  Future<Void> close() {
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

  record Migration(int version, String name, List<String> statements) {
  }

  /**
   * Reads every migration the INDEX lists, in version order. Gaps are allowed (parallel branches
   * take numbers independently and their INDEX lines merge); each version is applied once.
   */
  static List<Migration> loadMigrations() throws IOException {
    List<String> names = readResource(MIGRATIONS + "INDEX").lines()
        .map(String::trim).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    List<Migration> found = new ArrayList<>();
    for (String name : names) {
      Matcher matcher = MIGRATION_NAME.matcher(name);
      if (!matcher.matches()) {
        throw new IOException("migration name '" + name + "' is not V<nnn>__<words>.sql");
      }
      found.add(new Migration(Integer.parseInt(matcher.group(1)), name,
          statements(readResource(MIGRATIONS + name))));
    }
    return ordered(found);
  }

  /** In version order; the same version listed twice is an error. */
  static List<Migration> ordered(List<Migration> found) throws IOException {
    List<Migration> sorted = new ArrayList<>(found);
    sorted.sort((a, b) -> Integer.compare(a.version(), b.version()));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).version() == sorted.get(i - 1).version()) {
        throw new IOException("migrations " + sorted.get(i - 1).name() + " and " + sorted.get(i).name()
            + " have the same version");
      }
    }
    return sorted;
  }

  private static String readResource(String name) throws IOException {
    try (InputStream in = Database.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("resource " + name + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Splits a script at semicolons that end a line; comment lines are dropped. */
  static List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        statements.add(current.toString().trim());
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      statements.add(current.toString().trim());
    }
    return statements;
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
