package dev.scriptd.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/** JSON request bodies and responses. */
final class Json {
  /** Jackson's "(start marker at [Source: ...; line: 1, column: 1])" and any bare "[Source: ...]". */
  private static final Pattern SOURCE = Pattern.compile(
      "\\s*\\((?:start marker|for root starting) at \\[Source:[^\\]]*\\]\\)|\\s*(?:at )?\\[Source:[^\\]]*\\]");
  /** `Feature` mentions and dotted Java names, should a message carry one. */
  private static final Pattern INTERNAL = Pattern.compile("`[^`]*`|\\b(?:[a-z_]\\w*\\.)+[A-Z]\\w*(?:\\$\\w+)?");

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
          "the request body is not valid JSON: " + describe(e) + "; send a JSON object");
    }
    if (!(value instanceof JsonObject object)) {
      throw new ApiException(400, "malformed-json", "the request body must be a JSON object");
    }
    return object;
  }

  /**
   * What is wrong and where ("Unexpected end-of-input ... at line 1, column 7"), without the
   * parser's internals: no source description, feature or class names.
   */
  static String describe(DecodeException e) {
    if (!(e.getCause() instanceof JsonProcessingException parse)) {
      return "it could not be parsed";
    }
    String what = parse.getOriginalMessage() == null ? "parse error" : parse.getOriginalMessage();
    what = SOURCE.matcher(what).replaceAll("");
    what = INTERNAL.matcher(what).replaceAll("");
    what = what.replaceAll("\\s+", " ").trim();
    if (what.length() > 200) {
      what = what.substring(0, 200) + "...";
    }
    JsonLocation at = parse.getLocation();
    return at == null || at.getLineNr() < 1 ? what
        : what + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /** The Content-Type of every JSON answer, encoded once. */
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  /** A body already encoded as JSON (the run view's cached runs). */
  static void send(RoutingContext ctx, int status, io.vertx.core.buffer.Buffer body) {
    ctx.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .end(body);
  }

  static void send(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .end(body.encode());
  }
}
