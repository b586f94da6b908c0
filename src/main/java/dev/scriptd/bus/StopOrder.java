package dev.scriptd.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * The order in which one scriptd instance's verticles stop, however they are undeployed: one by
 * one in reverse (the handle's close), or all at once (a host's {@code vertx.close()} undeploys
 * the children of its verticle together). Storage must outlive the run owner, which ends every
 * run and saves it as it stops: the run owner says when it holds runs ({@link #runsStarted}) and
 * when every run it held has ended ({@link #runsEnded}); storage waits for that before it stops
 * ({@link #whenRunsEnded}). Thread-safe; the futures complete on whichever thread completes them,
 * so a verticle hops back to its own context before it touches its state.
 */
public final class StopOrder {
  private final Promise<Void> runsEnded = Promise.promise();
  private final Promise<Void> storageClosed = Promise.promise();
  private volatile boolean runsStarted;

  /** The run owner started (it may hold runs from now on). */
  public void runsStarted() {
    runsStarted = true;
  }

  /** The run owner stopped (or failed to start): every run it held has ended and was saved. */
  public void runsEnded() {
    runsEnded.tryComplete();
  }

  /** Completes once the run owner stopped; at once when it never started. */
  public Future<Void> whenRunsEnded() {
    return runsStarted ? runsEnded.future() : Future.succeededFuture();
  }

  /** Storage stopped: the last lines and run rows are written and the database is closed. */
  public void storageClosed() {
    storageClosed.tryComplete();
  }

  public Future<Void> whenStorageClosed() {
    return storageClosed.future();
  }
}
