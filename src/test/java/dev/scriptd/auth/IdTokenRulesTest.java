package dev.scriptd.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("IdTokenRules: iss, aud, azp, exp, sub and nonce of a verified ID token")
class IdTokenRulesTest {
  private static final String ISSUER = "https://id.example.com/realms/ops";
  private static final String CLIENT = "scriptd";
  private static final String NONCE = "n-0S6_WzA2Mj";
  private static final long NOW = 1_800_000_000L;

  private static JsonObject good() {
    return new JsonObject().put("iss", ISSUER).put("aud", CLIENT).put("sub", "248289761001").put("nonce", NONCE)
        .put("exp", NOW + 300).put("iat", NOW);
  }

  private static String refusal(JsonObject claims) {
    return IdTokenRules.refusal(claims, ISSUER, CLIENT, NONCE, NOW);
  }

  @Test
  @DisplayName("a token for this client from this issuer with this sign-in's nonce passes, aud as a string or a list")
  void goodTokensPass() {
    assertNull(refusal(good()));
    assertNull(refusal(good().put("aud", new JsonArray().add(CLIENT))));
    assertNull(refusal(good().put("aud", new JsonArray().add(CLIENT).add("api")).put("azp", CLIENT)));
    assertNull(refusal(good().put("exp", NOW - IdTokenRules.LEEWAY_SECONDS)), "within the clock-skew leeway");
  }

  @Test
  @DisplayName("another issuer, another audience or authorized party, expired, no subject, another or no nonce: refused")
  void badTokensAreRefused() {
    assertTrue(refusal(good().put("iss", "https://evil.example")).contains("issuer"));
    JsonObject noIss = good();
    noIss.remove("iss");
    assertTrue(refusal(noIss).contains("issuer"));
    assertTrue(refusal(good().put("aud", "other-client")).contains("audience"));
    assertTrue(refusal(good().put("aud", new JsonArray().add("other-client"))).contains("audience"));
    assertTrue(refusal(good().put("aud", new JsonArray().add(CLIENT).add("api"))).contains("authorized party"),
        "several audiences need azp");
    assertTrue(refusal(good().put("azp", "other-client")).contains("authorized party"));
    assertTrue(refusal(good().put("exp", NOW - IdTokenRules.LEEWAY_SECONDS - 1)).contains("expired"));
    JsonObject noExp = good();
    noExp.remove("exp");
    assertTrue(refusal(noExp).contains("expired"));
    assertTrue(refusal(good().put("sub", "")).contains("subject"));
    assertTrue(refusal(good().put("nonce", "replayed-from-another-sign-in")).contains("nonce"));
    JsonObject noNonce = good();
    noNonce.remove("nonce");
    assertTrue(refusal(noNonce).contains("nonce"));
    assertTrue(refusal(null).contains("keys"));
  }

  @Test
  @DisplayName("the shown name is preferred_username, then email, then the subject")
  void displayName() {
    assertEquals("ada", IdTokenRules.displayName(good().put("preferred_username", "ada").put("email", "a@x")));
    assertEquals("a@x", IdTokenRules.displayName(good().put("email", "a@x")));
    assertEquals("248289761001", IdTokenRules.displayName(good()));
  }

  @Test
  @DisplayName("unverified claims are read from a compact JWT only, for naming a refusal")
  void unverifiedClaims() {
    String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(
        good().encode().getBytes(StandardCharsets.UTF_8));
    assertEquals(CLIENT, IdTokenRules.unverifiedClaims("e30." + payload + ".sig").getString("aud"));
    assertNull(IdTokenRules.unverifiedClaims(null));
    assertNull(IdTokenRules.unverifiedClaims("not-a-jwt"));
    assertNull(IdTokenRules.unverifiedClaims("a.!!!.c"));
  }
}
