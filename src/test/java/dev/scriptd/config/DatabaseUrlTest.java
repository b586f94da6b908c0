package dev.scriptd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("database.url: PostgreSQL URLs, their secret password, and where the setting comes from")
class DatabaseUrlTest {
  @Test
  @DisplayName("postgresql:// and postgres:// name host, port (5432 by default), database, user and password")
  void parsesBothSchemes() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://scriptd:p%40ss:w0rd@db.example:6543/scriptd");
    assertEquals("db.example", url.host());
    assertEquals(6543, url.port());
    assertEquals("scriptd", url.database());
    assertEquals("scriptd", url.user());
    assertEquals("p@ss:w0rd", url.password());
    DatabaseUrl short_ = DatabaseUrl.parse("postgres://me@localhost/data?sslmode=require");
    assertEquals(5432, short_.port());
    assertNull(short_.password());
    assertEquals(Map.of("sslmode", "require"), short_.params());
    assertNull(DatabaseUrl.parse(null));
    assertNull(DatabaseUrl.parse("  "));
  }

  @Test
  @DisplayName("the password shows nowhere: not in toString, not in the redacted form")
  void passwordIsSecret() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://scriptd:hunter2-secret@127.0.0.1:5432/scriptd");
    assertEquals("postgresql://scriptd@127.0.0.1:5432/scriptd", url.redacted());
    assertFalse(url.toString().contains("hunter2-secret"), url.toString());
  }

  @Test
  @DisplayName("a malformed URL is refused naming the key and the expected form, never repeating the password")
  void malformedUrlsAreRefused() {
    for (String bad : new String[] {"mysql://u:hunter2-secret@h/db", "postgresql://u:hunter2-secret@/db",
        "postgresql://u:hunter2-secret@h", "postgresql://u:hunter2-secret@h/a/b", "postgresql://h/db",
        "postgresql://u:hunter2-secret@h/db?ssl=true", "postgresql://u:hunter2-secret@h/db?sslmode=maybe",
        "postgresql://u:hunter2-secret@h:notaport/db", "not a url at all hunter2-secret"}) {
      ConfigException e = assertThrows(ConfigException.class, () -> DatabaseUrl.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("database.url"), e.getMessage());
      assertTrue(e.getMessage().contains("postgresql://user:password@host:5432/database"), e.getMessage());
      assertFalse(e.getMessage().contains("hunter2-secret"), e.getMessage());
    }
  }

  @Test
  @DisplayName("--database-url and SCRIPTD_DATABASE_URL set database.url (the flag wins); unset means SQLite")
  void flagAndEnvironment() {
    String fromEnv = "postgresql://env@h/db";
    String fromFlag = "postgresql://flag@h/db";
    JsonObject env = ConfigLoader.load(new String[0], Map.of("SCRIPTD_DATABASE_URL", fromEnv));
    assertEquals(fromEnv, env.getJsonObject("database").getString("url"));
    JsonObject both = ConfigLoader.load(new String[] {"--database-url=" + fromFlag},
        Map.of("SCRIPTD_DATABASE_URL", fromEnv));
    assertEquals(fromFlag, both.getJsonObject("database").getString("url"));
    assertEquals("flag", ScriptdConfig.fromJson(both).storage().databaseUrl().user());
    assertNull(ScriptdConfig.fromJson(new JsonObject()).storage().databaseUrl());
    assertEquals(8, ScriptdConfig.fromJson(new JsonObject()).storage().databasePoolSize());
  }
}
