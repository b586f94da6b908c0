package dev.scriptd.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LoginState: state, nonce and PKCE verifier kept between /auth/login and /auth/callback")
class LoginStateTest {
  private final SecureRandom random = new SecureRandom();
  private static final long NOW = 1_800_000_000_000L;

  @Test
  @DisplayName("the S256 challenge is base64url(SHA-256(verifier)) without padding (RFC 7636 appendix B)")
  void challengeFollowsRfc7636() {
    assertEquals("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        LoginState.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
  }

  @Test
  @DisplayName("each sign-in gets fresh 256-bit values in PKCE's alphabet; the verifier is not its challenge")
  void freshValues() {
    LoginState a = LoginState.fresh(random, "/", NOW);
    LoginState b = LoginState.fresh(random, "/", NOW);
    assertNotEquals(a.state(), b.state());
    assertNotEquals(a.nonce(), b.nonce());
    assertNotEquals(a.verifier(), b.verifier());
    assertNotEquals(a.state(), a.nonce());
    for (String value : new String[] {a.state(), a.nonce(), a.verifier()}) {
      assertEquals(43, value.length());
      assertTrue(value.matches("[A-Za-z0-9_-]+"), value);
    }
    assertNotEquals(a.verifier(), a.challenge());
  }

  @Test
  @DisplayName("the cookie round-trips; a cookie older than ten minutes, from the future, malformed or oversized is no state")
  void cookieRoundTripAndRefusals() {
    LoginState state = LoginState.fresh(random, "/runs?status=failed", NOW);
    String cookie = state.encode();
    assertTrue(cookie.matches("[A-Za-z0-9_-]+"), "cookie-safe characters only");
    assertEquals(state, LoginState.decode(cookie, NOW + 1000));
    assertEquals(state, LoginState.decode(cookie, NOW + LoginState.MAX_AGE_MS));
    assertNull(LoginState.decode(cookie, NOW + LoginState.MAX_AGE_MS + 1));
    assertNull(LoginState.decode(cookie, NOW - 120_000));
    assertNull(LoginState.decode(null, NOW));
    assertNull(LoginState.decode("", NOW));
    assertNull(LoginState.decode("not base64 !", NOW));
    assertNull(LoginState.decode(b64("[1,2]"), NOW));
    assertNull(LoginState.decode(b64("{\"s\":\"short\",\"n\":\"x\",\"v\":\"y\",\"t\":" + NOW + "}"), NOW));
    assertNull(LoginState.decode("A".repeat(5000), NOW));
    JsonObject missingTime = new JsonObject().put("s", state.state()).put("n", state.nonce()).put("v", state.verifier());
    assertNull(LoginState.decode(b64(missingTime.encode()), NOW));
  }

  @Test
  @DisplayName("a return_to smuggled into a forged cookie is made safe again")
  void forgedReturnToIsMadeSafe() {
    LoginState state = LoginState.fresh(random, "/", NOW);
    String forged = b64(new JsonObject().put("s", state.state()).put("n", state.nonce()).put("v", state.verifier())
        .put("r", "//evil.example/").put("t", NOW).encode());
    assertEquals("/", LoginState.decode(forged, NOW).returnTo());
  }

  @Test
  @DisplayName("the callback's state must be exactly this sign-in's")
  void stateMatches() {
    LoginState state = LoginState.fresh(random, "/", NOW);
    assertTrue(state.matches(state.state()));
    assertFalse(state.matches(null));
    assertFalse(state.matches(""));
    assertFalse(state.matches(state.state().substring(1)));
    assertFalse(state.matches(state.state() + "x"));
    assertFalse(state.matches(LoginState.fresh(random, "/", NOW).state()));
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
