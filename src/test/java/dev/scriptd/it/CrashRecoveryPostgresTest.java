package dev.scriptd.it;

import java.util.List;
import org.junit.jupiter.api.DisplayName;

@DisplayName("A server JVM killed with SIGKILL leaves no process behind and marks its runs lost, on PostgreSQL (--database-url)")
class CrashRecoveryPostgresTest extends CrashRecoveryTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  List<String> storageFlags() {
    return List.of("--database-url=" + database.url());
  }
}
