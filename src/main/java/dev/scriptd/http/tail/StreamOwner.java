package dev.scriptd.http.tail;

import java.util.function.Predicate;

/**
 * Who opened a stream (SSE, WebSocket or {@code /api/events}): the hash of the token or single
 * sign-on session it was opened with (null when anonymous), so revoking that token or ending that
 * session can end it, and what to do once it closes
 * (give back its place in the per-token or per-address stream quota). Used on one event loop.
 */
public final class StreamOwner {
  private final String tokenHash;
  private Runnable onClose;

  public StreamOwner(String tokenHash, Runnable onClose) {
    this.tokenHash = tokenHash;
    this.onClose = onClose;
  }

  /** An owner with no token and nothing to give back (embedding, tests). */
  public static StreamOwner none() {
    return new StreamOwner(null, null);
  }

  boolean openedWith(String hash) {
    return tokenHash != null && tokenHash.equals(hash);
  }

  boolean revokedBy(Predicate<String> revoked) {
    return tokenHash != null && revoked.test(tokenHash);
  }

  /** The stream ended: runs the close action once, whatever the number of calls. */
  void closed() {
    Runnable action = onClose;
    onClose = null;
    if (action != null) {
      action.run();
    }
  }
}
