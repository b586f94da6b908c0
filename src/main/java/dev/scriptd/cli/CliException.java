package dev.scriptd.cli;

/** A failure the command line reports as one line on stderr (the problem's detail) and exit code 2. */
final class CliException extends RuntimeException {
  CliException(String message) {
    super(message, null, false, false);
  }
}
