package dev.scriptd.process;

/** A request that cannot be served, with the bus failure code (an HTTP status) to reply with. */
final class RunFailure extends RuntimeException {
  final int code;

  RunFailure(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }
}
