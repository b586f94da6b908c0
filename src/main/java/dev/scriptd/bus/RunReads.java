package dev.scriptd.bus;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The run reads HTTP answers in its own instance, without a round trip through the persistence
 * verticle. Safe to call from any event loop; each Future completes on the caller's context. A read
 * sees every change whose save was acknowledged before it started. Failures are
 * {@link io.vertx.core.eventbus.ReplyException}s with {@link ReplyCodes}, as the bus replies were.
 */
public interface RunReads {

  /** The API JSON of one run; fails {@link ReplyCodes#NOT_FOUND} when there is no such run. */
  Future<Buffer> runJson(String id);

  /**
   * One history page as the API's {@code {"items","next_cursor"}} JSON, newest first; fails
   * {@link ReplyCodes#BAD_REQUEST} when the cursor is not one this server made.
   */
  Future<Buffer> pageJson(RunQuery query);

  /** The figures of {@code GET /api/runs/stats} for these filters (limit and cursor ignored). */
  Future<JsonObject> stats(RunQuery query);
}
