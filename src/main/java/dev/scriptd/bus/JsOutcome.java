package dev.scriptd.bus;

import dev.scriptd.domain.RunStatus;
import io.vertx.core.json.JsonObject;

/**
 * How a js program ended, as the run owner saves it: its final status, its result (JSON value,
 * secrets masked) or error, the lines and bytes of output kept (stored and streamed), and the
 * outputs it declared with setOutput (masked too).
 */
public record JsOutcome(RunStatus status, Object result, String error, long lines, long bytes, JsonObject outputs) {
  public JsOutcome {
    outputs = outputs == null ? new JsonObject() : outputs.copy();
  }

  /** An outcome without outputs. */
  public JsOutcome(RunStatus status, Object result, String error, long lines, long bytes) {
    this(status, result, error, lines, bytes, null);
  }

  @Override
  public JsonObject outputs() {
    return outputs.copy();
  }
}
