package dev.scriptd.notify;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code X-Scriptd-Signature} of a notification: {@code sha256=} and the lower-case hex
 * HMAC-SHA256 of the exact body bytes, keyed with the entry's {@code secret} (UTF-8). A receiver
 * computes the same over the raw body it received and compares in constant time.
 */
final class Signature {
  static final String HEADER = "X-Scriptd-Signature";
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Signature() {
  }

  static String of(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal(body);
      char[] hex = new char[digest.length * 2];
      for (int i = 0; i < digest.length; i++) {
        hex[2 * i] = HEX[(digest[i] >> 4) & 0xf];
        hex[2 * i + 1] = HEX[digest[i] & 0xf];
      }
      return "sha256=" + new String(hex);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      // every JDK has HmacSHA256, and any key bytes are a valid HMAC key
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
