package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Backup on PostgreSQL (database.url): a pg_dump-style script that psql restores")
class BackupPostgresTest extends BackupTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }

  @Override
  String contentType() {
    return "application/sql";
  }

  @Override
  String extension() {
    return "sql";
  }

  /** The documented restore: psql runs the script in an empty database, which holds exactly the runs. */
  @Override
  String restore(byte[] backup, Set<String> runIds) throws Exception {
    Path script = restoredDir.resolve("backup.sql");
    Files.write(script, backup);
    PostgresServer postgres = PostgresServer.shared();
    String restored = postgres.newDatabase();
    postgres.psql(restored, "-f", script.toString());
    Set<String> found = new TreeSet<>(postgres.psql(restored, "-A", "-t", "-c", "SELECT id FROM runs").lines()
        .filter(line -> !line.isBlank()).toList());
    assertEquals(new TreeSet<>(runIds), found);
    return "postgresql://postgres@127.0.0.1:" + postgres.port() + "/" + restored;
  }
}
