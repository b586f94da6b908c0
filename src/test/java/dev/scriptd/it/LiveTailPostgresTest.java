package dev.scriptd.it;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Live tails over SSE and WebSocket, on PostgreSQL (database.url)")
class LiveTailPostgresTest extends LiveTailTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }
}
