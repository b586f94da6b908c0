package dev.scriptd.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TokenSecrets: new secrets, their hashes, and which presented values could be one")
class TokenSecretsTest {

  @Test
  @DisplayName("a plausible token is 16 to 256 visible ASCII characters; spaces, controls and non-ASCII are not")
  void plausibleValues() {
    assertTrue(TokenSecrets.plausible(TokenSecrets.generate()));
    assertTrue(TokenSecrets.plausible("x".repeat(16)));
    assertTrue(TokenSecrets.plausible("!".repeat(256)));
    assertTrue(TokenSecrets.plausible("~".repeat(40)));
    assertFalse(TokenSecrets.plausible(null));
    assertFalse(TokenSecrets.plausible("x".repeat(15)));
    assertFalse(TokenSecrets.plausible("x".repeat(257)));
    assertFalse(TokenSecrets.plausible("sd_0123456789 abcdef"));
    assertFalse(TokenSecrets.plausible("sd_0123456789\tabcdef"));
    assertFalse(TokenSecrets.plausible("sd_0123456789\u007fabcdef"));
    assertFalse(TokenSecrets.plausible("sd_0123456789\u00e9abcdef"));
  }

  @Test
  @DisplayName("secrets are new each time with the sd_ prefix; the hash is 64 hex digits and the same for the same secret")
  void secretsAndHashes() {
    String secret = TokenSecrets.generate();
    assertTrue(secret.startsWith(TokenSecrets.PREFIX));
    assertNotEquals(secret, TokenSecrets.generate());
    assertEquals(TokenSecrets.hash(secret), TokenSecrets.hash(secret));
    assertTrue(TokenSecrets.hash(secret).matches("[0-9a-f]{64}"));
  }
}
