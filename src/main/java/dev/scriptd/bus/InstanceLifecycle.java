package dev.scriptd.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * The start and stop order of one scriptd instance's verticles, whichever way they are deployed and
 * undeployed. At start, runs left waiting by a previous server are queued again only once the
 * whole instance is deployed ({@link #deployed}), so a restored JavaScript run finds the JS
 * verticle. At JVM exit the runs end and storage writes what it holds without an undeploy
 * ({@link #jvmExiting}). At stop, one by one in reverse (the handle's close) or all at once (a host's
 * {@code vertx.close()} undeploys the children of its verticle together), storage must outlive
 * the run owner, which ends every run and saves it as it stops: the run owner says when it holds
 * runs ({@link #runsStarted}) and when every run it held has ended ({@link #runsEnded}); storage
 * waits for that before it stops ({@link #whenRunsEnded}). Thread-safe; the futures complete on
 * whichever thread completes them, so a verticle hops back to its own context before it touches
 * its state.
 */
public final class InstanceLifecycle {
  private final Promise<Void> deployed = Promise.promise();
  private final Promise<Void> exiting = Promise.promise();
  private final Promise<Void> flushed = Promise.promise();
  private final Promise<Void> runsEnded = Promise.promise();
  private final Promise<Void> storageClosed = Promise.promise();
  private volatile boolean runsStarted;

  /** Every verticle of the instance is deployed. */
  public void deployed() {
    deployed.tryComplete();
  }

  public Future<Void> whenDeployed() {
    return deployed.future();
  }

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

  /**
   * The JVM is exiting (its shutdown hook): the run owner ends its runs and storage writes what it
   * buffered, without being undeployed (the host may be closing the Vertx at the same moment, and
   * two undeploys of one deployment fail the host's).
   */
  public void jvmExiting() {
    exiting.tryComplete();
  }

  public Future<Void> whenJvmExiting() {
    return exiting.future();
  }

  /** After the runs ended at JVM exit, storage wrote every buffered line and run row. */
  public void flushed() {
    flushed.tryComplete();
  }

  public Future<Void> whenFlushed() {
    return flushed.future();
  }

  /** Storage stopped: the last lines and run rows are written and the database is closed. */
  public void storageClosed() {
    storageClosed.tryComplete();
  }

  public Future<Void> whenStorageClosed() {
    return storageClosed.future();
  }
}
