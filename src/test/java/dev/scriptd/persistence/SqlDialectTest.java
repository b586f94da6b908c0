package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.it.PostgresServer;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each piece of the dialect, run on a real SQLite and a real PostgreSQL: both answer the same. */
@DisplayName("SqlDialect: the texts that differ give the same answers on SQLite and PostgreSQL")
class SqlDialectTest {
  private static final SqlDialect SQLITE = SqlDialect.SQLITE;
  private static final SqlDialect PG = SqlDialect.POSTGRES;

  private Vertx vertx;
  private Pool postgres;
  private Connection sqlite;

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    PostgresServer server = PostgresServer.shared();
    postgres = PostgresClients.pool(PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
        .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(server.port())
            .setDatabase(server.newDatabase()).setUser("postgres"))
        .using(vertx).build());
    sqlite = DriverManager.getConnection("jdbc:sqlite::memory:");
    for (String ddl : new String[] {"CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT, name TEXT UNIQUE)"}) {
      sqlite.createStatement().execute(ddl);
      pg(ddl);
    }
  }

  @AfterEach
  void close() throws Exception {
    sqlite.close();
    postgres.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("greatest and least pick the larger and the smaller of two values")
  void greatestAndLeast() throws Exception {
    assertEquals(5L, sqliteLong("SELECT " + SQLITE.greatest("?", "5"), 3L));
    assertEquals(5L, pgLong("SELECT " + PG.greatest("?::bigint", "5"), 3L));
    assertEquals(3L, sqliteLong("SELECT " + SQLITE.least("?", "5"), 3L));
    assertEquals(3L, pgLong("SELECT " + PG.least("?::bigint", "5"), 3L));
  }

  @Test
  @DisplayName("jsonLong reads a top-level integer of a JSON text, NULL when the key is absent")
  void jsonLong() throws Exception {
    String json = "'{\"days\": 7, \"max_runs\": 0}'";
    assertEquals(7L, sqliteLong("SELECT " + SQLITE.jsonLong(json, "days")));
    assertEquals(7L, pgLong("SELECT " + PG.jsonLong(json, "days")));
    assertNull(sqliteLong("SELECT " + SQLITE.jsonLong(json, "keep_failed_days")));
    assertNull(pgLong("SELECT " + PG.jsonLong(json, "keep_failed_days")));
  }

  @Test
  @DisplayName("jsonArrayHasField finds an object of the array whose field is one of the two parameters")
  void jsonArrayHasField() throws Exception {
    String array = "'[{\"script\": \"a\"}, {\"script\": \"b\", \"when\": \"failed\"}]'";
    for (SqlDialect dialect : new SqlDialect[] {SQLITE, PG}) {
      String sql = "SELECT CASE WHEN " + dialect.jsonArrayHasField(array, "script") + " THEN 1 ELSE 0 END";
      assertEquals(1L, dialect == PG ? pgLong(sql, "x", "b") : sqliteLong(sql, "x", "b"));
      assertEquals(0L, dialect == PG ? pgLong(sql, "x", "y") : sqliteLong(sql, "x", "y"));
    }
  }

  @Test
  @DisplayName("insertOrIgnore skips a row whose key is taken, without an error")
  void insertOrIgnore() throws Exception {
    for (int i = 0; i < 2; i++) {
      sqliteUpdate(SQLITE.insertOrIgnore("t (id, n) VALUES (?, ?)"), "k", 1L);
      pgUpdate(PG.insertOrIgnore("t (id, n) VALUES (?, ?)"), "k", 1L);
    }
    assertEquals(1L, sqliteLong("SELECT count(*) FROM t"));
    assertEquals(1L, pgLong("SELECT count(*) FROM t"));
  }

  @Test
  @DisplayName("typed placeholders let an INSERT ... SELECT take parameters on PostgreSQL too")
  void typedPlaceholders() throws Exception {
    String sqliteInsert = "INSERT INTO t (id, n) SELECT " + SQLITE.typed("text") + ", " + SQLITE.typed("bigint")
        + " WHERE 1 = 1";
    String pgInsert = "INSERT INTO t (id, n) SELECT " + PG.typed("text") + ", " + PG.typed("bigint") + " WHERE 1 = 1";
    sqliteUpdate(sqliteInsert, "k", 42L);
    pgUpdate(pgInsert, "k", 42L);
    assertEquals(42L, sqliteLong("SELECT n FROM t WHERE id = 'k'"));
    assertEquals(42L, pgLong("SELECT n FROM t WHERE id = 'k'"));
  }

  @Test
  @DisplayName("uniqueViolation names the table and column of each database's unique-key error, and no other")
  void uniqueViolation() throws Exception {
    sqliteUpdate("INSERT INTO t (id, name) VALUES (?, ?)", "a", "same");
    pgUpdate("INSERT INTO t (id, name) VALUES (?, ?)", "a", "same");
    Throwable sqliteError = null;
    try {
      sqliteUpdate("INSERT INTO t (id, name) VALUES (?, ?)", "b", "same");
    } catch (SQLException e) {
      sqliteError = e;
    }
    Throwable pgError = postgres.preparedQuery("INSERT INTO t (id, name) VALUES (?, ?)").execute(Tuple.of("b", "same"))
        .transform(done -> io.vertx.core.Future.succeededFuture(done.cause())).await(10, TimeUnit.SECONDS);
    assertTrue(SQLITE.uniqueViolation(sqliteError, "t", "name"), String.valueOf(sqliteError));
    assertTrue(PG.uniqueViolation(pgError, "t", "name"), String.valueOf(pgError));
    assertFalse(SQLITE.uniqueViolation(sqliteError, "t", "id"));
    assertFalse(PG.uniqueViolation(pgError, "t", "id"));
    assertFalse(PG.uniqueViolation(new RuntimeException("UNIQUE t.name"), "t", "name"));
  }

  private Long sqliteLong(String sql, Object... params) throws SQLException {
    try (PreparedStatement statement = sqlite.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        long value = rows.getLong(1);
        return rows.wasNull() ? null : value;
      }
    }
  }

  private void sqliteUpdate(String sql, Object... params) throws SQLException {
    try (PreparedStatement statement = sqlite.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      statement.executeUpdate();
    }
  }

  private Long pgLong(String sql, Object... params) throws Exception {
    RowSet<Row> rows = postgres.preparedQuery(sql).execute(Tuple.from(params)).await(10, TimeUnit.SECONDS);
    return rows.iterator().next().getLong(0);
  }

  private void pgUpdate(String sql, Object... params) throws Exception {
    postgres.preparedQuery(sql).execute(Tuple.from(params)).await(10, TimeUnit.SECONDS);
  }

  private void pg(String sql) throws Exception {
    postgres.query(sql).execute().await(10, TimeUnit.SECONDS);
  }
}
