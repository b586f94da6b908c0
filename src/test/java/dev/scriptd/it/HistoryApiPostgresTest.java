package dev.scriptd.it;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Run history: filters, stable cursor pages while runs arrive, statistics in SQL, on PostgreSQL (database.url)")
class HistoryApiPostgresTest extends HistoryApiTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }
}
