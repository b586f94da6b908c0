package dev.scriptd.cli;

import io.vertx.core.json.JsonArray;

/** A failure the command line reports as one line on stderr (the problem's detail) and exit code 2. */
final class CliException extends RuntimeException {
  private final JsonArray errors;

  CliException(String message) {
    this(message, new JsonArray());
  }

  /** @param errors the problem's {@code errors[]} ({@code {"field", "message"}} each), empty when none */
  CliException(String message, JsonArray errors) {
    super(message, null, false, false);
    this.errors = errors;
  }

  JsonArray errors() {
    return errors;
  }
}
