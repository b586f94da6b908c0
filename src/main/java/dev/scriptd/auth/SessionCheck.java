package dev.scriptd.auth;

import io.vertx.core.Future;

/**
 * Resolves a browser session (the {@code scriptd_session} cookie's value) to its {@link Caller}.
 * The HTTP layer asks it when a request carries no token, so a session and a token reach routes the
 * same way. Called on an event loop: an implementation must not block it.
 */
public interface SessionCheck {
  String COOKIE = "scriptd_session";

  /** The session's caller, or null when the session is unknown or expired (never a failed future for that). */
  Future<Caller> caller(String sessionId);

  /** Knows no sessions: every session cookie is unknown (single sign-on not configured). */
  static SessionCheck none() {
    return sessionId -> Future.succeededFuture(null);
  }
}
