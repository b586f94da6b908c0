package dev.scriptd.it;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Search: stored lines of every run, case-insensitive, escapes ignored, paged once each, on PostgreSQL (database.url)")
class SearchApiPostgresTest extends SearchApiTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }
}
