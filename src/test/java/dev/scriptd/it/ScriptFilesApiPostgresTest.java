package dev.scriptd.it;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Scripts as files: GET /api/scripts/export and POST /api/scripts/apply, on PostgreSQL (database.url)")
class ScriptFilesApiPostgresTest extends ScriptFilesApiTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }
}
