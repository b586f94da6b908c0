package dev.scriptd.http.tail;

import io.vertx.core.json.JsonObject;

/** Where one subscriber's events go: an SSE response or a WebSocket. Used from one event loop. */
interface TailSink {
  /** Writes consecutive lines in as few writes as the form allows. */
  void lines(LineBatch batch);

  void status(JsonObject run);

  /** The run ended and every line was sent: tell the client and close normally. */
  void done(JsonObject run);

  /** The client fell too far behind: tell it where to resume and close. */
  void gap(long lastSentSeq);

  void keepAlive();

  boolean writeQueueFull();

  void drainHandler(Runnable handler);

  void closeHandler(Runnable handler);

  /** True when the client is known to be gone already (it left while the stream was being opened). */
  default boolean gone() {
    return false;
  }

  /** Closes without a final event (the run vanished or the server is stopping). */
  void close();

  /** The token or session that opened the stream was revoked or ended: end it at once, as a policy refusal where the form has one. */
  void revoked();
}
