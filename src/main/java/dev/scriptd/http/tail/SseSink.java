package dev.scriptd.http.tail;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;

/** Server-sent events: {@code id/event/data} blocks, many per write. */
final class SseSink implements TailSink {
  /** How long a client gets to take the last events of a closed stream before the socket is cut. */
  private static final long LINGER_MS = 5_000;

  private final Vertx vertx;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final WriteBudget budget;

  SseSink(Vertx vertx, HttpServerRequest request, int writeQueueBytes) {
    this.vertx = vertx;
    this.request = request;
    this.response = request.response();
    this.budget = new WriteBudget(writeQueueBytes);
    open(response, writeQueueBytes);
  }

  /**
   * Headers that keep proxies from buffering or compressing the stream, then a first comment. The
   * connection is closed when the stream ends (see {@link #endAndLinger}), and {@code Connection:
   * close} says so up front: a client that put it back in its pool could send its next request on
   * a socket about to close and get no answer.
   */
  static void open(HttpServerResponse response, int writeQueueBytes) {
    response.setStatusCode(200)
        .setChunked(true)
        .setWriteQueueMaxSize(writeQueueBytes)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no")
        .putHeader("Connection", "close");
    response.write(": stream open\n\n");
  }

  static void appendEvent(StringBuilder out, String id, String event, String data) {
    if (id != null) {
      out.append("id: ").append(id).append('\n');
    }
    if (event != null) {
      out.append("event: ").append(event).append('\n');
    }
    out.append("data: ").append(data).append("\n\n");
  }

  @Override
  public void lines(LineBatch batch) {
    sendBuffer(batch.sse());
  }

  @Override
  public void status(JsonObject run) {
    write("status", run.encode());
  }

  @Override
  public void done(JsonObject run) {
    write("done", run.encode());
    endAndLinger();
  }

  @Override
  public void gap(long lastSentSeq) {
    write("gap", new JsonObject().put("last_sent_seq", lastSentSeq).encode());
    endAndLinger();
  }

  @Override
  public void keepAlive() {
    send(": keep-alive\n\n");
  }

  @Override
  public boolean writeQueueFull() {
    return budget.full();
  }

  @Override
  public void drainHandler(Runnable handler) {
    budget.onDrain(handler);
  }

  @Override
  public void closeHandler(Runnable handler) {
    response.closeHandler(v -> handler.run());
  }

  @Override
  public boolean gone() {
    return response.closed();
  }

  @Override
  public void close() {
    endAndLinger();
  }

  @Override
  public void revoked() {
    endAndLinger();
  }

  private void write(String event, String data) {
    StringBuilder out = new StringBuilder(data.length() + 32);
    appendEvent(out, null, event, data);
    send(out.toString());
  }

  /** Writes pre-formatted event text (for the legacy form). */
  void sendRaw(String text) {
    send(text);
  }

  private void send(String text) {
    sendBuffer(Buffer.buffer(text));
  }

  private void sendBuffer(Buffer buffer) {
    if (!response.ended()) {
      budget.track(response.write(buffer), buffer.length());
    }
  }

  /**
   * Ends the stream and, on HTTP/1.x, the connection too, so that "the server closes the stream"
   * holds for every client. One that does not read the end within the linger time is cut off.
   */
  private void endAndLinger() {
    if (response.ended()) {
      return;
    }
    response.end().onComplete(written -> closeConnection());
    vertx.setTimer(LINGER_MS, t -> closeConnection());
  }

  private void closeConnection() {
    if (request.version() != HttpVersion.HTTP_2 && !response.closed()) {
      request.connection().close();
    }
  }
}
