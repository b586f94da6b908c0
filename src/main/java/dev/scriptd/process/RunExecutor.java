package dev.scriptd.process;

import dev.scriptd.bus.StartScript;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunIo;
import dev.scriptd.domain.Script;
import io.vertx.core.Future;
import java.util.Map;

/**
 * What runs one kind of run behind the run owner: the shell executor ({@link RunController}) and
 * the JS executor ({@link JsRuns}). The owner picks it by the run's kind; the executor does what is
 * specific to that kind and leaves the end every run shares (logged, saved and published, slot given
 * back) to {@link RunLifecycle}. Confined to the owner's context.
 */
interface RunExecutor {
  /**
   * Starts a new run ({@code pending} not saved yet): answered once it is saved running, or pending
   * when every slot is busy; fails 429 when too many runs wait.
   */
  Future<Run> start(Run pending, RunInput input);

  /**
   * Starts a new run of {@code script} as {@link #start} does, for the call {@code how}, with its
   * environment ({@code env}: the script's and the call's) and parameter values ({@code io}) decided.
   */
  Future<Run> startScript(Script script, StartScript how, Map<String, String> env, RunIo io);

  /**
   * Starts a run saved pending earlier (a script's queued or held run, one left waiting for a slot)
   * with its script's current definition ({@code script}, null for an ad-hoc run) and the input of
   * the call that queued it ({@code input}, null after a restart).
   */
  Future<Run> startSaved(Run pending, Script script, StartScript input);

  /** Asks a live run to end killed (one waiting for a slot ends at once); null when it is not live here. */
  Future<Run> kill(String runId);

  /** Whether the run is live here: waiting for a slot, running, or ending. */
  boolean isLive(String runId);

  /** A pin change committed through the API: the live copy of the run keeps it. */
  void pinned(String runId, boolean pin);

  /** At shutdown: every live run ends, or stays pending for the next start; completes once each end was saved. */
  Future<?> stopAll();

  /** How many runs are live here. */
  int size();
}
