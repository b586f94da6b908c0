package dev.scriptd.it;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Parameters and outputs: schemas on save, values on every trigger, the environment, outputs, on PostgreSQL (database.url)")
class ParametersApiPostgresTest extends ParametersApiTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }
}
