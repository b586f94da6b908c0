package dev.scriptd.domain;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One record of the audit log: who ({@code actor*}) did what ({@code action}) to what
 * ({@code target}), with which outcome ({@code result}: ok, denied, error; {@code status} the HTTP
 * status), from where ({@code ip}), with a few chosen {@code details} (never a body, a secret or a
 * token). Made without {@code prevHash} and {@code hash} by whoever saw it happen; the one writer
 * of the log {@link #chained chains} it. {@code at} has millisecond precision.
 *
 * <p>The chain: {@code hash} = lower-case hex SHA-256 of the UTF-8 bytes of {@code prev_hash}
 * followed by the {@link CanonicalJson canonical JSON} of the record's API object without its
 * {@code hash} field (so {@code prev_hash} is inside too). The first record follows
 * {@link #GENESIS}, or the anchor kept when older records were dropped.
 */
public record AuditRecord(String id, Instant at, String actorType, String actorId, String actorName,
    String action, String target, String result, Integer status, String ip, JsonObject details,
    String prevHash, String hash) {

  public static final String OK = "ok";
  public static final String DENIED = "denied";
  public static final String ERROR = "error";
  /** What the first record of a log follows: 64 zeros. */
  public static final String GENESIS = "0".repeat(64);

  public AuditRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actorType, "actorType");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(result, "result");
    at = Instant.ofEpochMilli(at.toEpochMilli());
    details = details == null ? new JsonObject() : details;
  }

  /** An unchained record, as the HTTP layer makes it. */
  public static AuditRecord of(String id, Instant at, String actorType, String actorId, String actorName,
      String action, String target, String result, Integer status, String ip, JsonObject details) {
    return new AuditRecord(id, at, actorType, actorId, actorName, action, target, result, status, ip, details,
        null, null);
  }

  /** The result of an HTTP status: ok below 400, denied for 401 and 403, error otherwise. */
  public static String resultOf(int status) {
    return status < 400 ? OK : status == 401 || status == 403 ? DENIED : ERROR;
  }

  /** This record following {@code previousHash}, with its own hash. */
  public AuditRecord chained(String previousHash) {
    AuditRecord linked = new AuditRecord(id, at, actorType, actorId, actorName, action, target, result, status, ip,
        details, previousHash, null);
    return new AuditRecord(id, at, actorType, actorId, actorName, action, target, result, status, ip, details,
        previousHash, hashOf(previousHash, linked.content()));
  }

  /** True when {@code hash} is what {@code prev_hash} and the content give. */
  public boolean hashHolds() {
    return prevHash != null && hash != null && hash.equals(hashOf(prevHash, content()));
  }

  /** The API object: every field, {@code prev_hash} and {@code hash} included. */
  public JsonObject toJson() {
    return content().put("hash", hash);
  }

  /** What is hashed: the API object without {@code hash}. */
  public JsonObject content() {
    return new JsonObject()
        .put("id", id)
        .put("at", Times.format(at.toEpochMilli()))
        .put("actor", new JsonObject().put("type", actorType).put("id", actorId).put("name", actorName))
        .put("action", action)
        .put("target", target)
        .put("result", result)
        .put("status", status)
        .put("ip", ip)
        .put("details", details.copy())
        .put("prev_hash", prevHash);
  }

  /** SHA-256 hex of {@code previousHash} followed by the canonical JSON of {@code content}. */
  public static String hashOf(String previousHash, JsonObject content) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(previousHash.getBytes(StandardCharsets.UTF_8));
      sha.update(CanonicalJson.encode(content).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
