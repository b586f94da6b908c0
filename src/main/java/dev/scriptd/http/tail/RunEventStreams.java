package dev.scriptd.http.tail;

import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code GET /api/events}: every run status change as {@code event: run}. A dashboard that cannot
 * keep up is disconnected (EventSource reconnects by itself) rather than buffered without bound.
 */
public final class RunEventStreams {
  private final ScriptdConfig.Tail config;
  /** Open streams, in the order they were opened. */
  private final Map<HttpServerResponse, Stream> streams = new LinkedHashMap<>();
  /** True for a token hash revoked moments ago: a stream opened with it in flight must not start. */
  private final Predicate<String> revokedRecently;

  private static final class Stream {
    final HttpServerRequest request;
    final StreamOwner owner;
    long lastWriteMillis;

    Stream(HttpServerRequest request, StreamOwner owner, long now) {
      this.request = request;
      this.owner = owner;
      this.lastWriteMillis = now;
    }
  }

  RunEventStreams(ScriptdConfig.Tail config, Predicate<String> revokedRecently) {
    this.config = config;
    this.revokedRecently = revokedRecently;
  }

  /** Opens the stream on this request's response; {@code owner}'s close action runs once it ends. */
  public void open(HttpServerRequest request, StreamOwner owner) {
    HttpServerResponse response = request.response();
    SseSink.open(response, config.writeQueueBytes());
    Stream stream = new Stream(request, owner, System.currentTimeMillis());
    streams.put(response, stream);
    response.closeHandler(v -> remove(response));
    if (owner.revokedBy(revokedRecently)) {
      end(stream);
    }
  }

  public int size() {
    return streams.size();
  }

  void publish(JsonObject run) {
    if (streams.isEmpty()) {
      return;
    }
    StringBuilder out = new StringBuilder(512);
    SseSink.appendEvent(out, null, "run", run.encode());
    String event = out.toString();
    long now = System.currentTimeMillis();
    for (Map.Entry<HttpServerResponse, Stream> entry : new ArrayList<>(streams.entrySet())) {
      HttpServerResponse response = entry.getKey();
      if (response.writeQueueFull()) {
        remove(response);
        response.reset();
      } else {
        response.write(event);
        entry.getValue().lastWriteMillis = now;
      }
    }
  }

  void keepAlive(long now, long idleMs) {
    for (Map.Entry<HttpServerResponse, Stream> entry : new ArrayList<>(streams.entrySet())) {
      Stream stream = entry.getValue();
      if (now - stream.lastWriteMillis >= idleMs && !entry.getKey().writeQueueFull()) {
        entry.getKey().write(": keep-alive\n\n");
        stream.lastWriteMillis = now;
      }
    }
  }

  /** Ends the streams opened with this token. */
  void revoked(String tokenHash) {
    for (Stream stream : new ArrayList<>(streams.values())) {
      if (stream.owner.openedWith(tokenHash)) {
        end(stream);
      }
    }
  }

  void closeAll() {
    new ArrayList<>(streams.values()).forEach(this::end);
  }

  /** Ends the response and, on HTTP/1.x, its connection, so every client sees the stream close. */
  private void end(Stream stream) {
    HttpServerResponse response = stream.request.response();
    remove(response);
    if (!response.ended() && !response.closed()) {
      response.end().onComplete(written -> {
        if (stream.request.version() != HttpVersion.HTTP_2 && !response.closed()) {
          stream.request.connection().close();
        }
      });
    }
  }

  private void remove(HttpServerResponse response) {
    Stream stream = streams.remove(response);
    if (stream != null) {
      stream.owner.closed();
    }
  }
}
