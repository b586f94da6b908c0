package dev.scriptd.it;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Endpoints: METHOD /hooks/{path} served by js and shell scripts, changed at runtime, on PostgreSQL (database.url)")
class HooksPostgresTest extends HooksTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }
}
