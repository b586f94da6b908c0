package dev.scriptd.process;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunIo;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.SecretEnv;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A validated {@code RUNS_START} body (or the repetition of an earlier run for a restart).
 * {@code stdin} (optional) is written to the child's standard input, which is then closed.
 * {@code limits} is the run's override of the server's limits (a script's {@code limits}); it is
 * capped by the server's when the run spawns. {@code createdBy}: the name of the caller who asked
 * (null for scriptd's own starts and anonymous callers). {@code io}: its parameter values (no outputs yet).
 */
record StartRequest(String command, long timeoutSeconds, Map<String, String> env, String cwd,
    String scriptId, String trigger, String restartedFrom, String stdin, RunLimits limits, String createdBy,
    RunIo io) {

  static StartRequest parse(JsonObject body, ScriptdConfig.Runs settings) {
    if (body == null) {
      throw bad("the body must be a JSON object with a \"command\"");
    }
    Object command = body.getValue("command");
    if (!(command instanceof String text) || text.isBlank()) {
      throw bad("command is required and must be a non-blank string");
    }
    long timeout = settings.defaultTimeoutSeconds();
    Object rawTimeout = body.getValue("timeout");
    if (rawTimeout != null) {
      if (!(rawTimeout instanceof Number number) || number.doubleValue() != number.longValue()
          || number.longValue() < 1 || number.longValue() > ScriptdConfig.MAX_TIMEOUT_SECONDS) {
        throw bad("timeout must be a whole number of seconds in 1.." + ScriptdConfig.MAX_TIMEOUT_SECONDS);
      }
      timeout = number.longValue();
    }
    String cwd = optional(body, "cwd");
    if (cwd != null && cwd.indexOf('\0') >= 0) {
      throw bad("cwd must not contain a NUL character"); // no path can: Path.of would throw
    }
    return new StartRequest(text, timeout, env(body.getValue("env")), cwd,
        optional(body, "script_id"), defaulted(optional(body, "trigger"), "api"),
        optional(body, "restarted_from"), optional(body, "stdin"),
        RunLimits.parse(body.getValue("limits"), (field, message) -> {
          throw bad(field + " " + message);
        }), optional(body, "created_by"), RunIo.NONE);
  }

  /** Fails 400 unless {@code cwd} (null: the server's) is an existing directory; looked at on a worker. */
  static Future<Void> checkCwd(Vertx vertx, String cwd) {
    if (cwd == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> Files.isDirectory(Path.of(cwd)), false).compose(ok -> ok
        ? Future.<Void>succeededFuture()
        : Future.failedFuture(bad("cwd '" + cwd + "' is not an existing directory")));
  }

  /** The new shell run this request asks for, not saved yet. */
  Run pending() {
    return Run.pending(UUID.randomUUID().toString(), scriptId, Run.KIND_SHELL, command, trigger, timeoutSeconds,
        env, cwd, restartedFrom, Instant.now(), limits).withCreatedBy(createdBy).withIo(io);
  }

  /**
   * The same command, env, cwd, timeout, limits, params and script of {@code previous}, restarted
   * from it by {@code createdBy}.
   */
  static StartRequest restartOf(Run previous, String trigger, String createdBy) {
    if (previous.command() == null || !Run.KIND_SHELL.equals(previous.kind())) {
      throw bad("run " + previous.id() + " is not a shell command and cannot be restarted here");
    }
    return new StartRequest(previous.command(), previous.timeoutSeconds(), previous.env(),
        previous.cwd(), previous.scriptId(), defaulted(trigger, "restart"), previous.id(), null,
        previous.limits(), createdBy, previous.io().withOutputs(null));
  }

  /** See {@link SecretEnv#fromInput}: the shared path of ad-hoc, script and JS runs, so all redact alike. */
  static Map<String, String> env(Object raw) {
    try {
      return SecretEnv.fromInput(raw);
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  private static String optional(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw bad(field + " must be a string");
    }
    return (String) value;
  }

  private static String defaulted(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }

  static BusFailure bad(String message) {
    return new BusFailure(ReplyCodes.BAD_REQUEST, message);
  }
}
