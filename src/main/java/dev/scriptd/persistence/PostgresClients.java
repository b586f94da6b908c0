package dev.scriptd.persistence;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.PreparedStatement;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.spi.DatabaseMetadata;

/**
 * A PostgreSQL pool and its connections as the stores see them: every statement text passes
 * through {@link SqlText} on its way in (cached per text), so the stores keep JDBC {@code ?} placeholders for
 * both databases.
 */
final class PostgresClients {
  private PostgresClients() {
  }

  /** How many distinct statement texts keep their rewritten form. */
  private static final int CACHED_TEXTS = 2048;

  static Pool pool(Pool pool) {
    return new RewritingPool(pool, new SqlText(CACHED_TEXTS));
  }

  static SqlClient client(SqlClient client) {
    return new RewritingClient(client, new SqlText(CACHED_TEXTS));
  }

  private static final class RewritingClient implements SqlClient {
    private final SqlClient client;
    private final SqlText texts;

    RewritingClient(SqlClient client, SqlText texts) {
      this.client = client;
      this.texts = texts;
    }

    @Override
    public Query<RowSet<Row>> query(String sql) {
      return client.query(sql);
    }

    @Override
    public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
      return client.preparedQuery(texts.postgres(sql));
    }

    @Override
    public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
      return client.preparedQuery(texts.postgres(sql), options);
    }

    @Override
    public Future<Void> close() {
      return client.close();
    }
  }

  private static final class RewritingPool implements Pool {
    private final Pool pool;
    private final SqlText texts;

    RewritingPool(Pool pool, SqlText texts) {
      this.pool = pool;
      this.texts = texts;
    }

    @Override
    public Future<SqlConnection> getConnection() {
      return pool.getConnection().map(conn -> new RewritingConnection(conn, texts));
    }

    @Override
    public Query<RowSet<Row>> query(String sql) {
      return pool.query(sql);
    }

    @Override
    public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
      return pool.preparedQuery(texts.postgres(sql));
    }

    @Override
    public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
      return pool.preparedQuery(texts.postgres(sql), options);
    }

    @Override
    public int size() {
      return pool.size();
    }

    @Override
    public Future<Void> close() {
      return pool.close();
    }
  }

  private static final class RewritingConnection implements SqlConnection {
    private final SqlConnection conn;
    private final SqlText texts;

    RewritingConnection(SqlConnection conn, SqlText texts) {
      this.conn = conn;
      this.texts = texts;
    }

    @Override
    public Future<PreparedStatement> prepare(String sql) {
      return conn.prepare(texts.postgres(sql));
    }

    @Override
    public Future<PreparedStatement> prepare(String sql, PrepareOptions options) {
      return conn.prepare(texts.postgres(sql), options);
    }

    @Override
    public SqlConnection exceptionHandler(Handler<Throwable> handler) {
      conn.exceptionHandler(handler);
      return this;
    }

    @Override
    public SqlConnection closeHandler(Handler<Void> handler) {
      conn.closeHandler(handler);
      return this;
    }

    @Override
    public Future<Transaction> begin() {
      return conn.begin();
    }

    @Override
    public Transaction transaction() {
      return conn.transaction();
    }

    @Override
    public boolean isSSL() {
      return conn.isSSL();
    }

    @Override
    public DatabaseMetadata databaseMetadata() {
      return conn.databaseMetadata();
    }

    @Override
    public Query<RowSet<Row>> query(String sql) {
      return conn.query(sql);
    }

    @Override
    public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
      return conn.preparedQuery(texts.postgres(sql));
    }

    @Override
    public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
      return conn.preparedQuery(texts.postgres(sql), options);
    }

    @Override
    public Future<Void> close() {
      return conn.close();
    }
  }
}
