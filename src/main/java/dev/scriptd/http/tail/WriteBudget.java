package dev.scriptd.http.tail;

import io.vertx.core.Future;

/**
 * Bytes written to a client but not yet handed to the socket. Netty reports a full outbound
 * buffer only asynchronously, so a loop of writes on the event loop never sees it; counting the
 * completion of each write bounds what one slow client can hold, however fast lines arrive.
 */
final class WriteBudget {
  private final int maxBytes;
  private long inFlight;
  private Runnable drain;

  WriteBudget(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  boolean full() {
    return inFlight >= maxBytes;
  }

  void track(Future<Void> write, int bytes) {
    inFlight += bytes;
    write.onComplete(done -> {
      inFlight -= bytes;
      if (drain != null && inFlight <= maxBytes / 2) {
        Runnable handler = drain;
        drain = null;
        handler.run();
      }
    });
  }

  /** Runs once the client has taken at least half of what was queued. */
  void onDrain(Runnable handler) {
    if (inFlight <= maxBytes / 2) {
      handler.run();
    } else {
      drain = handler;
    }
  }
}
