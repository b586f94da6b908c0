package dev.scriptd.process;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.StartScript;
import dev.scriptd.domain.RunIo;
import dev.scriptd.domain.Script;
import dev.scriptd.params.RunParameters;
import io.vertx.core.json.JsonObject;

/**
 * A script run's parameter values as the run owner settles them: the caller's (for a cron fire
 * without any, the script's {@code schedule.params}), checked against the script's
 * {@code parameters} and completed with the defaults by {@link RunParameters}. Every start of a
 * script's run passes here, whoever sent it; a refusal's message begins with
 * {@link RunParameters#INVALID}, which the HTTP edge turns into one errors[] item per bad value.
 */
final class ScriptParams {
  private ScriptParams() {
  }

  /** The values given for this start: the caller's, else a cron fire's {@code schedule.params}, else none. */
  static JsonObject supplied(Script script, StartScript how) {
    if (how.params() != null) {
      return how.params();
    }
    JsonObject schedule = script.schedule();
    if ("cron".equals(how.trigger()) && schedule != null && schedule.getValue("params") instanceof JsonObject params) {
      return params;
    }
    return null;
  }

  /** The run's params after defaults; fails 400 listing every bad value. */
  static RunIo io(Script script, JsonObject supplied) {
    RunParameters.Result result = RunParameters.resolve(script.parameters(), supplied);
    if (!result.valid()) {
      throw new BusFailure(ReplyCodes.BAD_REQUEST, RunParameters.INVALID + result.describe());
    }
    return new RunIo(result.values(), script.secretParameters(), null);
  }
}
