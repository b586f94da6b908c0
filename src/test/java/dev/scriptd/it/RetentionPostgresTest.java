package dev.scriptd.it;

import io.vertx.core.json.JsonObject;

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

  /** Not measured on PostgreSQL: its files are the database server's. */
  @Override
  long storedBytes() {
    return 0;
  }

  /**
   * PostgreSQL keeps the space of deleted rows for reuse (autovacuum) rather than shrinking, so the
   * freed bytes are the change of the database's size, usually 0; the deleted log's chunks are gone.
   */
  @Override
  void assertSpaceReturned(String deletedRun, JsonObject stats, long before) {
    org.junit.jupiter.api.Assertions.assertTrue(stats.getLong("freed_bytes") >= 0, stats.encode());
    org.junit.jupiter.api.Assertions.assertEquals("0",
        database.psql("SELECT count(*) FROM log_chunks WHERE run_id = '" + deletedRun + "'"));
  }
}
