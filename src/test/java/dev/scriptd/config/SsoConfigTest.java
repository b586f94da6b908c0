package dev.scriptd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("auth.oidc, auth.session_ttl and http.trust_proxy: single sign-on settings")
class SsoConfigTest {
  private static JsonObject oidc() {
    return new JsonObject().put("issuer", "https://id.example.com/realms/ops").put("client_id", "scriptd")
        .put("client_secret", "s3cret-value").put("roles", new JsonObject()
            .put("admin", new JsonArray().add("scriptd-admins")).put("viewer", new JsonArray().add("staff")));
  }

  private static SsoConfig with(JsonObject oidc) {
    return SsoConfig.fromJson(new JsonObject().put("auth", new JsonObject().put("oidc", oidc)));
  }

  @Test
  @DisplayName("off by default (absent or null), sessions last 8 hours, X-Forwarded-Proto is not trusted")
  void defaults() {
    SsoConfig none = SsoConfig.fromJson(new JsonObject());
    assertFalse(none.enabled());
    assertNull(none.oidc());
    assertEquals(8 * 3_600_000L, none.sessionTtlMs());
    assertFalse(none.trustProxy());
    assertFalse(SsoConfig.fromJson(new JsonObject().put("auth", new JsonObject().putNull("oidc"))).enabled());
  }

  @Test
  @DisplayName("a provider with the default scopes and role claim; roles as configured")
  void aProvider() {
    SsoConfig sso = with(oidc());
    assertTrue(sso.enabled());
    assertEquals("https://id.example.com/realms/ops", sso.oidc().issuer());
    assertEquals(List.of("openid", "profile", "email"), sso.oidc().scopes());
    assertEquals("groups", sso.oidc().roleClaim());
    assertEquals(List.of("scriptd-admins"), sso.oidc().roles().get("admin"));
    assertEquals(List.of("staff"), sso.oidc().roles().get("viewer"));
    assertFalse(sso.oidc().toString().contains("s3cret-value"), "the secret stays out of logs");
    assertEquals("https://id.example.com", with(oidc().put("issuer", "https://id.example.com/")).oidc().issuer());
    assertEquals(List.of("openid", "groups"),
        with(oidc().put("scopes", new JsonArray().add("openid").add("groups"))).oidc().scopes());
    assertEquals("realm_access.roles", with(oidc().put("role_claim", "realm_access.roles")).oidc().roleClaim());
  }

  @Test
  @DisplayName("session_ttl takes milliseconds or 90s/30m/8h/1d, between a minute and 90 days")
  void sessionTtl() {
    assertEquals(3_600_000L, SsoConfig.duration("1h"));
    assertEquals(30 * 60_000L, SsoConfig.duration("30m"));
    assertEquals(86_400_000L, SsoConfig.duration("1d"));
    assertEquals(90_000L, SsoConfig.duration("90s"));
    assertEquals(120_000L, SsoConfig.duration(120_000));
    assertEquals(120_000L, SsoConfig.duration("120000"));
    for (Object bad : new Object[] {"59s", "91d", "8 hours", "-1h", "h", true, 0}) {
      ConfigException error = assertThrows(ConfigException.class, () -> SsoConfig.duration(bad), String.valueOf(bad));
      assertTrue(error.getMessage().contains("auth.session_ttl"), error.getMessage());
    }
    assertEquals(1_800_000L, SsoConfig.fromJson(new JsonObject().put("auth", new JsonObject().put("session_ttl", "30m")))
        .sessionTtlMs());
  }

  @Test
  @DisplayName("http.trust_proxy turns on")
  void trustProxy() {
    assertTrue(SsoConfig.fromJson(new JsonObject().put("http", new JsonObject().put("trust_proxy", true))).trustProxy());
  }

  @Test
  @DisplayName("a provider without issuer, client or secret, a bad issuer, scopes without openid, unknown roles or no role value: refused at start")
  void refusals() {
    JsonObject noSecret = oidc();
    noSecret.remove("client_secret");
    JsonObject[] bad = {
        noSecret,
        oidc().put("issuer", "id.example.com"),
        oidc().put("issuer", "ftp://id.example.com"),
        oidc().put("scopes", new JsonArray().add("profile")),
        oidc().put("scopes", "openid"),
        oidc().put("role_claim", "a claim"),
        oidc().put("roles", new JsonObject().put("root", new JsonArray().add("x"))),
        oidc().put("roles", new JsonObject().put("admin", "x")),
        oidc().put("roles", new JsonObject()),
        oidc().put("roles", new JsonArray()),
    };
    for (JsonObject config : bad) {
      ConfigException error = assertThrows(ConfigException.class, () -> with(config), config.encode());
      assertTrue(error.getMessage().contains("auth.oidc"), error.getMessage());
      assertFalse(error.getMessage().contains("s3cret-value"), error.getMessage());
    }
    assertThrows(ConfigException.class, () -> SsoConfig.fromJson(new JsonObject().put("auth",
        new JsonObject().put("oidc", "https://id.example.com"))));
  }
}
