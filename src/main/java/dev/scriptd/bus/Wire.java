package dev.scriptd.bus;

import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunIo;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.RunLineage;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.RunUsage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The JSON wire forms of the run owner's typed bodies, for the commands one node's run owner
 * forwards to another's (see {@link Addresses#onNode}). A run's wire form carries every field,
 * its internal ones too (env, pid start, limits, secret parameter values, chain depth), unlike its
 * API shape: the node that receives it runs it. Times keep their full precision. A start's
 * resolved script definition does not travel: the receiving node resolves the script by its id.
 */
public final class Wire {
  private Wire() {
  }

  public static JsonObject run(Run run) {
    JsonObject env = new JsonObject();
    run.env().forEach(env::put);
    RunLineage lineage = run.lineage();
    RunIo io = run.io();
    return new JsonObject()
        .put("id", run.id())
        .put("script_id", run.scriptId())
        .put("kind", run.kind())
        .put("command", run.command())
        .put("status", run.status().wire())
        .put("exit_code", run.exitCode())
        .put("pid", run.pid())
        .put("pid_start", run.pidStart())
        .put("progress", run.progress())
        .put("trigger", run.trigger())
        .put("created_at", instant(run.createdAt()))
        .put("started_at", instant(run.startedAt()))
        .put("ended_at", instant(run.endedAt()))
        .put("timeout", run.timeoutSeconds())
        .put("log_lines", run.logLines())
        .put("log_bytes", run.logBytes())
        .put("restarted_from", run.restartedFrom())
        .put("result", run.result())
        .put("error", run.error())
        .put("env", env)
        .put("cwd", run.cwd())
        .put("limits", run.limits().toStored())
        .put("pinned", run.pinned())
        .put("created_by", run.createdBy())
        .put("params", io.params())
        .put("secret_params", new JsonArray(new ArrayList<>(io.secretParams())))
        .put("outputs", io.outputs())
        .put("parent_run_id", lineage.parentRunId())
        .put("retry_of", lineage.retryOf())
        .put("attempt", lineage.attempt())
        .put("not_before", instant(lineage.notBefore()))
        .put("chain_depth", lineage.chainDepth())
        .put("usage", run.usage() == null ? null : run.usage().toJson())
        .put("node", run.node());
  }

  public static Run run(JsonObject json) {
    Map<String, String> env = new HashMap<>();
    json.getJsonObject("env", new JsonObject()).forEach(entry -> env.put(entry.getKey(), (String) entry.getValue()));
    Set<String> secrets = new LinkedHashSet<>();
    json.getJsonArray("secret_params", new JsonArray()).forEach(name -> secrets.add((String) name));
    JsonObject usage = json.getJsonObject("usage");
    return new Run(
        json.getString("id"),
        json.getString("script_id"),
        json.getString("kind"),
        json.getString("command"),
        RunStatus.fromWire(json.getString("status")),
        json.getInteger("exit_code"),
        json.getInteger("pid"),
        json.getLong("pid_start"),
        json.getInteger("progress", 0),
        json.getString("trigger"),
        instant(json.getString("created_at")),
        instant(json.getString("started_at")),
        instant(json.getString("ended_at")),
        json.getLong("timeout", 0L),
        json.getLong("log_lines", 0L),
        json.getLong("log_bytes", 0L),
        json.getString("restarted_from"),
        json.getValue("result"),
        json.getString("error"),
        env,
        json.getString("cwd"),
        RunLimits.fromStored(json.getString("limits")),
        json.getBoolean("pinned", false),
        json.getString("created_by"),
        new RunIo(json.getJsonObject("params"), secrets, json.getJsonObject("outputs")),
        new RunLineage(json.getString("parent_run_id"), json.getString("retry_of"), json.getInteger("attempt", 1),
            instant(json.getString("not_before")), json.getInteger("chain_depth", 0)),
        usage == null ? null : RunUsage.fromStored(usage.encode()),
        json.getString("node"));
  }

  public static JsonObject startScript(StartScript how) {
    JsonObject env = new JsonObject();
    how.env().forEach(env::put);
    return new JsonObject()
        // the definition stays behind: the receiving node resolves the script by its id
        .put("script_ref", how.script() != null ? how.script().id() : how.scriptRef())
        .put("env", env)
        .put("trigger", how.trigger())
        .put("stdin", how.stdin())
        .put("request", how.request())
        .put("wait_for_end", how.waitForEnd())
        .put("created_by", how.createdBy())
        .put("params", how.params())
        .put("await_lines", how.awaitLines())
        .put("node", how.node());
  }

  public static StartScript startScript(JsonObject json) {
    Map<String, String> env = new HashMap<>();
    json.getJsonObject("env", new JsonObject()).forEach(entry -> env.put(entry.getKey(), (String) entry.getValue()));
    return new StartScript(json.getString("script_ref"), null, env, json.getString("trigger"), json.getString("stdin"),
        json.getJsonObject("request"), json.getBoolean("wait_for_end", false), json.getString("created_by"),
        json.getJsonObject("params"), json.getInteger("await_lines", 0), json.getString("node"));
  }

  public static JsonObject runEnd(RunEnd end) {
    return new JsonObject().put("run", run(end.run())).put("lines", end.lines() == null ? null : end.lines().toJson());
  }

  public static RunEnd runEnd(JsonObject json) {
    JsonObject lines = json.getJsonObject("lines");
    return new RunEnd(run(json.getJsonObject("run")), lines == null ? null : LogPage.fromJson(lines));
  }

  public static JsonObject scriptRunsCommand(ScriptRunsCommand command) {
    return new JsonObject().put("script_ref", command.scriptRef()).put("action", command.action().name())
        .put("created_by", command.createdBy());
  }

  public static ScriptRunsCommand scriptRunsCommand(JsonObject json) {
    return new ScriptRunsCommand(json.getString("script_ref"), ScriptRunsCommand.Action.valueOf(json.getString("action")),
        json.getString("created_by"));
  }

  private static String instant(Instant at) {
    return at == null ? null : at.toString();
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
  }
}
