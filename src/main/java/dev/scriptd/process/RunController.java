package dev.scriptd.process;

import com.zaxxer.nuprocess.NuProcess;
import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.StartScript;
import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.config.SecurityConfig;
import dev.scriptd.domain.LogChunk;
import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.OutputGuard;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunIo;
import dev.scriptd.domain.RunOutputs;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.RunUsage;
import dev.scriptd.domain.Script;
import dev.scriptd.domain.SecretEnv;
import dev.scriptd.metrics.ScriptdMetrics;
import dev.scriptd.params.RunParameters;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shell executor: spawn, output, progress, stop requests (TERM, then KILL after the grace),
 * timeout, exit, usage and declared outputs of shell runs; their end goes through the owner's
 * {@link RunLifecycle}. Confined to the verticle's context.
 */
final class RunController implements RunExecutor, RunFence.LiveRuns {
  private static final Logger LOG = LoggerFactory.getLogger(RunController.class);

  private final Map<String, LiveRun> live = new HashMap<>();
  private final Vertx vertx;
  private final Context context;
  private final ScriptdConfig.Runs settings;
  private final RunBus bus;
  private final OrphanReaper reaper;
  private final SecurityConfig.Limits limits;
  private final ScriptdMetrics metrics;
  private final RunLog log;
  /** limits.max_concurrent_runs, shared with JavaScript runs (see JsRuns). */
  private final RunSlots slots;
  private final RunLifecycle lifecycle;
  private final IngestGate gate;
  private final ChildEnvironment childEnv;
  private final ExitWatcher exits;
  private final OutputFiles outputs;
  private final RunContainment containment;
  /** Spawns of several runs at once, without NuProcess's global lock. */
  private final ChildSpawn spawn = ChildSpawn.forThisPlatform();

  /** {@code reaper} may be null (disabled); {@code exits} too (then NuProcess reaps every shell). */
  RunController(Vertx vertx, Context context, ScriptdConfig.Runs settings, RunBus bus,
      OrphanReaper reaper, SecurityConfig.Limits limits, RunLifecycle lifecycle, IngestGate gate,
      ExitWatcher exits, ChildEnvironment childEnv, OutputFiles outputs, RunContainment containment) {
    this.outputs = outputs;
    this.childEnv = childEnv;
    this.containment = containment;
    this.exits = exits;
    this.lifecycle = lifecycle;
    this.slots = lifecycle.slots();
    this.gate = gate;
    this.log = lifecycle.log();
    this.metrics = log.metrics();
    this.vertx = vertx;
    this.context = context;
    this.settings = settings;
    this.bus = bus;
    this.reaper = reaper;
    this.limits = limits;
  }

  LiveRun get(String runId) {
    return runId == null ? null : live.get(runId);
  }

  /** A copy: ending a queued run removes it from the live map. */
  Collection<LiveRun> live() {
    return List.copyOf(live.values());
  }

  @Override
  public Collection<String> ids() {
    return List.copyOf(live.keySet());
  }

  @Override
  public boolean isLive(String runId) {
    return get(runId) != null;
  }

  @Override
  public int size() {
    return live.size();
  }

  @Override
  public void pinned(String runId, boolean pin) {
    LiveRun run = get(runId);
    if (run != null) {
      run.run = run.run.withPinned(pin);
    }
  }

  @Override
  public Future<Run> kill(String runId) {
    LiveRun run = get(runId);
    if (run == null) {
      return null;
    }
    requestEnd(run, RunStatus.KILLED);
    return Future.succeededFuture(run.current());
  }

  /**
   * The run is stored lost (see RunFence): its processes get TERM, then KILL after the grace, and it
   * leaves without a save; completes once it is gone (at once when it is not live here).
   */
  @Override
  public Future<Void> abandon(String runId) {
    LiveRun run = get(runId);
    if (run == null) {
      return Future.succeededFuture();
    }
    run.abandoned = true;
    requestEnd(run, RunStatus.KILLED);
    return run.ended.future().mapEmpty();
  }

  /** A run waiting for a slot stays pending for the next start (as a script's queue does); the others end killed. */
  @Override
  public Future<?> stopAll() {
    List<Future<Run>> ends = new ArrayList<>();
    for (LiveRun run : live()) {
      if (run.queued) {
        leaveWaiting(run);
        continue;
      }
      requestEnd(run, RunStatus.KILLED);
      ends.add(run.ended.future());
    }
    return Future.join(ends);
  }

  /**
   * With a slot free: spawn → running saved, the run's first and only row before the answer (one
   * write; the answer leaves once it is committed); a spawn failure ends the run failed. The order
   * keeps the run's contract: its one row says running with the real pid and started_at, and no row
   * ever says running for a process that never existed. Until that row is committed:
   * <ul>
   *   <li>the orphan reaper knows the run by its id before the spawn (its marker and cgroup), so a
   *   crash between spawn and commit, which leaves no row for recovery, still ends its processes;</li>
   *   <li>its output is held here (bounded by the ingest gate, which counts it as unwritten) and sent
   *   in order once the row is committed: storage places a run's log file from its row.</li>
   * </ul>
   * With limits.max_concurrent_runs runs active (or without the reaper, so that recovery finds the
   * run by its row), the run is saved pending first and then spawned or waits in a FIFO queue
   * (answered pending); with that queue full too, the launch fails 429 before anything is saved.
   */
  @Override
  public Future<Run> start(Run pending, RunInput input) {
    boolean endpoint = Run.TRIGGER_ENDPOINT.equals(pending.trigger());
    BusFailure refused = slots.refusal(endpoint);
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    LiveRun run = liveRun(pending);
    run.stdin = input.stdin();
    live.put(run.id(), run);
    metrics.runQueued();
    if (reaper != null && slots.tryTake(run.id(), endpoint)) {
      run.unsavedOutput = new ArrayList<>();
      return spawn(run);
    }
    slots.reserve(endpoint);
    return bus.saveAndPublish(pending)
        .onComplete(ar -> slots.unreserve(endpoint))
        .onSuccess(saved -> run.saved = true)
        .onFailure(e -> {
          live.remove(run.id());
          metrics.runDequeued();
        })
        .compose(saved -> startOrQueue(run));
  }

  /** Spawns now when a slot is free (limits.max_concurrent_runs), else waits in the FIFO. */
  private Future<Run> startOrQueue(LiveRun run) {
    boolean endpoint = Run.TRIGGER_ENDPOINT.equals(run.run.trigger());
    if (slots.tryTake(run.id(), endpoint)) {
      return spawn(run);
    }
    run.queued = true;
    slots.whenSlotFree(run.id(), endpoint, () -> {
      run.queued = false;
      spawn(run).onFailure(e -> LOG.error("could not start queued run {}", run.id(), e));
    });
    // marked so (before the answer), the run stays pending over a restart and waits for a slot
    // again: its row holds all it needs (an endpoint call's stdin is kept in memory only, as in a
    // script's queue)
    return bus.awaitSlot(run.current()).transform(marked -> {
      if (marked.failed()) {
        LOG.warn("run {} waits for a slot but could not be marked so: a restart will end it lost: {}",
            run.id(), marked.cause().getMessage());
      }
      return Future.succeededFuture(run.current());
    });
  }

  /**
   * The server is stopping: a run waiting for a slot leaves this server without ending; its row
   * stays pending, marked as waiting for a slot, and the next start queues it again.
   */
  private void leaveWaiting(LiveRun run) {
    slots.withdraw(run.id());
    run.queued = false;
    live.remove(run.id());
  }

  /** A queued run asked to stop ends at once, never spawned. */
  private void endQueued(LiveRun run, RunStatus reason) {
    run.queued = false;
    live.remove(run.id());
    run.started.complete();
    Run ended = run.current().ended(
        RunStateMachine.next(run.run.status(), RunStateMachine.endEvent(reason, false)), null, null,
        "stopped while waiting for a free slot (limits.max_concurrent_runs)", Instant.now());
    run.run = ended;
    (run.abandoned ? lifecycle.abandoned(ended, false, RunLifecycle.Slot.WAITING)
        : lifecycle.ended(ended, false, RunLifecycle.Slot.WAITING)).onComplete(ar -> run.ended.complete(ended));
  }

  @Override
  public Future<Run> startScript(Script script, StartScript how, Map<String, String> env, RunIo io) {
    StartRequest request = new StartRequest(script.command(), script.timeoutSeconds(), env, script.cwd(), script.id(),
        how.trigger(), null, how.stdin(), script.limits(), how.createdBy(), io);
    return StartRequest.checkCwd(vertx, request.cwd()).compose(v -> start(request.pending(),
        RunInput.shell(request.stdin())));
  }

  /** Spawns a run already saved pending with its command (a cwd gone meanwhile fails the spawn, and so the run). */
  @Override
  public Future<Run> startSaved(Run pending, Script script, StartScript input) {
    if (pending.command() == null) {
      return Future.failedFuture(new BusFailure(ReplyCodes.CONFLICT, "run " + pending.id()
          + " is not a shell run with a command"));
    }
    LiveRun run = liveRun(pending);
    run.stdin = input == null ? null : input.stdin();
    run.saved = true;
    live.put(run.id(), run);
    metrics.runQueued(); // spawn counts it started (or failed) like any launch
    return startOrQueue(run);
  }

  /**
   * The live state of a run about to start: its limits are the server's defaults with the run's
   * override (capped by the defaults now, so a lowered default also holds for a run queued before).
   */
  private LiveRun liveRun(Run pending) {
    LiveRun run = new LiveRun(pending, settings.ringLines());
    run.limits = limits.perRun().resolve(pending.limits());
    run.guard = OutputGuard.forRun(pending, run.limits);
    return run;
  }

  private Future<Run> spawn(LiveRun run) {
    RunProcessHandler handler = new RunProcessHandler(context, settings, gate,
        new HandOver.Target() {
          @Override
          public void output(OutputBatch output) {
            onOutput(run, output);
          }

          @Override
          public void exited(int code, ExitWaiter.Status status) {
            run.started.future().onComplete(ar -> outputEnded(run, code, status));
          }
        }, exits, (status, othersAlive, usage) -> run.started.future().onComplete(ar -> {
          run.shellUsage = usage;
          shellExited(run, status == null ? null : status.shellCode(), othersAlive);
        }));
    run.handler = handler;
    // a run without a row is known to the reaper before it has processes (see start)
    RunCgroup cgroup = containment.cgroupOf(run.id());
    Future<Void> covered = run.saved || reaper == null ? Future.succeededFuture()
        : reaper.registerRun(run.id(), cgroup == null ? null : cgroup.dir());
    return covered.compose(v -> context.executeBlocking(() -> startProcess(run, handler), false))
        .transform(ar -> ar.succeeded() ? running(run, ar.result(), handler) : spawnFailed(run, ar.cause()));
  }

  /**
   * Blocking: creates the run's cgroup (with a cgroup per run), then posix_spawn of
   * {@code [sh -c 'enter the cgroup'] setsid [prlimit ...] [setpriv ...] [nice ...] <shell> -c COMMAND};
   * each of them execs the next, so pid = pgid (see {@link ProcessLimits}).
   */
  private int startProcess(LiveRun live, RunProcessHandler handler) throws IOException {
    RunCgroup cgroup = containment.cgroupOf(live.id());
    if (cgroup != null) {
      cgroup.create(live.limits, containment.controllers());
    }
    try {
      int pid = spawnProcess(live, handler, cgroup);
      live.cgroup = cgroup;
      return pid;
    } catch (IOException | RuntimeException e) {
      if (cgroup != null) {
        cgroup.remove();
      }
      throw e;
    }
  }

  private int spawnProcess(LiveRun live, RunProcessHandler handler, RunCgroup cgroup) throws IOException {
    Run run = live.run;
    String stdin = live.stdin;
    live.outputFile = outputs.create(run.id());
    // a script run's parameter values go in the environment only, never into the command text
    Map<String, String> own = new HashMap<>(run.scriptId() == null ? Map.of()
        : RunParameters.environment(run.io().params()));
    own.put("SCRIPTD_RUN_ID", run.id());
    own.put("SCRIPTD_OUTPUT", live.outputFile.toString());
    // never the server's whole environment: it holds the admin token (SCRIPTD_ADMIN_TOKEN)
    Map<String, String> env = childEnv.forRun(SecretEnv.processEnv(run.env()), own);
    NuProcess process = spawn.start(
        ProcessLimits.command(cgroup == null ? null : cgroup.procsFile(), live.limits, limits.user(),
            settings.shell(), run.command()), env, run.cwd() == null ? null : Path.of(run.cwd()), handler);
    if (process == null) {
      throw new IOException("could not start '" + settings.shell() + "' through setsid");
    }
    if (stdin == null || stdin.isEmpty()) {
      process.closeStdin(true); // commands that read stdin see EOF at once
    } else {
      process.writeStdin(ByteBuffer.wrap(stdin.getBytes(StandardCharsets.UTF_8)));
      process.closeStdin(false); // EOF once the bytes are written
    }
    return process.getPID();
  }

  private Future<Run> running(LiveRun run, int pid, RunProcessHandler handler) {
    run.pgid = pid;
    run.pidStart = handler.pidStart();
    run.stop = new GroupStop(vertx, context, settings.killGraceMs(), run.cgroup != null
        ? RunProcesses.of(run.cgroup, pid, run.pidStart) : RunProcesses.of(pid, run.pidStart, run.id()));
    if (reaper != null) {
      reaper.register(pid, run.pidStart, run.id(), run.cgroup == null ? null : run.cgroup.dir());
      reaper.unregisterRun(run.id()); // its group's registration (written after it) covers it now
    }
    // started_at first: the timeout counts from it, so ended_at - started_at >= timeout
    RunStateMachine.next(run.run.status(), RunStateMachine.Event.STARTED);
    run.run = run.current().started(pid, run.pidStart, Instant.now());
    run.timeoutTimer = vertx.setTimer(TimeUnit.SECONDS.toMillis(run.run.timeoutSeconds()), t -> {
      run.timeoutTimer = -1;
      requestEnd(run, RunStatus.TIMED_OUT);
    });
    log.started(run.run);
    if (run.requestedEnd != null) {
      requestEnd(run, run.requestedEnd); // a kill that came while the run was pending
    }
    boolean firstRow = !run.saved;
    return bus.saveAndPublish(run.run)
        .onSuccess(saved -> run.saved = true)
        .onFailure(e -> {
          LOG.error("could not save the start of run {}", run.id(), e);
          if (firstRow) {
            requestEnd(run, RunStatus.KILLED); // nobody was told of it: it must not run on unrecorded
          }
        })
        .onComplete(ar -> {
          // after a failed save too: the lines are kept in storage, which its end's row counts
          sendHeldOutput(run);
          run.started.complete();
        });
  }

  /** The output held while the run had no row, in order (see start). */
  private void sendHeldOutput(LiveRun run) {
    List<LogChunk> held = run.unsavedOutput;
    run.unsavedOutput = null;
    if (held != null) {
      held.forEach(bus::appendAndPublish);
    }
  }

  private Future<Run> spawnFailed(LiveRun run, Throwable cause) {
    LOG.warn("run {} could not start: {}", run.id(), cause.toString());
    Path file = run.outputFile;
    if (file != null) {
      context.executeBlocking(() -> outputs.readAndRemove(file), false);
    }
    live.remove(run.id());
    if (reaper != null) {
      reaper.unregisterRun(run.id());
    }
    sendHeldOutput(run);
    run.started.complete();
    Run failed = run.current().ended(RunStateMachine.next(run.run.status(), RunStateMachine.Event.START_FAILED),
        null, null, "could not start the process: " + cause.getMessage(), Instant.now());
    run.run = failed;
    return lifecycle.ended(failed, false, RunLifecycle.Slot.HELD).onComplete(ar -> run.ended.complete(failed));
  }

  private void onOutput(LiveRun run, OutputBatch output) {
    boolean wasHit = run.guard.limitHit();
    List<LogLine> lines = run.guard.admit(output.lines(), output.textBytes());
    gate.taken(output.lines().size(), lines.size());
    if (lines.isEmpty()) {
      return;
    }
    long bytes = output.readBytes();
    if (!wasHit && run.guard.limitHit()) {
      bytes = 0; // the chunk that hit the limit counts only the lines kept (not the marker)
      for (LogLine line : lines.subList(0, lines.size() - 1)) {
        bytes += line.utf8Length() + 1;
      }
      outputLimitHit(run);
    }
    // masking or the limit's marker line may have changed lines: then look at each for progress
    boolean progressed = run.take(lines, bytes, output.mayHaveProgress() || lines != output.lines());
    LogChunk chunk = new LogChunk(run.id(), lines, bytes);
    if (run.unsavedOutput != null) {
      run.unsavedOutput.add(chunk);
    } else {
      bus.appendAndPublish(chunk);
    }
    if (progressed) {
      progressChanged(run);
    }
  }

  private void outputLimitHit(LiveRun run) {
    run.endError = run.guard.limitError(run.limits.killOnLogLimit());
    if (run.limits.killOnLogLimit()) {
      requestEnd(run, RunStatus.FAILED);
    }
  }

  /** Persists and publishes a progress change at most every 250 ms (the last value always). */
  private void progressChanged(LiveRun run) {
    if (run.run.status() != RunStatus.RUNNING || run.exited || run.abandoned || run.progressTimer >= 0) {
      return; // the next save (start, timer or end) carries it
    }
    long wait = run.progressSavedAt + 250 - System.currentTimeMillis();
    if (wait > 0) {
      run.progressTimer = vertx.setTimer(wait, t -> {
        run.progressTimer = -1;
        progressChanged(run);
      });
      return;
    }
    run.progressSavedAt = System.currentTimeMillis();
    run.run = run.current();
    bus.saveAndPublish(run.run).onFailure(e -> {
      if (!RunBus.isRefused(e)) {
        LOG.warn("could not save progress of {}", run.id(), e);
      }
    });
  }

  /** Asks a run to stop: TERM to its group now, KILL after the grace; it ends {@code reason}. */
  void requestEnd(LiveRun run, RunStatus reason) {
    if (run.requestedEnd == null) {
      run.requestedEnd = reason;
    }
    if (run.handler != null) {
      run.handler.stopRequested(); // its output is read on without waiting for the writer
    }
    if (run.queued) {
      endQueued(run, reason);
      return;
    }
    if (!run.spawned() || run.groupEnded) {
      return;
    }
    run.stop.terminate();
  }

  /** The run's output ended: both pipes closed and every line was taken. */
  private void outputEnded(LiveRun run, int nuProcessCode, ExitWaiter.Status status) {
    if (!run.spawned() || run.run.status().isFinal()) {
      return; // the spawn failed and that path ended the run
    }
    run.outputEnded = true;
    if (run.handler.watched()) {
      endIfDone(run);
    } else {
      // without the exit watcher NuProcess reaped the shell just now, so its exit is known only here
      shellExited(run, shellExitCode(nuProcessCode, status, run.stop.termSent()), null);
    }
  }

  /**
   * The shell exited ({@code exitCode} null: lost): the run ends once what is left of its group is
   * ended (see {@link GroupStop#drain}) and its output ended. {@code othersAlive} null: unknown.
   */
  private void shellExited(LiveRun run, Integer exitCode, Boolean othersAlive) {
    if (!run.spawned() || run.exited || run.run.status().isFinal()) {
      return;
    }
    run.exited = true;
    run.exitCode = exitCode;
    if (run.timeoutTimer >= 0) {
      vertx.cancelTimer(run.timeoutTimer); // the run is ending: the timeout no longer applies
      run.timeoutTimer = -1;
    }
    // the group's emptiness says nothing of processes that left it (a cgroup or the run's marker finds them)
    run.stop.drain(Boolean.TRUE.equals(othersAlive) ? Boolean.TRUE : null).onComplete(ar -> {
      run.groupEnded = true;
      endIfDone(run);
    });
  }

  private void endIfDone(LiveRun run) {
    if (run.exited && run.outputEnded && run.groupEnded && !run.finishing && !run.run.status().isFinal()) {
      run.finishing = true;
      cancelTimers(run);
      context.executeBlocking(() -> collect(run), false).onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("could not collect the end of run {}", run.id(), ar.cause());
        }
        finish(run, ar.succeeded() ? ar.result() : new Ending(new RunOutputs(), null));
      });
    }
  }

  /**
   * Blocking, once no process of the run is left: what it used, and its cgroup removed (killed once
   * more first if a process is still in it). A group that cannot be removed stays registered with
   * the reaper, and recovery removes it at the next start.
   */
  private RunUsage measureAndRelease(LiveRun run) {
    RunUsage shell = run.shellUsage;
    if (run.cgroup == null) {
      return shell == null ? new RunUsage(null, null, null, null, RunUsage.PROCESS_GROUP)
          : new RunUsage(shell.cpuUserMs(), shell.cpuSystemMs(), shell.maxRssBytes(), null, RunUsage.PROCESS_GROUP);
    }
    RunUsage usage = run.cgroup.usage(shell);
    if (!run.cgroup.release(Math.min(1000, settings.killGraceMs() + 100))) {
      LOG.warn("could not remove the cgroup {} of run {}: {} left in it", run.cgroup.dir(), run.id(),
          run.cgroup.pids());
      return usage;
    }
    run.cgroupRemoved = true;
    return usage;
  }

  /** What the end of a shell run collects off the event loop: its declared outputs and its usage. */
  private record Ending(RunOutputs declared, RunUsage usage) {
  }

  /** Blocking: the outputs the run declared (its file read and removed), then what it used. */
  private Ending collect(LiveRun run) {
    RunOutputs declared = new RunOutputs();
    if (run.outputFile != null) {
      try {
        declared = outputs.readAndRemove(run.outputFile);
      } catch (RuntimeException e) {
        LOG.warn("could not read the outputs of run {}: {}", run.id(), e.toString());
      }
    }
    RunUsage usage = null;
    try {
      usage = measureAndRelease(run);
    } catch (RuntimeException e) {
      LOG.warn("could not measure the usage of run {}", run.id(), e);
    }
    return new Ending(declared, usage);
  }

  private void finish(LiveRun run, Ending ending) {
    RunOutputs declared = ending.declared();
    Integer exitCode = run.exitCode;
    RunStatus outcome = RunStateMachine.next(run.run.status(),
        RunStateMachine.endEvent(run.requestedEnd, exitCode != null && exitCode == 0));
    String error = run.endError != null ? run.endError
        : exitCode == null ? "the exit status of the process was lost" : null;
    String dropped = run.guard.redact(declared.dropped());
    if (dropped != null) {
      error = error == null ? dropped : error + "; " + dropped;
    }
    Run stopped = run.current().ended(outcome, exitCode, null, error, Instant.now()).withUsage(ending.usage());
    // what a run declared is masked like its lines: a secret never reaches an answer through outputs
    Run ended = stopped.withIo(stopped.io().withOutputs((JsonObject) run.guard.redactValue(declared.outputs())));
    run.run = ended;
    (run.abandoned ? lifecycle.abandoned(ended, true, RunLifecycle.Slot.HELD)
        : lifecycle.ended(ended, true, RunLifecycle.Slot.HELD)).onComplete(ar -> {
      if (reaper != null && (run.cgroup == null || run.cgroupRemoved)) {
        reaper.unregister(run.pgid);
      }
      live.remove(run.id());
      run.ended.complete(ended);
    });
  }

  private void cancelTimers(LiveRun run) {
    for (long timer : new long[] {run.timeoutTimer, run.progressTimer}) {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
    }
    run.timeoutTimer = run.progressTimer = -1;
    if (run.stop != null) {
      run.stop.cancel();
    }
  }

  /**
   * The exit code as a shell reports it (128 + N for death by signal N), when NuProcess reaped the
   * shell (no exit watcher). Fix A reads the real wait status; without it we fall back on
   * NuProcess's code, which reports a signal N as plain N and exit 127 as Integer.MIN_VALUE
   * (Integer.MAX_VALUE when the status was lost).
   */
  static Integer shellExitCode(int nuProcessCode, ExitWaiter.Status status, boolean signalled) {
    if (status != null) {
      return status.shellCode();
    }
    if (nuProcessCode == Integer.MIN_VALUE) {
      return 127;
    }
    if (nuProcessCode == Integer.MAX_VALUE) {
      return null;
    }
    if (signalled && (nuProcessCode == ProcessGroups.SIGTERM || nuProcessCode == ProcessGroups.SIGKILL)) {
      return 128 + nuProcessCode;
    }
    return nuProcessCode;
  }
}
