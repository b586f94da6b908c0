package dev.scriptd.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become responses: RFC 9457 application/problem+json with a detail
 * that says what is wrong and how to fix it. Unexpected exceptions are logged here, once.
 */
public final class Problems {
  public static final String CONTENT_TYPE = "application/problem+json";
  private static final String TYPE_PREFIX = "urn:scriptd:problem:";
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  private final long maxBodyBytes;

  public Problems(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Failure handler for routes and router-level errors (404 no route, 405, 413 ...). */
  public void handle(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // a stream (SSE, log.txt) already started: the only honest signal left is to close it
      if (ctx.failure() != null) {
        LOG.warn("{} {} failed after the response started: {}", ctx.request().method(), ctx.request().path(),
            ctx.failure().toString());
      }
      response.reset();
      return;
    }
    JsonObject problem = toProblem(ctx);
    response.setStatusCode(problem.getInteger("status"))
        .putHeader("Content-Type", CONTENT_TYPE)
        .putHeader("Cache-Control", "no-store")
        .end(problem.encode());
  }

  JsonObject toProblem(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    // reached with neither failure nor status: nothing handled the request (a mounted sub-router
    // falls through to its last route), which is a 404
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : failure == null ? 404 : 500;
    String type;
    String detail;
    JsonObject problem = new JsonObject();
    if (failure instanceof ApiException api) {
      status = api.status();
      type = api.type();
      detail = api.getMessage();
      if (api.errors() != null) {
        problem.put("errors", api.errors());
      }
    } else if (failure instanceof HttpException http) {
      status = http.getStatusCode();
      type = slug(status);
      detail = http.getPayload() != null ? http.getPayload() : defaultDetail(ctx, status);
    } else if (failure instanceof ReplyException reply) {
      switch (reply.failureType()) {
        case RECIPIENT_FAILURE -> {
          int code = reply.failureCode();
          status = code >= 400 && code <= 599 ? code : 500;
          detail = reply.getMessage();
          if (status == 500) {
            LOG.error("{} {}: {}", ctx.request().method(), ctx.request().path(), reply.getMessage());
            detail = "the server failed to process the request; see the server log";
          }
        }
        case NO_HANDLERS -> {
          status = 503;
          detail = "the component that serves this request is not running; check the server log";
        }
        default -> {
          status = 504;
          detail = "the server took too long to answer; retry later";
        }
      }
      type = slug(status);
    } else if (failure instanceof DecodeException) {
      status = 400;
      type = "malformed-json";
      detail = "the request body is not valid JSON; send a JSON object with Content-Type: application/json";
    } else if (malformedRequest(failure)) {
      status = 400;
      type = "malformed-request";
      detail = "the request could not be decoded (" + failure.getClass().getSimpleName()
          + "); send a well-formed HTTP request with a JSON body";
    } else if (failure != null) {
      status = 500;
      type = slug(status);
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
      detail = "the server failed to process the request; see the server log";
    } else {
      type = slug(status);
      detail = defaultDetail(ctx, status);
    }
    return problem
        .put("type", TYPE_PREFIX + type)
        .put("title", HttpResponseStatus.valueOf(status).reasonPhrase())
        .put("status", status)
        .put("detail", detail)
        .put("instance", ctx.request().path());
  }

  /**
   * Netty could not decode what the client sent (chunk sizes, form fields...), or Vert.x could not
   * decode its path (an invalid percent escape): the client's fault.
   */
  private static boolean malformedRequest(Throwable failure) {
    if (failure == null) {
      return false;
    }
    if (failure.getClass().getName().startsWith("io.netty.handler.codec.")) {
      return true;
    }
    StackTraceElement[] stack = failure.getStackTrace();
    return failure instanceof IllegalArgumentException && stack.length > 0 && decoder(stack[0].getClassName())
        || failure instanceof IllegalArgumentException && stack.length > 1 && decoder(stack[1].getClassName());
  }

  private static boolean decoder(String className) {
    return className.startsWith("io.netty.handler.codec.") || className.equals("io.vertx.core.internal.net.RFC3986");
  }

  private String defaultDetail(RoutingContext ctx, int status) {
    String request = ctx.request().method() + " " + ctx.request().path();
    return switch (status) {
      case 404 -> "no resource at " + request + "; see src/docs/api.md for the routes";
      case 405 -> request + " is not allowed; see src/docs/api.md for the methods of this path";
      case 413 -> "the request body is larger than " + maxBodyBytes + " bytes; send less or raise http.max_body_bytes";
      case 400 -> "the request is malformed";
      case 401 -> "a valid token is required";
      case 403 -> "your token's role does not allow this";
      default -> HttpResponseStatus.valueOf(status).reasonPhrase();
    };
  }

  private static String slug(int status) {
    return HttpResponseStatus.valueOf(status).reasonPhrase().toLowerCase().replace(' ', '-');
  }
}
