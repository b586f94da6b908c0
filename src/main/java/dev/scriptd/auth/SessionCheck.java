package dev.scriptd.auth;

import io.vertx.core.Future;

/**
 * Resolves a browser session (the {@code scriptd_session} cookie's value) to the stored
 * {@link SsoSession}, whose {@link Caller} is {@link SsoSession#caller()}. The HTTP layer asks it when
 * a request carries no token, so a session and a token reach routes the same way (and a stream
 * opened with a session knows which one, and until when). Called on an event loop: an
 * implementation must not block it.
 */
public interface SessionCheck {
  String COOKIE = "scriptd_session";

  /** The live session, or null when the session is unknown or expired (never a failed future for that). */
  Future<SsoSession> session(String sessionId);

  /** Knows no sessions: every session cookie is unknown (single sign-on not configured). */
  static SessionCheck none() {
    return sessionId -> Future.succeededFuture(null);
  }
}
