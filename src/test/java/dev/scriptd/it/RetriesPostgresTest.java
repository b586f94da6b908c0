package dev.scriptd.it;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Retries: pending runs with not_before, started when due, durable, killable, on PostgreSQL (database.url)")
class RetriesPostgresTest extends RetriesTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }
}
