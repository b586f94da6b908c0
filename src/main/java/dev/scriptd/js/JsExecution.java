package dev.scriptd.js;

import dev.scriptd.bus.JsOutcome;
import dev.scriptd.domain.OutputGuard;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunLimits;
import dev.scriptd.domain.RunStatus;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicReference;
import org.graalvm.polyglot.Context;

/**
 * One JavaScript execution, shared by three threads: the verticle's event loop (its output), the
 * worker executing the program, and the watchdog (timeout, memory, kill).
 */
final class JsExecution {
  /** Why the execution was stopped from outside, with the run's error text. */
  record Stop(RunStatus status, String error) {
  }

  /** Confined to the verticle's context. */
  Run run;
  /** The limits of the run (defaults with its override). Confined to the verticle's context. */
  final RunLimits limits;
  /** Masks secrets and caps the output, as for shell runs. Confined to the verticle's context. */
  final OutputGuard guard;
  /** Lines and bytes kept (stored and streamed). Confined to the verticle's context. */
  long lines;
  long bytes;
  /** The error the output limit set (truncated, or killed), or null. Confined to the verticle's context. */
  String limitError;
  /** The program ended; the last lines are being taken. Confined to the verticle's context. */
  boolean ending;
  final JsSource source;
  /** The run's parameter values as JSON text (the global {@code params}), read on the program's thread. */
  final String paramsJson;
  /** The endpoint request (JSON), or null for a program run. */
  final JsonObject request;
  final JsOutput output;
  /** Set when the program is handed to the worker pool (the timeout does not count a wait for a slot). */
  volatile long deadlineNanos;
  final long timeoutMs;
  /** Completes with how the program ended, once its last lines were taken. */
  final Promise<JsOutcome> ended = Promise.promise();
  final AtomicReference<Stop> stop = new AtomicReference<>();

  /** Set by the worker while the program runs. */
  volatile Context context;
  volatile long threadId = -1;
  volatile long allocatedAtStart;
  volatile long retainedAtStart;
  /** Set by the watchdog once it cancelled the context. */
  volatile boolean cancelled;

  JsExecution(Run run, JsSource source, JsonObject request, JsOutput output, long timeoutMs, RunLimits limits) {
    this.run = run;
    this.limits = limits;
    this.guard = OutputGuard.forRun(run, limits);
    this.paramsJson = run.io().params().encode();
    this.source = source;
    this.request = request;
    this.output = output;
    this.timeoutMs = timeoutMs;
  }

  /** The timeout starts now. */
  void startClock() {
    deadlineNanos = System.nanoTime() + timeoutMs * 1_000_000L;
  }

  /** The timeout as the run's error says it. */
  String timeoutText() {
    return timeoutMs % 1000 == 0 ? timeoutMs / 1000 + " s" : timeoutMs + " ms";
  }

  String id() {
    return run.id();
  }

  /** Records why the execution must stop; the first reason wins. */
  boolean requestStop(RunStatus status, String error) {
    boolean first = stop.compareAndSet(null, new Stop(status, error));
    output.stop();
    return first;
  }
}
