package dev.scriptd.it;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Notifications: signed webhook deliveries from a durable outbox, on PostgreSQL (database.url)")
class NotificationsPostgresTest extends NotificationsTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }
}
