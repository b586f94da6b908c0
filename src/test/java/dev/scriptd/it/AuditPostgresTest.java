package dev.scriptd.it;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Who did what: created_by on runs and the audit log, on a real server, on PostgreSQL (database.url)")
class AuditPostgresTest extends AuditTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }

  @Override
  String storedAuditTable() {
    return database.psql("SELECT * FROM audit");
  }

  @Override
  void sql(String statement) {
    database.psql(statement);
  }
}
