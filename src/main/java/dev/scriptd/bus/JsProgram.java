package dev.scriptd.bus;

import dev.scriptd.domain.Run;
import io.vertx.core.json.JsonObject;

/**
 * JS_EXECUTE: the program of a js run the run owner saved running, for the JS executor to run.
 * {@code version} is the script's (null for an ad-hoc program: its content is the cache key);
 * {@code request} the endpoint request or null; {@code timeoutMs} the wall-clock limit from now.
 * The reply, a {@link JsOutcome}, comes when the program ended.
 */
public record JsProgram(Run run, String program, String name, Long version, JsonObject request, long timeoutMs) {
}
