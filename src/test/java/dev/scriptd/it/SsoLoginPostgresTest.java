package dev.scriptd.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Single sign-on against a real OpenID provider: roles, refusals, sessions, logout, same-origin changes, on PostgreSQL (database.url)")
class SsoLoginPostgresTest extends SsoLoginTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  /** The test's own server shares one database across restarts; another server gets a database of its own. */
  @Override
  String databaseUrl(Path dir) {
    return dir.equals(dataDir) ? database.url() : new PostgresTestDatabase().url();
  }

  @Override
  List<JsonObject> storedAuditRows() {
    String json = database.psql("SELECT COALESCE(json_agg(a ORDER BY seq), '[]') FROM audit a");
    return new JsonArray(json).stream().map(JsonObject.class::cast).toList();
  }
}
