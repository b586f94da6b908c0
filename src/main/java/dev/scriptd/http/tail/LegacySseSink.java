package dev.scriptd.http.tail;

import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import dev.scriptd.domain.Times;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * The legacy stream of {@code GET /api/logs/{execution_id}}: one unnamed event per line (no
 * {@code event:} field, so {@code EventSource.onmessage} gets it) with
 * {@code {"timestamp","level","message"}}, then {@code event: done} / {@code data: {}}, then the
 * server closes. Status events are not part of this form; a gap (a client too slow to follow) just
 * closes the stream, as the form has no resume.
 */
final class LegacySseSink implements TailSink {
  private final SseSink sse;

  LegacySseSink(Vertx vertx, HttpServerRequest request, int writeQueueBytes) {
    this.sse = new SseSink(vertx, request, writeQueueBytes);
  }

  @Override
  public void lines(LineBatch batch) {
    StringBuilder out = new StringBuilder(batch.lines().size() * 96);
    for (LogLine line : batch.lines()) {
      JsonObject event = new JsonObject()
          .put("timestamp", Times.format(line.timestamp()))
          .put("level", line.stream() == LogStream.STDERR ? "ERROR" : "INFO")
          .put("message", line.text());
      SseSink.appendEvent(out, null, null, event.encode());
    }
    sse.sendRaw(out.toString());
  }

  @Override
  public void status(JsonObject run) {
    // not part of the legacy form
  }

  @Override
  public void done(JsonObject run) {
    sse.done(new JsonObject());
  }

  @Override
  public void gap(long lastSentSeq) {
    sse.close();
  }

  @Override
  public void keepAlive() {
    sse.keepAlive();
  }

  @Override
  public boolean writeQueueFull() {
    return sse.writeQueueFull();
  }

  @Override
  public void drainHandler(Runnable handler) {
    sse.drainHandler(handler);
  }

  @Override
  public void closeHandler(Runnable handler) {
    sse.closeHandler(handler);
  }

  @Override
  public boolean gone() {
    return sse.gone();
  }

  @Override
  public void close() {
    sse.close();
  }

  @Override
  public void revoked() {
    sse.revoked();
  }
}
