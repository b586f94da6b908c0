package dev.scriptd.scripts;

import dev.scriptd.bus.ReplyCodes;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** A failure to reply with: its code is an HTTP status (see ReplyCodes). No stack trace. */
final class ScriptFailure extends RuntimeException {
  final int code;

  ScriptFailure(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  /** The failure code to reply with for {@code error}. */
  static int codeOf(Throwable error) {
    if (error instanceof ScriptFailure failure) {
      return failure.code;
    }
    if (error instanceof ReplyException reply) {
      return reply.failureType() == ReplyFailure.RECIPIENT_FAILURE ? reply.failureCode() : ReplyCodes.UNAVAILABLE;
    }
    return 500;
  }
}
