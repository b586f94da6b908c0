package dev.scriptd.persistence;

/** A failure the caller should see with its own code (a {@code ReplyCodes} value) and message. */
final class ReplyFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int code;

  ReplyFailure(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  int code() {
    return code;
  }
}
