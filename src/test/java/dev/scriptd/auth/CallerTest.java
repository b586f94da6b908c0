package dev.scriptd.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Caller: who made a request or started a run")
class CallerTest {
  @Test
  @DisplayName("a token's caller carries its id, name and role, never its hash")
  void ofToken() {
    ApiToken token = new ApiToken("7d0c2f7e-0000-4000-8000-000000000001", "ci", Role.OPERATOR, "ab".repeat(32),
        Instant.EPOCH, null);
    Caller caller = Caller.of(token);
    assertEquals(new Caller("token", token.id(), "ci", Role.OPERATOR), caller);
    assertFalse(caller.toString().contains(token.hash()));
    assertTrue(caller.authenticated());
    assertTrue(caller.may(Role.VIEWER));
    assertTrue(caller.may(Role.OPERATOR));
    assertFalse(caller.may(Role.ADMIN));
  }

  @Test
  @DisplayName("anonymous, scheduler and chain callers hold no role and are not authenticated; auth off is an anonymous admin")
  void withoutCredentials() {
    for (Caller caller : new Caller[] {Caller.anonymous(), Caller.scheduler("s1"), Caller.chain("r1")}) {
      assertFalse(caller.authenticated(), caller.toString());
      assertFalse(caller.may(Role.VIEWER), caller.toString());
      assertNull(caller.role());
    }
    assertEquals("scheduler", Caller.scheduler("s1").type());
    assertEquals("s1", Caller.scheduler("s1").id());
    assertEquals("chain", Caller.chain("r1").type());
    assertEquals("r1", Caller.chain("r1").id());
    assertEquals("anonymous", Caller.open().type());
    assertTrue(Caller.open().may(Role.ADMIN));
    assertFalse(Caller.open().authenticated());
  }

  @Test
  @DisplayName("an oidc caller is authenticated with its role; unknown types and roleless users are refused")
  void oidcAndInvalid() {
    Caller user = Caller.oidc("sub-1", "ada", Role.VIEWER);
    assertEquals("oidc", user.type());
    assertTrue(user.authenticated());
    assertFalse(user.may(Role.OPERATOR));
    assertThrows(IllegalArgumentException.class, () -> new Caller("root", "x", "x", Role.ADMIN));
    assertThrows(IllegalArgumentException.class, () -> Caller.oidc("sub-1", "ada", null));
    assertThrows(NullPointerException.class, () -> new Caller(null, null, null, null));
  }
}
