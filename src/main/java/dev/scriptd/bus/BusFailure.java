package dev.scriptd.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * A bus request that cannot be served: the requester receives its code (a {@link ReplyCodes}
 * value, an HTTP status the HTTP edge passes on) and its message. Flow control, so no stack trace
 * of its own; a cause, when given, is logged with it.
 */
public final class BusFailure extends RuntimeException {
  private final int code;

  public BusFailure(int code, String message) {
    this(code, message, null);
  }

  public BusFailure(int code, String message, Throwable cause) {
    super(message, cause, false, false);
    this.code = code;
  }

  public int code() {
    return code;
  }

  /**
   * The code to fail a request with for {@code error}: a BusFailure's own; a recipient's failure
   * code passed on; 503 when the recipient was missing or did not answer in time; 500 otherwise.
   */
  public static int codeOf(Throwable error) {
    if (error instanceof BusFailure failure) {
      return failure.code;
    }
    if (error instanceof ReplyException reply) {
      return reply.failureType() == ReplyFailure.RECIPIENT_FAILURE ? reply.failureCode() : ReplyCodes.UNAVAILABLE;
    }
    return 500;
  }

  /** True when {@code error} is a recipient's failure with {@code code}. */
  public static boolean is(Throwable error, int code) {
    return error instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && reply.failureCode() == code;
  }
}
