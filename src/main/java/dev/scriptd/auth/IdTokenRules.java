package dev.scriptd.auth;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The checks an ID token's claims must pass (OpenID Connect Core 3.1.3.7) once its signature has
 * been verified against the issuer's keys: the issuer, this client among the audiences (and as
 * {@code azp} when there are several), not expired, and the {@code nonce} this sign-in sent. The
 * OAuth2 library checks some of these; they are repeated here so that none depends on how it
 * reacts to a bad token, and {@code nonce} it does not check at all.
 */
public final class IdTokenRules {
  /** Clock skew tolerated between the provider and this server. */
  public static final long LEEWAY_SECONDS = 60;

  private IdTokenRules() {
  }

  /** Why the claims are refused, or null when they pass. */
  public static String refusal(JsonObject claims, String issuer, String clientId, String nonce, long nowSeconds) {
    if (claims == null) {
      return "the provider sent no ID token that verifies against its published keys";
    }
    if (!(claims.getValue("iss") instanceof String iss) || !iss.equals(issuer)) {
      return "the ID token's issuer is not " + issuer;
    }
    Object aud = claims.getValue("aud");
    JsonArray audiences = aud instanceof String one ? new JsonArray().add(one)
        : aud instanceof JsonArray many ? many : new JsonArray();
    if (!audiences.contains(clientId)) {
      return "the ID token was issued for another client (audience), not " + clientId;
    }
    Object azp = claims.getValue("azp");
    if (azp != null && !clientId.equals(azp) || azp == null && audiences.size() > 1) {
      return "the ID token names another authorized party than " + clientId;
    }
    if (!(claims.getValue("exp") instanceof Number exp) || exp.longValue() + LEEWAY_SECONDS < nowSeconds) {
      return "the ID token has expired";
    }
    if (!(claims.getValue("sub") instanceof String sub) || sub.isEmpty()) {
      return "the ID token names no subject";
    }
    if (!(claims.getValue("nonce") instanceof String sent) || !MessageDigest.isEqual(
        sent.getBytes(StandardCharsets.UTF_8), nonce.getBytes(StandardCharsets.UTF_8))) {
      return "the ID token's nonce is not the one this sign-in sent";
    }
    return null;
  }

  /**
   * The payload of a compact JWT without any check, or null when it is not one: only to explain why
   * a token that failed verification was refused, never to trust it.
   */
  public static JsonObject unverifiedClaims(String jwt) {
    if (jwt == null || jwt.length() > 65_536) {
      return null;
    }
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      return null;
    }
    try {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | DecodeException e) {
      return null;
    }
  }

  /** The name to show: preferred_username, then email, then the subject. */
  public static String displayName(JsonObject claims) {
    for (String key : new String[] {"preferred_username", "email", "sub"}) {
      if (claims.getValue(key) instanceof String text && !text.isBlank()) {
        return text.length() > 200 ? text.substring(0, 200) : text;
      }
    }
    return "unknown";
  }
}
