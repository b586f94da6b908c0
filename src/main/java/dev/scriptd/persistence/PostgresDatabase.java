package dev.scriptd.persistence;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.config.DatabaseUrl;
import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL ({@code database.url}): one vertx-pg-client pool (database.pool_size connections,
 * each pipelining its statements) for reads and writes, and the migrations of
 * {@code db/migration/postgresql}.
 *
 * <p>Every write transaction first takes one transaction-level advisory lock, so scriptd's writes
 * run one at a time, as on SQLite's single writer: the stores' rules that read, then write (the
 * last admin token, a script's version in an apply, a free route) hold as they do there, where
 * PostgreSQL's READ COMMITTED alone would let two such transactions interleave. Reads never wait.
 *
 * <p>Of SQLite's checks, the disk one becomes PostgreSQL's own "disk full" error (SQLSTATE 53100,
 * answered 507 like a full local disk, without the wait for room: the disk is the database
 * server's and this server cannot measure it), and the lock one has no equivalent: PostgreSQL
 * locks rows, not the database, so another process cannot hold every write back.
 */
final class PostgresDatabase implements Database {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresDatabase.class);
  static final String MIGRATIONS = "db/migration/postgresql/";
  /** PostgreSQL's SQLSTATE for a full disk. */
  private static final String DISK_FULL = "53100";
  /** Serialises migrations of servers starting at once on the same database. */
  private static final long MIGRATION_LOCK = 0x5c21_9dL;
  /** Taken by every write transaction (see the class comment); released by its commit or rollback. */
  static final String WRITE_LOCK = "SELECT pg_advisory_xact_lock(" + 0x5c21_9eL + ")";
  private static final int CONNECT_TIMEOUT_MS = 5000;
  private static final long HEALTH_TIMEOUT_MS = 4000;

  private final Vertx vertx;
  private final DatabaseUrl url;
  private final Pool pool;
  private final PgConnectOptions connect;
  /** At most this many lookup clients (database.pool_size): loops beyond it look up through the pool. */
  private final int maxLookupClients;
  /** One pipelined client of one connection for each event loop thread that looks up (see {@link #lookups}). */
  private final Map<Thread, SqlClient> lookupClients = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private PostgresDatabase(Vertx vertx, DatabaseUrl url, Pool pool, PgConnectOptions connect, int maxLookupClients) {
    this.vertx = vertx;
    this.url = url;
    this.pool = pool;
    this.connect = connect;
    this.maxLookupClients = maxLookupClients;
  }

  /** Opens the pool and applies missing migrations; fails when PostgreSQL does not answer. */
  static Future<PostgresDatabase> open(Vertx vertx, ScriptdConfig.Storage storage) {
    DatabaseUrl url = storage.databaseUrl();
    PgConnectOptions connect = new PgConnectOptions()
        .setHost(url.host())
        .setPort(url.port())
        .setDatabase(url.database())
        .setUser(url.user())
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(512);
    if (url.password() != null) {
      connect.setPassword(url.password());
    }
    String sslMode = url.params().get("sslmode");
    if (sslMode != null) {
      connect.setSslMode(SslMode.of(sslMode));
    }
    Pool raw = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(storage.databasePoolSize()).setName("scriptd-db-" + url.redacted()))
        .with(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS))
        .connectingTo(connect)
        .using(vertx)
        .build();
    PostgresDatabase database = new PostgresDatabase(vertx, url, PostgresClients.pool(raw), connect,
        storage.databasePoolSize());
    return vertx.executeBlocking(() -> Database.loadMigrations(MIGRATIONS), false)
        .compose(database::migrate)
        .map(database)
        .recover(err -> database.close().transform(ignored -> Future.failedFuture(
            new IllegalStateException("cannot open the database " + url.redacted() + ": " + err.getMessage(), err))));
  }

  @Override
  public String describe() {
    return url.redacted();
  }

  @Override
  public SqlDialect dialect() {
    return SqlDialect.POSTGRES;
  }

  /** The database server's disk is not this server's to measure: a full one fails each write (507). */
  @Override
  public boolean diskFull() {
    return false;
  }

  @Override
  public BusFailure diskFullRefusal() {
    return new BusFailure(DiskSpace.INSUFFICIENT_STORAGE, "the disk of the PostgreSQL server " + url.redacted()
        + " is full: nothing was changed; retry once it has room");
  }

  /** Never called: writes fail one by one while PostgreSQL's disk is full (see {@link #diskFull}). */
  @Override
  public void onRoomAgain(Runnable listener) {
  }

  @Override
  public <T> Future<T> write(Function<SqlConnection, Future<T>> work) {
    return pool.withTransaction(conn -> locked(conn, work)).recover(error -> Future.failedFuture(writeFailed(error)));
  }

  /**
   * The lock and the work's statements are pipelined: the connection sends them without waiting, and
   * PostgreSQL runs the work's only once the lock is granted, so taking it costs no round trip.
   */
  private static <T> Future<T> locked(SqlConnection conn, Function<SqlConnection, Future<T>> work) {
    Future<?> lock = conn.query(WRITE_LOCK).execute();
    return work.apply(conn).compose(done -> lock.map(done));
  }

  private Throwable writeFailed(Throwable error) {
    if (error instanceof PgException pg && DISK_FULL.equals(pg.getSqlState())) {
      return diskFullRefusal();
    }
    return error;
  }

  @Override
  public <T> Future<T> rolledBack(Function<SqlConnection, Future<T>> work) {
    return pool.withConnection(conn -> conn.begin().compose(tx -> locked(conn, work)
        .transform(done -> tx.rollback().transform(ignored -> done.succeeded()
            ? Future.succeededFuture(done.result()) : Future.<T>failedFuture(done.cause())))));
  }

  @Override
  public Pool reader() {
    return pool;
  }

  /**
   * The calling event loop's own pipelined client of one connection, opened on that loop at its
   * first lookup: a lookup is sent at once even while others are in flight there, never waits for
   * a pooled connection and never crosses to another loop and back (the pool lends a connection to
   * one statement at a time, and the one that frees up may belong to another loop). One client per
   * loop, not one shared client: a shared one opens connections for a burst on whichever loop asks
   * first and leaves the other loops to borrow them across. Off an event loop, or once
   * database.pool_size loops have one, the pool answers.
   */
  @Override
  public SqlClient lookups() {
    Context context = Vertx.currentContext();
    if (context == null || !context.isEventLoopContext() || closed) {
      return pool;
    }
    Thread loop = Thread.currentThread();
    SqlClient client = lookupClients.get(loop);
    if (client != null) {
      return client;
    }
    synchronized (lookupClients) {
      client = lookupClients.get(loop);
      if (client == null && !closed && lookupClients.size() < maxLookupClients) {
        client = PostgresClients.client(PgBuilder.client()
            .with(new PoolOptions().setMaxSize(1).setName("scriptd-db-lookups-" + lookupClients.size() + "-"
                + url.redacted()))
            .with(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS))
            .connectingTo(connect)
            .using(vertx)
            .build());
        lookupClients.put(loop, client);
      }
    }
    return client != null ? client : pool;
  }

  /**
   * Every batch is one executeBatch, and all of them are sent at once (pipelined; the connection
   * runs them in order), in one transaction: a failure rolls back every batch.
   */
  @Override
  public Future<int[]> writeCounted(Vertx vertx, List<Batch> batches) {
    return write(conn -> {
      List<Future<RowSet<Row>>> sent = new ArrayList<>(batches.size());
      for (Batch batch : batches) {
        if (!batch.rows().isEmpty()) {
          List<Tuple> rows = batch.rows().stream().map(PostgresDatabase::pgValues).toList();
          sent.add(conn.preparedQuery(batch.sql()).executeBatch(rows));
        }
      }
      return Future.all(sent).map(all -> {
        if (batches.isEmpty() || batches.get(0).rows().isEmpty()) {
          return new int[0];
        }
        // executeBatch answers one row set a parameter row, chained by next()
        int[] counts = new int[batches.get(0).rows().size()];
        RowSet<Row> result = sent.get(0).result();
        for (int i = 0; i < counts.length && result != null; i++, result = result.next()) {
          counts[i] = result.rowCount();
        }
        return counts;
      });
    });
  }

  /** The stores bind blobs as byte[] (what JDBC takes); PostgreSQL's client takes a Buffer for BYTEA. */
  private static Tuple pgValues(Tuple row) {
    boolean blobs = false;
    for (int i = 0; i < row.size() && !blobs; i++) {
      blobs = row.getValue(i) instanceof byte[];
    }
    if (!blobs) {
      return row;
    }
    Tuple converted = Tuple.tuple();
    for (int i = 0; i < row.size(); i++) {
      Object value = row.getValue(i);
      converted.addValue(value instanceof byte[] bytes ? Buffer.buffer(bytes) : value);
    }
    return converted;
  }

  /** PostgreSQL's autovacuum reuses the space of deleted rows; nothing to do here. */
  @Override
  public Future<Void> reclaimSpace(Vertx vertx) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Long> sizeBytes() {
    return pool.query("SELECT pg_database_size(current_database())").execute()
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** PostgreSQL locks rows, not the database: no other process can hold every write back. */
  @Override
  public boolean isLocked(Throwable error) {
    return false;
  }

  /**
   * A failure without a PostgreSQL answer (refused or lost connection, pool wait, time-out), or one
   * whose SQLSTATE class says the server cannot serve now: 08 connection, 40 rollback (deadlock,
   * serialization), 53 resources, 55 state (a database not accepting connections), 57 operator
   * intervention (shutdown), 58 system error. A refused statement (22 data, 23 constraint, 42
   * syntax) would fail the same way again, so it is not transient.
   */
  @Override
  public boolean isTransient(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause()) {
      if (e instanceof PgException pg) {
        String state = pg.getSqlState();
        if (state == null || state.length() < 2) {
          return false;
        }
        return switch (state.substring(0, 2)) {
          case "08", "40", "53", "55", "57", "58" -> !DISK_FULL.equals(state);
          default -> false;
        };
      }
      if (e instanceof BusFailure) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String lockedMessage() {
    return "the database " + url.redacted() + " is locked";
  }

  /** A query, bounded in time; the error names the database without its password. */
  @Override
  public Future<JsonObject> health(Vertx vertx) {
    return pool.query("SELECT 1").execute()
        .timeout(HEALTH_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .recover(err -> Future.failedFuture(new BusFailure(ReplyCodes.UNAVAILABLE,
            "database " + url.redacted() + " does not answer: " + withoutPassword(err.getMessage()))))
        .map(ok -> new JsonObject().put("database", "UP").put("lock", new JsonObject().put("status", "UP")));
  }

  /** An error text never carries the password, even if a driver put the URL or the password in it. */
  String withoutPassword(String message) {
    String text = String.valueOf(message);
    String password = url.password();
    return password == null || password.isEmpty() ? text : text.replace(password, "****");
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    synchronized (lookupClients) {
      closed = true;
      lookupClients.values().forEach(client -> closing.add(client.close()));
      lookupClients.clear();
    }
    closing.add(pool.close());
    return Future.join(closing).mapEmpty();
  }

  /**
   * In one transaction under an advisory lock, so two servers starting at once on the same
   * database apply each migration once; PostgreSQL's DDL is transactional, so a failed migration
   * leaves nothing behind.
   */
  private Future<Void> migrate(List<Migration> migrations) {
    return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")").execute()
        .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL PRIMARY KEY, "
            + "name TEXT NOT NULL, applied_at BIGINT NOT NULL)").execute())
        .compose(v -> conn.query("SELECT version FROM schema_version").execute())
        .compose(rows -> {
          Set<Integer> applied = new HashSet<>();
          for (Row row : rows) {
            applied.add(row.getInteger(0));
          }
          List<Migration> missing = new ArrayList<>();
          for (Migration migration : migrations) {
            if (!applied.contains(migration.version())) {
              missing.add(migration);
            }
          }
          Future<Void> chain = Future.succeededFuture();
          for (Migration migration : missing) {
            chain = chain.compose(v -> apply(conn, migration));
          }
          return chain;
        }));
  }

  private Future<Void> apply(SqlConnection conn, Migration migration) {
    Future<Void> chain = Future.succeededFuture();
    for (String statement : migration.statements()) {
      chain = chain.compose(v -> conn.query(statement).execute().mapEmpty());
    }
    return chain.compose(v -> conn.preparedQuery("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)")
            .execute(Tuple.of((long) migration.version(), migration.name(), System.currentTimeMillis())))
        .onSuccess(v -> LOG.info("applied migration {} to {}", migration.name(), url.redacted()))
        .mapEmpty();
  }
}
