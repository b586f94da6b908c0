package dev.scriptd.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * A single sign-on session: who signed in through the OpenID provider, with which role, until
 * when. Only the SHA-256 of the session id (the {@code scriptd_session} cookie's value) is kept.
 * Travels on the bus between HTTP and persistence (local codec).
 */
public record SsoSession(String hash, String subject, String name, Role role, Instant createdAt, Instant expiresAt) {
  /** The session id's prefix, so a leaked value is recognisable (as {@code sd_} for tokens). */
  public static final String PREFIX = "ss_";

  public SsoSession {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** A new session id: 256 random bits, URL-safe base64, {@code ss_} prefix. */
  public static String newId(SecureRandom random) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Whether a cookie value could be a session id at all (checked before any lookup). */
  public static boolean plausible(String value) {
    return value != null && value.length() == PREFIX.length() + 43 && value.startsWith(PREFIX)
        && value.getBytes(StandardCharsets.US_ASCII).length == value.length()
        && value.chars().allMatch(c -> c > 32 && c < 127);
  }

  /** Hex SHA-256 of a session id: what the database keeps and what lookups use. */
  public static String hash(String id) {
    return TokenSecrets.hash(id);
  }

  /** The session's holder as a caller: the provider's subject, the name shown and the role. */
  public Caller caller() {
    return Caller.oidc(subject, name, role);
  }

  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }
}
