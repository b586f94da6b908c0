package dev.scriptd.process;

import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.metrics.ScriptdMetrics;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The start and end of every run, shell or js: one INFO line each and the run meters. */
final class RunLog {
  private static final Logger LOG = LoggerFactory.getLogger(RunController.class);

  private final ScriptdMetrics metrics;

  RunLog(ScriptdMetrics metrics) {
    this.metrics = metrics;
  }

  ScriptdMetrics metrics() {
    return metrics;
  }

  /** The run is running (its process spawned or its program handed to a worker). */
  void started(Run run) {
    metrics.runStarted();
    LOG.atInfo().setMessage("run {} started: script={} kind={} pid={} trigger={}")
        .addArgument(run.id()).addArgument(scriptOf(run)).addArgument(run.kind())
        .addArgument(run.pid()).addArgument(run.trigger())
        .addKeyValue("run_id", run.id()).addKeyValue("script_id", scriptOf(run))
        .addKeyValue("kind", run.kind()).addKeyValue("status", RunStatus.RUNNING.wire())
        .log();
  }

  /** Counts the run and logs its end; called once per run, when its final status is decided. */
  void ended(Run run, boolean wasRunning) {
    metrics.runEnded(run, wasRunning);
    Long durationMs = run.durationMs(Instant.now());
    LOG.atInfo().setMessage("run {} ended: script={} kind={} status={} exit_code={} duration_ms={} lines={}")
        .addArgument(run.id()).addArgument(scriptOf(run)).addArgument(run.kind())
        .addArgument(run.status().wire()).addArgument(run.exitCode()).addArgument(durationMs)
        .addArgument(run.logLines())
        .addKeyValue("run_id", run.id()).addKeyValue("script_id", scriptOf(run))
        .addKeyValue("kind", run.kind()).addKeyValue("status", run.status().wire())
        .addKeyValue("exit_code", run.exitCode()).addKeyValue("duration_ms", durationMs)
        .log();
  }

  /** A run found stored lost (see RunFence) left this node without a save: the gauges only, and a line. */
  void abandoned(Run run, boolean wasRunning) {
    metrics.runAbandoned(wasRunning);
    LOG.atWarn().setMessage("run {} abandoned: stored lost by the cluster, its processes ended: script={} kind={}")
        .addArgument(run.id()).addArgument(scriptOf(run)).addArgument(run.kind())
        .addKeyValue("run_id", run.id()).addKeyValue("script_id", scriptOf(run))
        .addKeyValue("kind", run.kind()).addKeyValue("status", "lost")
        .log();
  }

  /** A run a previous server left unfinished, ended at this start: counted, with its own line. */
  void recovered(Run run) {
    metrics.runRecovered(run);
    LOG.atInfo().setMessage("run {} marked lost: script={} kind={}")
        .addArgument(run.id()).addArgument(scriptOf(run)).addArgument(run.kind())
        .addKeyValue("run_id", run.id()).addKeyValue("script_id", scriptOf(run))
        .addKeyValue("kind", run.kind()).addKeyValue("status", run.status().wire())
        .log();
  }

  static String scriptOf(Run run) {
    return run.scriptId() == null ? "adhoc" : run.scriptId();
  }
}
