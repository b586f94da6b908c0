package dev.scriptd.js;

/** A bus reply failure with its code (an HTTP status); flow control, so no stack trace. */
final class JsFailure extends RuntimeException {
  final int code;

  JsFailure(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }
}
