package dev.scriptd.it;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Chains: a run's then starts the next scripts' runs, on PostgreSQL (database.url)")
class ChainsPostgresTest extends ChainsTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }
}
