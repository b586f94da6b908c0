package dev.scriptd.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One execution of a command or program. Immutable: every change makes a new value, so a run can
 * be handed between verticles on the event bus without copying.
 *
 * <p>{@code pidStart} is the child's start time in clock ticks since boot (field 22 of
 * {@code /proc/PID/stat}); with the pid it identifies the process group safely, so a reused pid
 * is never signalled. It, {@code env} and {@code limits} (the override of the server's per-run
 * limits the run was created with) are internal and never part of the API JSON. {@code pinned}:
 * no cleanup deletes the run; only the pin routes change it (a save of the run leaves it as stored).
 * {@code createdBy}: the name of the caller who started it through the API, the UI or an endpoint
 * with a token; null for cron, chain, retry and public endpoint runs.
 * {@code io}: its parameter values and outputs (secret values masked in the API JSON).
 * {@code usage}: what the run used, set when a shell run ends (null before, and for js runs).
 * {@code node}: the id of the cluster node that runs it; null on a single node (a save without it
 * keeps the stored one).
 */
public record Run(
    String id,
    String scriptId,
    String kind,
    String command,
    RunStatus status,
    Integer exitCode,
    Integer pid,
    Long pidStart,
    int progress,
    String trigger,
    Instant createdAt,
    Instant startedAt,
    Instant endedAt,
    long timeoutSeconds,
    long logLines,
    long logBytes,
    String restartedFrom,
    Object result,
    String error,
    Map<String, String> env,
    String cwd,
    RunLimits limits,
    boolean pinned,
    String createdBy,
    RunIo io,
    RunLineage lineage,
    RunUsage usage,
    String node) {

  public static final String KIND_SHELL = "shell";
  public static final String KIND_JS = "js";
  /** The trigger of runs started by a call to an endpoint ({@code /hooks/...}). */
  public static final String TRIGGER_ENDPOINT = "endpoint";

  public Run {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    env = env == null ? Map.of() : Map.copyOf(env);
    limits = limits == null ? RunLimits.NONE : limits;
    io = io == null ? RunIo.NONE : io;
    lineage = lineage == null ? RunLineage.FIRST : lineage;
  }

  /** A run nobody known started that is no link of a chain nor a retry (see {@link RunLineage#FIRST}). */
  public Run(String id, String scriptId, String kind, String command, RunStatus status, Integer exitCode,
      Integer pid, Long pidStart, int progress, String trigger, Instant createdAt, Instant startedAt,
      Instant endedAt, long timeoutSeconds, long logLines, long logBytes, String restartedFrom,
      Object result, String error, Map<String, String> env, String cwd, RunLimits limits, boolean pinned,
      RunIo io) {
    this(id, scriptId, kind, command, status, exitCode, pid, pidStart, progress, trigger, createdAt,
        startedAt, endedAt, timeoutSeconds, logLines, logBytes, restartedFrom, result, error, env, cwd,
        limits, pinned, null, io, RunLineage.FIRST, null, null);
  }

  /** A run nobody known started, without parameters or outputs (tests, older callers). */
  public Run(String id, String scriptId, String kind, String command, RunStatus status, Integer exitCode,
      Integer pid, Long pidStart, int progress, String trigger, Instant createdAt, Instant startedAt,
      Instant endedAt, long timeoutSeconds, long logLines, long logBytes, String restartedFrom,
      Object result, String error, Map<String, String> env, String cwd, RunLimits limits, boolean pinned) {
    this(id, scriptId, kind, command, status, exitCode, pid, pidStart, progress, trigger, createdAt,
        startedAt, endedAt, timeoutSeconds, logLines, logBytes, restartedFrom, result, error, env, cwd,
        limits, pinned, null, RunIo.NONE, RunLineage.FIRST, null, null);
  }

  /** An unpinned run. */
  public Run(String id, String scriptId, String kind, String command, RunStatus status, Integer exitCode,
      Integer pid, Long pidStart, int progress, String trigger, Instant createdAt, Instant startedAt,
      Instant endedAt, long timeoutSeconds, long logLines, long logBytes, String restartedFrom,
      Object result, String error, Map<String, String> env, String cwd, RunLimits limits) {
    this(id, scriptId, kind, command, status, exitCode, pid, pidStart, progress, trigger, createdAt,
        startedAt, endedAt, timeoutSeconds, logLines, logBytes, restartedFrom, result, error, env, cwd,
        limits, false, null, RunIo.NONE, RunLineage.FIRST, null, null);
  }

  /** A new run waiting to start, with the server's default limits. */
  public static Run pending(String id, String scriptId, String kind, String command, String trigger,
      long timeoutSeconds, Map<String, String> env, String cwd, String restartedFrom, Instant now) {
    return pending(id, scriptId, kind, command, trigger, timeoutSeconds, env, cwd, restartedFrom, now,
        RunLimits.NONE);
  }

  /** A new run waiting to start; {@code limits} is the override it runs with (see {@link RunLimits}). */
  public static Run pending(String id, String scriptId, String kind, String command, String trigger,
      long timeoutSeconds, Map<String, String> env, String cwd, String restartedFrom, Instant now,
      RunLimits limits) {
    return new Run(id, scriptId, kind, command, RunStatus.PENDING, null, null, null, 0, trigger, now,
        null, null, timeoutSeconds, 0, 0, restartedFrom, null, null, env, cwd, limits, false, null, RunIo.NONE,
        RunLineage.FIRST, null, null);
  }

  /** Running since {@code at}; {@code pid} and {@code pidStart} are null for a JavaScript run. */
  public Run started(Integer pid, Long pidStart, Instant at) {
    checkMove(RunStatus.RUNNING);
    return new Run(id, scriptId, kind, command, RunStatus.RUNNING, null, pid, pidStart, progress,
        trigger, createdAt, at, null, timeoutSeconds, logLines, logBytes, restartedFrom, result,
        error, env, cwd, limits, pinned, createdBy, io, lineage, usage, node);
  }

  public Run ended(RunStatus finalStatus, Integer exitCode, Object result, String error, Instant at) {
    checkMove(finalStatus);
    return new Run(id, scriptId, kind, command, finalStatus, exitCode, pid, pidStart, progress,
        trigger, createdAt, startedAt, at, timeoutSeconds, logLines, logBytes, restartedFrom, result,
        error, env, cwd, limits, pinned, createdBy, io, lineage, usage, node);
  }

  public Run withLog(long lines, long bytes) {
    return new Run(id, scriptId, kind, command, status, exitCode, pid, pidStart, progress, trigger,
        createdAt, startedAt, endedAt, timeoutSeconds, lines, bytes, restartedFrom, result, error,
        env, cwd, limits, pinned, createdBy, io, lineage, usage, node);
  }

  /** The same run with {@code text} added to its error (after what it already says). */
  public Run withErrorAdded(String text) {
    String combined = error == null || error.isBlank() ? text : error + "; " + text;
    return new Run(id, scriptId, kind, command, status, exitCode, pid, pidStart, progress, trigger,
        createdAt, startedAt, endedAt, timeoutSeconds, logLines, logBytes, restartedFrom, result, combined,
        env, cwd, limits, pinned, createdBy, io, lineage, usage, node);
  }

  public Run withProgress(int percent) {
    return new Run(id, scriptId, kind, command, status, exitCode, pid, pidStart, percent, trigger,
        createdAt, startedAt, endedAt, timeoutSeconds, logLines, logBytes, restartedFrom, result,
        error, env, cwd, limits, pinned, createdBy, io, lineage, usage, node);
  }

  public Run withPinned(boolean pin) {
    return new Run(id, scriptId, kind, command, status, exitCode, pid, pidStart, progress, trigger,
        createdAt, startedAt, endedAt, timeoutSeconds, logLines, logBytes, restartedFrom, result, error,
        env, cwd, limits, pin, createdBy, io, lineage, usage, node);
  }

  /** The same run, started by {@code name} (null: by scriptd itself or an anonymous caller). */
  public Run withCreatedBy(String name) {
    return new Run(id, scriptId, kind, command, status, exitCode, pid, pidStart, progress, trigger,
        createdAt, startedAt, endedAt, timeoutSeconds, logLines, logBytes, restartedFrom, result, error,
        env, cwd, limits, pinned, name, io, lineage, usage, node);
  }

  /** The same run as a link of a chain or an attempt of a retry series. */
  public Run withLineage(RunLineage other) {
    return new Run(id, scriptId, kind, command, status, exitCode, pid, pidStart, progress, trigger,
        createdAt, startedAt, endedAt, timeoutSeconds, logLines, logBytes, restartedFrom, result, error,
        env, cwd, limits, pinned, createdBy, io, other, usage, node);
  }

  /** The same run with these parameter values (and outputs); see {@link RunIo}. */
  public Run withIo(RunIo other) {
    return new Run(id, scriptId, kind, command, status, exitCode, pid, pidStart, progress, trigger,
        createdAt, startedAt, endedAt, timeoutSeconds, logLines, logBytes, restartedFrom, result, error,
        env, cwd, limits, pinned, createdBy, other, lineage, usage, node);
  }

  /** The same run, run by the cluster node {@code id} (null: a single node, which records none). */
  public Run withNode(String nodeId) {
    return new Run(id, scriptId, kind, command, status, exitCode, pid, pidStart, progress, trigger,
        createdAt, startedAt, endedAt, timeoutSeconds, logLines, logBytes, restartedFrom, result, error,
        env, cwd, limits, pinned, createdBy, io, lineage, usage, nodeId);
  }

  /** The same run with what it used (see {@link RunUsage}). */
  public Run withUsage(RunUsage measured) {
    return new Run(id, scriptId, kind, command, status, exitCode, pid, pidStart, progress, trigger,
        createdAt, startedAt, endedAt, timeoutSeconds, logLines, logBytes, restartedFrom, result, error,
        env, cwd, limits, pinned, createdBy, io, lineage, measured, node);
  }

  private void checkMove(RunStatus next) {
    if (!status.canMoveTo(next)) {
      throw new IllegalStateException("run " + id + " cannot move from " + status + " to " + next);
    }
  }

  /**
   * Run time so far: ended - started, or now - started while running, or null before start. In
   * whole milliseconds of the times as shown (and stored), so a run read back from the database and
   * the same run in memory say the same, and it equals ended_at - started_at.
   */
  public Long durationMs(Instant now) {
    if (startedAt == null) {
      return null;
    }
    Instant end = endedAt != null ? endedAt : (status.isFinal() ? startedAt : now);
    return Math.max(0, end.toEpochMilli() - startedAt.toEpochMilli());
  }

  /** The API shape of a run (src/docs/api.md, "Runs"). */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("script_id", scriptId)
        .put("kind", kind)
        .put("command", command)
        .put("status", status.wire())
        .put("exit_code", exitCode)
        .put("pid", pid)
        .put("progress", progress)
        .put("trigger", trigger)
        .put("created_at", Times.format(createdAt))
        .put("started_at", Times.format(startedAt))
        .put("ended_at", Times.format(endedAt))
        .put("duration_ms", durationMs(Instant.now()))
        .put("timeout", timeoutSeconds)
        .put("log_lines", logLines)
        .put("log_bytes", logBytes)
        .put("restarted_from", restartedFrom)
        .put("result", result)
        .put("error", error)
        .put("cwd", cwd)
        .put("params", io.paramsForApi())
        .put("outputs", io.outputs())
        .put("parent_run_id", lineage.parentRunId())
        .put("retry_of", lineage.retryOf())
        .put("attempt", lineage.attempt())
        .put("not_before", Times.format(lineage.notBefore()))
        .put("pinned", pinned)
        .put("created_by", createdBy)
        // the cluster node that runs it; null on a single node
        .put("node", node)
        .put("usage", usage == null ? null : usage.toJson());
  }
}
