package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Runs API over real HTTP and real processes, on PostgreSQL (database.url)")
class RunsApiPostgresTest extends RunsApiTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }

  @Test
  @DisplayName("the runs and their lines live in PostgreSQL: the data dir holds no SQLite file")
  void theDataIsInPostgres() {
    String id = api.awaitEnd(api.startRun("echo stored").getString("id")).getString("id");
    assertFalse(Files.exists(dataDir.resolve("scriptd.db")), "a SQLite file was created");
    String row = database.psql("SELECT status || ' ' || log_lines FROM runs WHERE id = '" + id + "'");
    assertEquals("completed 1", row);
    JsonObject line = api.allLines(id).get(0);
    assertEquals("stored", line.getString("line"));
  }
}
