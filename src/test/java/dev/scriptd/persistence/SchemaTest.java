package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.domain.Run;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaTest extends PersistenceTestBase {

  @Test
  void newFileGetsMigrationsWalAndIncrementalVacuum() throws Exception {
    List<Database.Migration> all = Database.loadMigrations();
    assertEquals(all.get(all.size() - 1).version(), queryLong("SELECT max(version) FROM schema_version"));
    assertEquals(all.size(), queryLong("SELECT count(*) FROM schema_version"));
    assertEquals(2, queryLong("PRAGMA auto_vacuum"), "2 = incremental");
    assertEquals("wal", queryString("PRAGMA journal_mode"));
    assertEquals(1, queryLong("SELECT count(*) FROM sqlite_master WHERE name = 'log_chunks'"
        + " AND sql LIKE '%WITHOUT ROWID%'"));
  }

  @Test
  void restartAppliesNothingTwiceAndKeepsData() throws Exception {
    Run run = save(pendingRun(null, T0));

    redeploy(new JsonObject());

    assertEquals(Database.loadMigrations().size(), queryLong("SELECT count(*) FROM schema_version"));
    assertEquals(run, get(run.id()));
  }

  /** Guards the workaround for vertx-jdbc-client#356: a save after a transaction is committed. */
  @Test
  void writesAreCommittedForOtherConnections() throws Exception {
    Run first = save(pendingRun(null, T0));
    Run second = save(pendingRun(null, T0 + 1));

    assertEquals(2, queryLong("SELECT count(*) FROM runs"));
    assertEquals(first.id(), queryString("SELECT id FROM runs ORDER BY created_at LIMIT 1"));
    assertEquals(second.id(), queryString("SELECT id FROM runs ORDER BY created_at DESC LIMIT 1"));
  }

  @Test
  void migrationsFollowTheIndexInVersionOrderGapsAllowed() throws Exception {
    Database.Migration v1 = new Database.Migration(1, "V001__a.sql", List.of());
    Database.Migration v2 = new Database.Migration(2, "V002__b.sql", List.of());
    Database.Migration v4 = new Database.Migration(4, "V004__d.sql", List.of());
    Database.Migration v4b = new Database.Migration(4, "V004__e.sql", List.of());

    assertEquals(List.of(v1, v2, v4), Database.ordered(List.of(v4, v2, v1)));
    assertEquals(List.of(v2), Database.ordered(List.of(v2)));
    assertThrows(java.io.IOException.class, () -> Database.ordered(List.of(v4, v4b)));
    assertEquals("V001__init.sql", Database.loadMigrations().get(0).name());
    assertTrue(Database.loadMigrations().stream().anyMatch(m -> m.name().equals("V004__schedules.sql")));
  }

  @Test
  void statementsSplitAtLineEndSemicolons() {
    assertEquals(List.of("CREATE TABLE a (x TEXT DEFAULT 'a;b');", "CREATE INDEX i ON a (x);"),
        Database.statements("-- comment;\nCREATE TABLE a (x TEXT DEFAULT 'a;b');\n\n"
            + "CREATE INDEX i ON a (x);\n"));
  }
}
