package dev.scriptd.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RoleMapper: a signed-in user's claim values to a role, the highest wins")
class RoleMapperTest {
  private final RoleMapper groups = new RoleMapper("groups", Map.of(
      "admin", List.of("ops-admins"),
      "operator", List.of("ops", "sre"),
      "viewer", List.of("staff")));

  private static JsonObject claims(String name, Object value) {
    return new JsonObject().put("sub", "u1").put(name, value);
  }

  @Test
  @DisplayName("each role's values give that role; several matches give the highest, whatever their order")
  void highestMatchingRoleWins() {
    assertEquals(Role.VIEWER, groups.map(claims("groups", new JsonArray().add("staff"))));
    assertEquals(Role.OPERATOR, groups.map(claims("groups", new JsonArray().add("sre"))));
    assertEquals(Role.ADMIN, groups.map(claims("groups", new JsonArray().add("ops-admins"))));
    assertEquals(Role.ADMIN, groups.map(claims("groups", new JsonArray().add("staff").add("ops-admins").add("ops"))));
    assertEquals(Role.OPERATOR, groups.map(claims("groups", new JsonArray().add("ops").add("staff"))));
  }

  @Test
  @DisplayName("no matching value, no claim, an empty list or values of the wrong type give no role")
  void noMatchGivesNoRole() {
    assertNull(groups.map(claims("groups", new JsonArray().add("marketing"))));
    assertNull(groups.map(new JsonObject().put("sub", "u1")));
    assertNull(groups.map(claims("groups", new JsonArray())));
    assertNull(groups.map(claims("groups", new JsonArray().add(42).add(new JsonObject().put("name", "ops-admins")))));
    assertNull(groups.map(claims("roles", new JsonArray().add("ops-admins"))), "another claim does not count");
    assertNull(groups.map(null));
    assertNull(groups.map(claims("groups", new JsonArray().add("OPS-ADMINS"))), "values match exactly");
  }

  @Test
  @DisplayName("a claim holding one string counts like a list of one")
  void aSingleStringClaim() {
    assertEquals(Role.OPERATOR, groups.map(claims("groups", "ops")));
  }

  @Test
  @DisplayName("a dotted claim name reaches into nested objects (Keycloak's realm_access.roles); an exact name is tried first")
  void nestedAndNamespacedClaims() {
    RoleMapper keycloak = new RoleMapper("realm_access.roles", Map.of("admin", List.of("scriptd-admin")));
    assertEquals(Role.ADMIN, keycloak.map(new JsonObject().put("realm_access",
        new JsonObject().put("roles", new JsonArray().add("offline_access").add("scriptd-admin")))));
    assertNull(keycloak.map(new JsonObject().put("realm_access", "scriptd-admin")));
    assertTrue(keycloak.hasClaim(new JsonObject().put("realm_access", new JsonObject().put("roles", new JsonArray()))));
    assertFalse(keycloak.hasClaim(new JsonObject().put("realm_access", new JsonObject())));

    RoleMapper namespaced = new RoleMapper("https://example.com/roles", Map.of("viewer", List.of("reader")));
    assertEquals(Role.VIEWER, namespaced.map(new JsonObject().put("https://example.com/roles",
        new JsonArray().add("reader"))));
  }

  @Test
  @DisplayName("a role name that is not admin, operator or viewer is a programming error")
  void unknownRoleName() {
    assertThrows(IllegalArgumentException.class, () -> new RoleMapper("groups", Map.of("root", List.of("x"))));
  }
}
