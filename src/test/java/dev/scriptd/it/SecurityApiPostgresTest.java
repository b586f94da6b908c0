package dev.scriptd.it;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Tokens, roles, sessions, rate limits and request limits over real HTTP, on PostgreSQL (database.url)")
class SecurityApiPostgresTest extends SecurityApiTest {
  private final PostgresTestDatabase database = new PostgresTestDatabase();

  @Override
  String databaseUrl() {
    return database.url();
  }

  /** The tokens table holds the SHA-256 only (no row, no column holds a secret), and the last use. */
  @Override
  void assertStoredAsHash(String id, String secret) {
    String tokens = database.psql("SELECT * FROM tokens");
    org.junit.jupiter.api.Assertions.assertFalse(tokens.contains(secret), tokens);
    org.junit.jupiter.api.Assertions.assertFalse(tokens.contains(TestServer.ADMIN_TOKEN), tokens);
    String row = database.psql("SELECT length(hash) || ' ' || (CASE WHEN last_used_at > 0 THEN 'used' ELSE 'unused' END) FROM tokens WHERE id = '" + id + "'");
    org.junit.jupiter.api.Assertions.assertEquals("64 used", row);
  }
}
