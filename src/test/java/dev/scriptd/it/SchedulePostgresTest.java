package dev.scriptd.it;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Cron schedules on a real server: firing, changes, restarts, misfire, clock jumps, forbid, on PostgreSQL (database.url)")
class SchedulePostgresTest extends ScheduleTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }

  @Override
  long storedLedgerRows(String scriptId) {
    return Long.parseLong(database.psql("SELECT count(*) FROM schedule_fires WHERE script_id = '" + scriptId + "'"));
  }
}
