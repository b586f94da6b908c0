package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.it.PostgresServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("PostgresDatabase: migrations, one writer at a time, batches with blobs")
class PostgresDatabaseTest {
  @TempDir
  Path dataDir;
  private Vertx vertx;
  private PostgresDatabase db;

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    ScriptdConfig.Storage storage = ScriptdConfig.fromJson(new JsonObject().put("data_dir", dataDir.toString())
        .put("database", new JsonObject().put("url", PostgresServer.shared().newDatabaseUrl()))).storage();
    db = PostgresDatabase.open(vertx, storage).await(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    db.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a failure without PostgreSQL's answer, or one whose SQLSTATE says it cannot serve now, is transient;"
      + " a refused statement, a full disk and a refusal of scriptd's own are not")
  void transientFailures() {
    assertTrue(db.isTransient(new java.net.ConnectException("Connection refused")));
    assertTrue(db.isTransient(new RuntimeException("closed", new io.vertx.core.VertxException("Connection closed"))));
    for (String state : new String[] {"08006", "40P01", "53300", "55000", "57P01", "58030"}) {
      assertTrue(db.isTransient(new PgException("x", "FATAL", state, null)), state);
    }
    for (String state : new String[] {"23505", "22P02", "42P01", "53100"}) {
      assertFalse(db.isTransient(new PgException("x", "ERROR", state, null)), state);
    }
    assertFalse(db.isTransient(new dev.scriptd.bus.BusFailure(dev.scriptd.bus.ReplyCodes.CONFLICT, "a refusal")));
  }

  @Test
  @DisplayName("every PostgreSQL migration is applied once and recorded in schema_version")
  void migrationsAreRecorded() throws Exception {
    List<Database.Migration> all = Database.loadMigrations(PostgresDatabase.MIGRATIONS);
    long recorded = db.reader().query("SELECT count(*) FROM schema_version").execute()
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
    assertEquals(all.size(), recorded);
  }

  @Test
  @DisplayName("a write's statements wait while another write holds the write lock, and run once it commits;"
      + " reads do not wait")
  void writesRunOneAtATime() throws Exception {
    Promise<Void> release = Promise.promise();
    Promise<Void> firstHolds = Promise.promise();
    Future<Void> first = db.write(conn -> {
      firstHolds.complete();
      return release.future();
    });
    firstHolds.future().await(10, TimeUnit.SECONDS);
    AtomicBoolean secondRan = new AtomicBoolean();
    // its statement is sent at once (pipelined behind the lock), but runs only once the lock is its
    Future<Void> second = db.write(conn -> conn.query("SELECT 1").execute().map(rows -> {
      secondRan.set(true);
      return null;
    }));
    // the second transaction is seen waiting for the advisory lock the first holds
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (waitingForTheLock() == 0) {
      assertTrue(System.nanoTime() < end, "the second write never waited for the lock");
      LockSupport.parkNanos(20_000_000L);
    }
    assertFalse(secondRan.get(), "the second write ran while the first held the lock");
    assertEquals(1L, db.reader().query("SELECT 1").execute().await(10, TimeUnit.SECONDS).iterator().next()
        .getLong(0), "a read does not wait");
    vertx.runOnContext(v -> release.complete());
    first.await(10, TimeUnit.SECONDS);
    second.await(10, TimeUnit.SECONDS);
    assertTrue(secondRan.get());
  }

  @Test
  @DisplayName("lookups are pipelined on a connection of the caller's event loop: a burst of 50 from a loop's first"
      + " lookup on shares one connection, another loop has its own, and they answer while every connection of the"
      + " pool is taken")
  void lookupsArePipelinedOnTheCallersLoop() throws Exception {
    List<io.vertx.sqlclient.SqlConnection> taken = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      taken.add(db.reader().getConnection().await(10, TimeUnit.SECONDS));
    }
    io.vertx.core.Context one = newLoop();
    io.vertx.core.Context other = newLoop();
    Set<Integer> oneBackends = burst(one);
    Set<Integer> otherBackends = burst(other);
    assertEquals(1, oneBackends.size(), "backends of one loop: " + oneBackends);
    assertEquals(1, otherBackends.size(), "backends of the other loop: " + otherBackends);
    assertFalse(oneBackends.equals(otherBackends), "two loops share a connection: " + oneBackends);
    for (io.vertx.sqlclient.SqlConnection conn : taken) {
      conn.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** The context of a new verticle: each deployment is on the next event loop. */
  private io.vertx.core.Context newLoop() throws Exception {
    Promise<io.vertx.core.Context> deployed = Promise.promise();
    vertx.deployVerticle(new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> start() {
        deployed.complete(context);
        return Future.succeededFuture();
      }
    }).await(10, TimeUnit.SECONDS);
    return deployed.future().await(10, TimeUnit.SECONDS);
  }

  /** The backends that answered 50 lookups sent at once on {@code context}, its first ones. */
  private Set<Integer> burst(io.vertx.core.Context context) throws Exception {
    Promise<Set<Integer>> backends = Promise.promise();
    context.runOnContext(v -> {
      List<Future<Integer>> pids = new java.util.ArrayList<>();
      for (int i = 0; i < 50; i++) {
        // ? rewritten as on the pool
        pids.add(db.lookups().preparedQuery("SELECT pg_backend_pid() + ? * 0").execute(Tuple.of(i))
            .map(rows -> rows.iterator().next().getInteger(0)));
      }
      Future.all(pids).map(all -> pids.stream().map(Future::result).collect(java.util.stream.Collectors.toSet()))
          .onComplete(backends);
    });
    return backends.future().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("batches run in one transaction with JDBC-style ? placeholders and byte[] blobs")
  void batchesWithBlobs() throws Exception {
    byte[] blob = {0, 1, 2, (byte) 255};
    db.writeBatches(vertx, List.of(new Database.Batch("INSERT INTO log_chunks (run_id, first_seq, last_seq, "
        + "line_count, byte_count, data) VALUES (?, ?, ?, ?, ?, ?)", List.of(Tuple.of("r", 1L, 2L, 2L, 4L, blob),
        Tuple.of("r", 3L, 3L, 1L, 4L, blob))), new Database.Batch("UPDATE runs SET log_lines = 1 WHERE id = ?",
        List.of()))).await(10, TimeUnit.SECONDS);
    Buffer stored = db.reader().preparedQuery("SELECT data FROM log_chunks WHERE run_id = ? AND first_seq = ?")
        .execute(Tuple.of("r", 3L)).await(10, TimeUnit.SECONDS).iterator().next().getBuffer(0);
    assertEquals(Buffer.buffer(blob), stored);
  }

  @Test
  @DisplayName("a failing batch rolls back the batches sent with it")
  void aFailingBatchRollsBackTheOthers() throws Exception {
    Future<Void> written = db.writeBatches(vertx, List.of(
        new Database.Batch("INSERT INTO tokens (id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?)",
            List.of(Tuple.of("t1", "one", "admin", "h1", 1L))),
        new Database.Batch("INSERT INTO tokens (id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?)",
            List.of(Tuple.of("t1", "again", "admin", "h2", 2L)))));
    assertTrue(written.transform(done -> Future.succeededFuture(done.failed())).await(10, TimeUnit.SECONDS),
        "the duplicate id should fail the write");
    assertEquals(0L, db.reader().query("SELECT count(*) FROM tokens").execute().await(10, TimeUnit.SECONDS)
        .iterator().next().getLong(0));
  }

  private long waitingForTheLock() throws Exception {
    return db.reader().query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").execute()
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }
}
