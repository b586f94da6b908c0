package dev.scriptd.http;

import dev.scriptd.http.tail.TailHub;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/** Serves a run's log as SSE or WebSocket through the hub; the JSON form is the caller's. */
final class LiveTails {
  private final TailHub hub;
  private final StreamGate gate;

  LiveTails(TailHub hub, StreamGate gate) {
    this.hub = hub;
    this.gate = gate;
  }

  /** Returns false when the request wants neither SSE nor WebSocket. */
  boolean serve(RoutingContext ctx, String runId) {
    HttpServerRequest request = ctx.request();
    if ("websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
      // hold the request's end back until the run is checked: an ended request cannot be upgraded
      request.pause();
      long since = since(ctx, null);
      hub.followWebSocket(runId, since, request, gate.admit(ctx)).onFailure(ctx::fail);
      return true;
    }
    String accept = request.getHeader(HttpHeaders.ACCEPT);
    if (accept != null && accept.contains("text/event-stream")) {
      long since = since(ctx, request.getHeader("Last-Event-ID"));
      hub.followSse(runId, since, request, gate.admit(ctx)).onFailure(ctx::fail);
      return true;
    }
    return false;
  }

  /** {@code Last-Event-ID} (an EventSource reconnecting) wins over {@code ?since}. */
  private static long since(RoutingContext ctx, String lastEventId) {
    Fields fields = new Fields();
    long since = fields.queryLong("since", ctx.request().getParam("since"), 0, 0, Long.MAX_VALUE);
    if (lastEventId != null && !lastEventId.isBlank()) {
      since = fields.queryLong("Last-Event-ID", lastEventId, 0, 0, Long.MAX_VALUE);
    }
    fields.check();
    return since;
  }
}
