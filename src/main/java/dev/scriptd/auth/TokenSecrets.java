package dev.scriptd.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Makes token secrets (256 random bits, URL-safe base64, {@code sd_} prefix) and their hashes. */
public final class TokenSecrets {
  public static final String PREFIX = "sd_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private TokenSecrets() {
  }

  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Hex SHA-256 of the secret: what the database keeps and what lookups use. */
  public static String hash(String secret) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Whether a presented value could be a token at all (cheap check before any lookup): 16 to 256
   * visible ASCII characters. A plain loop: it runs twice on every request with a token.
   */
  public static boolean plausible(String value) {
    if (value == null || value.length() < 16 || value.length() > 256) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= 32 || c >= 127) {
        return false;
      }
    }
    return true;
  }
}
