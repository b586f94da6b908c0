package dev.scriptd.auth;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * What a sign-in needs to remember between {@code GET /auth/login} and {@code GET /auth/callback}:
 * the {@code state} that ties the callback to this browser, the ID token's {@code nonce}, the PKCE
 * code verifier (its S256 challenge goes to the provider) and where to land afterwards. It travels
 * in a short-lived HttpOnly cookie, so any HTTP instance or node can finish the sign-in; every value
 * is 256 random bits that only this browser and the provider see.
 */
public record LoginState(String state, String nonce, String verifier, String returnTo, long createdAtMs) {
  /** How long a sign-in may take at the provider. */
  public static final long MAX_AGE_MS = 10 * 60_000L;
  /** The encoded cookie is refused above this size (a forged cookie is parsed before anything else). */
  private static final int MAX_ENCODED = 2048;

  public static LoginState fresh(SecureRandom random, String returnTo, long nowMs) {
    return new LoginState(randomValue(random), randomValue(random), randomValue(random), returnTo, nowMs);
  }

  /** The PKCE S256 challenge: base64url(SHA-256(verifier)), without padding (RFC 7636). */
  public String challenge() {
    return challenge(verifier);
  }

  static String challenge(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The cookie value: base64url of a small JSON object (cookie-safe characters only). */
  public String encode() {
    JsonObject json = new JsonObject().put("s", state).put("n", nonce).put("v", verifier).put("r", returnTo)
        .put("t", createdAtMs);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** The state in a cookie, or null when it is missing, malformed or older than {@link #MAX_AGE_MS}. */
  public static LoginState decode(String cookie, long nowMs) {
    if (cookie == null || cookie.isEmpty() || cookie.length() > MAX_ENCODED) {
      return null;
    }
    try {
      JsonObject json = new JsonObject(new String(Base64.getUrlDecoder().decode(cookie), StandardCharsets.UTF_8));
      String state = json.getString("s");
      String nonce = json.getString("n");
      String verifier = json.getString("v");
      String returnTo = json.getString("r");
      Long createdAt = json.getLong("t");
      if (!wellFormed(state) || !wellFormed(nonce) || !wellFormed(verifier) || createdAt == null
          || nowMs - createdAt > MAX_AGE_MS || createdAt - nowMs > 60_000L) {
        return null;
      }
      return new LoginState(state, nonce, verifier, ReturnPath.safe(returnTo), createdAt);
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      return null;
    }
  }

  /** Whether the callback's {@code state} is this sign-in's, compared in constant time. */
  public boolean matches(String callbackState) {
    return callbackState != null && MessageDigest.isEqual(state.getBytes(StandardCharsets.US_ASCII),
        callbackState.getBytes(StandardCharsets.UTF_8));
  }

  /** 256 random bits, base64url: 43 characters, within PKCE's verifier alphabet and length (43..128). */
  private static String randomValue(SecureRandom random) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static boolean wellFormed(String value) {
    return value != null && value.length() == 43 && value.chars().allMatch(c -> c >= 'A' && c <= 'Z'
        || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_');
  }
}
