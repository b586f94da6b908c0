package dev.scriptd.http;

import dev.scriptd.auth.SessionCheck;
import dev.scriptd.auth.SsoSession;
import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.ReplyCodes;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Single sign-on sessions as callers: the cookie's value is hashed and looked up in the sessions
 * table on every request. Nothing is cached, so a logout (or an expiry) takes effect at once on
 * every HTTP instance and node; the lookup is one primary-key read on the read pool.
 */
final class SessionLookup implements SessionCheck {
  private final Bus bus;

  SessionLookup(Bus bus) {
    this.bus = bus;
  }

  @Override
  public Future<SsoSession> session(String sessionId) {
    if (!SsoSession.plausible(sessionId)) {
      return Future.succeededFuture(null);
    }
    return bus.<SsoSession>request(Addresses.DB_FIND_SESSION, SsoSession.hash(sessionId))
        .recover(e -> e instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
            && reply.failureCode() == ReplyCodes.NOT_FOUND ? Future.succeededFuture(null) : Future.failedFuture(e));
  }

  /**
   * Ends the session of this cookie value, if there is one, and the streams opened with it: its
   * hash goes out like a revoked token's, so every HTTP instance ends them the same way.
   */
  Future<Void> end(String sessionId) {
    if (!SsoSession.plausible(sessionId)) {
      return Future.succeededFuture();
    }
    String hash = SsoSession.hash(sessionId);
    return bus.<Boolean>request(Addresses.DB_DELETE_SESSION, hash)
        .onSuccess(deleted -> {
          if (deleted) {
            bus.publish(Addresses.TOKENS_REVOKED, hash);
          }
        })
        .mapEmpty();
  }
}
