package dev.scriptd.bus;

import dev.scriptd.domain.Script;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * RUNS_START_SCRIPT: start a run of a script under its concurrency rule. {@code script} is the
 * definition when the sender resolved it already (a cron fire checked against its version), else
 * null and the run owner resolves {@code scriptRef} (an id or a name). {@code env} is added to the
 * script's; {@code stdin} (shell) and {@code request} (js) come from an endpoint call; with
 * {@code waitForEnd} the reply comes once the run ended (a run queued behind others is answered
 * pending at once). {@code createdBy} is the name of the caller who asked (null for cron, chains,
 * retries and anonymous callers). {@code params}: the caller's parameter values (null: none given),
 * which the run owner checks against the script's {@code parameters} and completes with the defaults.
 * {@code awaitLines} above 0 (with {@code waitForEnd}): the reply is a {@link RunEnd} carrying up to that
 * many first lines of the run from the run owner's live buffer, so an endpoint answers with its
 * output without reading it back from storage. {@code node}: in a cluster, the node the caller named
 * for the run (null: the run owner places it).
 */
public record StartScript(String scriptRef, Script script, Map<String, String> env, String trigger, String stdin,
    JsonObject request, boolean waitForEnd, String createdBy, JsonObject params, int awaitLines, String node) {
  public StartScript {
    env = env == null ? Map.of() : Map.copyOf(env);
    params = params == null ? null : params.copy();
  }

  /** A start the run owner places (no node named). */
  public StartScript(String scriptRef, Script script, Map<String, String> env, String trigger, String stdin,
      JsonObject request, boolean waitForEnd, String createdBy, JsonObject params, int awaitLines) {
    this(scriptRef, script, env, trigger, stdin, request, waitForEnd, createdBy, params, awaitLines, null);
  }

  /** A start answered with the run (no lines). */
  public StartScript(String scriptRef, Script script, Map<String, String> env, String trigger, String stdin,
      JsonObject request, boolean waitForEnd, String createdBy, JsonObject params) {
    this(scriptRef, script, env, trigger, stdin, request, waitForEnd, createdBy, params, 0);
  }

  /** A start without parameter values (the defaults; for cron, {@code schedule.params}). */
  public StartScript(String scriptRef, Script script, Map<String, String> env, String trigger, String stdin,
      JsonObject request, boolean waitForEnd) {
    this(scriptRef, script, env, trigger, stdin, request, waitForEnd, null, null);
  }

  @Override
  public JsonObject params() {
    return params == null ? null : params.copy();
  }

  /** The same start with these parameter values (checked by the run owner against the script's parameters). */
  public StartScript withParams(JsonObject values) {
    return new StartScript(scriptRef, script, env, trigger, stdin, request, waitForEnd, createdBy, values, awaitLines,
        node);
  }

  /** The same start, to run on the cluster node {@code nodeId} (null: wherever the run owner places it). */
  public StartScript withNode(String nodeId) {
    return new StartScript(scriptRef, script, env, trigger, stdin, request, waitForEnd, createdBy, params, awaitLines,
        nodeId);
  }

  /** A start of {@code scriptRef} with no extra input, by scriptd itself or nobody known. */
  public static StartScript of(String scriptRef, Map<String, String> env, String trigger) {
    return of(scriptRef, env, trigger, null);
  }

  /** A start of {@code scriptRef} with no extra input, asked by the caller named {@code createdBy}. */
  public static StartScript of(String scriptRef, Map<String, String> env, String trigger, String createdBy) {
    return new StartScript(scriptRef, null, env, trigger, null, null, false, createdBy, null);
  }

  public StartScript resolved(Script definition) {
    return new StartScript(scriptRef, definition, env, trigger, stdin, request, waitForEnd, createdBy, params,
        awaitLines, node);
  }
}
