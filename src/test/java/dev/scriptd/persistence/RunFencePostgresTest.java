package dev.scriptd.persistence;

import dev.scriptd.it.PostgresServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;

/** {@link RunFenceStoreTest} on PostgreSQL: the same SQL condition holds there. */
@DisplayName("RunWriter's fence on PostgreSQL: a stored lost is never overwritten but by lost")
class RunFencePostgresTest extends RunFenceStoreTest {
  private String url;

  @Override
  JsonObject config(JsonObject persistence) {
    if (url == null) {
      url = PostgresServer.shared().newDatabaseUrl();
    }
    return super.config(persistence).put("database", new JsonObject().put("url", url));
  }
}
