package dev.scriptd.it;

/**
 * The database of one test of a PostgreSQL variant (a subclass overriding {@code databaseUrl()}):
 * created on the shared test server at first use, then the same for the test's restarts.
 */
final class PostgresTestDatabase {
  private String url;

  String url() {
    if (url == null) {
      url = PostgresServer.shared().newDatabaseUrl();
    }
    return url;
  }

  /** Runs {@code sql} in this database through psql; returns its unaligned, tuples-only output. */
  String psql(String sql) {
    String databaseUrl = url();
    return PostgresServer.shared().psql(databaseUrl.substring(databaseUrl.lastIndexOf('/') + 1), "-A", "-t",
        "-c", sql).trim();
  }
}
