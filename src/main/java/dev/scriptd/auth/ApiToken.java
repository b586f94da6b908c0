package dev.scriptd.auth;

import dev.scriptd.domain.Times;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * A stored API token: the SHA-256 of the secret, never the secret itself. Travels on the bus
 * between HTTP and persistence (local codec).
 */
public record ApiToken(String id, String name, Role role, String hash, Instant createdAt, Instant lastUsedAt) {
  public ApiToken {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** The API shape (GET /api/tokens): no secret, no hash. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("role", role.wire())
        .put("created_at", Times.format(createdAt))
        .put("last_used_at", Times.format(lastUsedAt));
  }
}
