package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class PostgresServerTest {

  @Test
  void eachDatabaseUrlNamesAFreshDatabaseTheReactiveClientCanUse(Vertx vertx) throws Exception {
    PostgresServer server = PostgresServer.shared();
    String first = server.newDatabaseUrl();
    String second = server.newDatabaseUrl();

    assertNotEquals(first, second);
    assertTrue(first.startsWith("postgresql://postgres@127.0.0.1:" + server.port() + "/"), first);
    assertEquals(server, PostgresServer.shared(), "one server per test JVM");

    PgConnection a = PgConnection.connect(vertx, PgConnectOptions.fromUri(first)).await(30, TimeUnit.SECONDS);
    PgConnection b = PgConnection.connect(vertx, PgConnectOptions.fromUri(second)).await(30, TimeUnit.SECONDS);
    try {
      a.query("CREATE TABLE only_here (x BIGINT)").execute().await(30, TimeUnit.SECONDS);
      Row inA = a.query("SELECT current_database(), to_regclass('only_here') IS NOT NULL, "
          + "current_setting('server_version_num')::int").execute().await(30, TimeUnit.SECONDS).iterator().next();
      Row inB = b.query("SELECT current_database(), to_regclass('only_here') IS NOT NULL")
          .execute().await(30, TimeUnit.SECONDS).iterator().next();

      assertEquals(first.substring(first.lastIndexOf('/') + 1), inA.getString(0));
      assertEquals(second.substring(second.lastIndexOf('/') + 1), inB.getString(0));
      assertTrue(inA.getBoolean(1));
      assertEquals(false, inB.getBoolean(1), "the databases are separate");
      assertTrue(inA.getInteger(2) >= 130000, "PostgreSQL 13+ (pg_trgm is a trusted extension)");
    } finally {
      a.close().await(30, TimeUnit.SECONDS);
      b.close().await(30, TimeUnit.SECONDS);
    }
  }
}
