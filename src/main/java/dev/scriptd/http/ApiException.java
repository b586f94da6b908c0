package dev.scriptd.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A failure meant for the client: it becomes an application/problem+json response with this
 * status and detail. No stack trace is captured; this is flow control, not a bug.
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String type;
  private final JsonArray errors;

  public ApiException(int status, String type, String detail) {
    this(status, type, detail, null);
  }

  public ApiException(int status, String type, String detail, JsonArray errors) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.errors = errors;
  }

  public static ApiException notFound(String what) {
    return new ApiException(404, "not-found", what + " not found; check the id (list them with GET /api/runs)");
  }

  public static ApiException badRequest(String detail) {
    return new ApiException(400, "bad-request", detail);
  }

  public static ApiException invalid(JsonArray errors) {
    StringBuilder detail = new StringBuilder("the request has invalid fields: ");
    for (int i = 0; i < errors.size(); i++) {
      JsonObject error = errors.getJsonObject(i);
      detail.append(i == 0 ? "" : "; ").append(error.getString("field")).append(' ')
          .append(error.getString("message"));
    }
    return new ApiException(400, "validation", detail.toString(), errors);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public JsonArray errors() {
    return errors;
  }
}
