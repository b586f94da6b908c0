package dev.scriptd.it;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Retention: cleanup by age and per script, what it never deletes, freed bytes, status, log files, on PostgreSQL (database.url)")
class RetentionPostgresTest extends RetentionTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }

  @Override
  void shiftTimes(String runId, long shift) {
    org.junit.jupiter.api.Assertions.assertEquals(runId, database.psql("UPDATE runs SET created_at = created_at - "
        + shift + ", started_at = started_at - " + shift + ", ended_at = ended_at - " + shift
        + " WHERE id = '" + runId + "' RETURNING id"));
  }

  @Override
  void insertOldRuns(int count, long old) {
    database.psql("INSERT INTO runs (id, status, created_at, started_at, ended_at) SELECT md5(random()::text || i),"
        + " 'completed', " + old + " + i, " + old + " + i, " + old + " + i + 1 FROM generate_series(0, " + (count - 1)
        + ") i");
  }

  /**
   * Not a test here: it measures the SQLite file shrinking; PostgreSQL keeps the space of deleted
   * rows for reuse (autovacuum), so a pass frees no bytes of the database.
   */
  @Override
  void freedBytes() {
  }
}
