package dev.scriptd.it;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Scripts API: definitions, runs under each concurrency rule, queues, progress, on PostgreSQL (database.url)")
class ScriptsApiPostgresTest extends ScriptsApiTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }
}
