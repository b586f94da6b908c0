package dev.scriptd.http.tail;

import dev.scriptd.config.ScriptdConfig;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/events}: every run status change as {@code event: run}. A dashboard that cannot
 * keep up is disconnected (EventSource reconnects by itself) rather than buffered without bound.
 */
public final class RunEventStreams {
  private final ScriptdConfig.Tail config;
  /** Open streams and the time of their last write. */
  private final Map<HttpServerResponse, Long> streams = new LinkedHashMap<>();

  RunEventStreams(ScriptdConfig.Tail config) {
    this.config = config;
  }

  public void open(HttpServerResponse response) {
    SseSink.open(response, config.writeQueueBytes());
    streams.put(response, System.currentTimeMillis());
    response.closeHandler(v -> streams.remove(response));
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
    for (HttpServerResponse response : new ArrayList<>(streams.keySet())) {
      if (response.writeQueueFull()) {
        streams.remove(response);
        response.reset();
      } else {
        response.write(event);
        streams.put(response, now);
      }
    }
  }

  void keepAlive(long now, long idleMs) {
    for (Map.Entry<HttpServerResponse, Long> entry : new ArrayList<>(streams.entrySet())) {
      if (now - entry.getValue() >= idleMs && !entry.getKey().writeQueueFull()) {
        entry.getKey().write(": keep-alive\n\n");
        streams.put(entry.getKey(), now);
      }
    }
  }

  void closeAll() {
    new ArrayList<>(streams.keySet()).forEach(HttpServerResponse::end);
    streams.clear();
  }
}
