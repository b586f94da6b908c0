package dev.scriptd.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON request bodies and responses. */
final class Json {
  private Json() {
  }

  /** The body as a JSON object; an empty body counts as {}. Anything else is a 400. */
  static JsonObject bodyObject(RoutingContext ctx) {
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      return new JsonObject();
    }
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new ApiException(400, "malformed-json",
          "the request body is not valid JSON (" + brief(e.getMessage()) + "); send a JSON object");
    }
    if (!(value instanceof JsonObject object)) {
      throw new ApiException(400, "malformed-json", "the request body must be a JSON object");
    }
    return object;
  }

  private static String brief(String message) {
    String oneLine = message == null ? "parse error" : message.replaceAll("\\s+", " ");
    return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
  }

  /** A body already encoded as JSON (the run view's cached runs). */
  static void send(RoutingContext ctx, int status, io.vertx.core.buffer.Buffer body) {
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body);
  }

  static void send(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }
}
