package dev.scriptd.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Signature: X-Scriptd-Signature is sha256= and the hex HMAC-SHA256 of the exact body")
class SignatureTest {
  @Test
  @DisplayName("matches the published HMAC-SHA256 test vector (RFC 4231, test case 2)")
  void matchesTheRfcVector() {
    assertEquals("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        Signature.of("Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  @DisplayName("covers every byte: one changed byte or another secret gives another signature")
  void coversEveryByte() {
    byte[] body = "{\"event\":\"run.failed\"}".getBytes(StandardCharsets.UTF_8);
    byte[] changed = "{\"event\":\"run.failed\" }".getBytes(StandardCharsets.UTF_8);
    assertNotEquals(Signature.of("s", body), Signature.of("s", changed));
    assertNotEquals(Signature.of("s", body), Signature.of("t", body));
    assertEquals(Signature.of("s", body), Signature.of("s", body.clone()));
  }

  @Test
  @DisplayName("the key is the secret's UTF-8 bytes")
  void keyIsUtf8() {
    byte[] body = "x".getBytes(StandardCharsets.UTF_8);
    assertNotEquals(Signature.of("clé", body), Signature.of("cle", body));
    assertEquals(71, Signature.of("clé", body).length(), "sha256= and 64 hex digits");
  }
}
