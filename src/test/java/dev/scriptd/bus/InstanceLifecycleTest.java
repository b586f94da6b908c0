package dev.scriptd.bus;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("InstanceLifecycle: restores wait for the whole deployment; storage waits for the run owner only when it started")
class InstanceLifecycleTest {
  @Test
  @DisplayName("with no run owner started, storage need not wait")
  void noRunOwner() {
    assertTrue(new InstanceLifecycle().whenRunsEnded().succeeded());
  }

  @Test
  @DisplayName("once the run owner started, storage waits until it says its runs ended")
  void waitsForTheRunOwner() {
    InstanceLifecycle order = new InstanceLifecycle();
    order.runsStarted();
    Future<Void> ended = order.whenRunsEnded();
    assertFalse(ended.isComplete());
    order.runsEnded();
    assertTrue(ended.succeeded());
    order.runsEnded(); // a second end (stop after a failed start) is harmless
    assertTrue(order.whenRunsEnded().succeeded());
  }

  @Test
  @DisplayName("storage closed is told once and seen by every waiter")
  void storageClosed() {
    InstanceLifecycle order = new InstanceLifecycle();
    Future<Void> closed = order.whenStorageClosed();
    assertFalse(closed.isComplete());
    order.storageClosed();
    order.storageClosed();
    assertTrue(closed.succeeded());
  }

  @Test
  @DisplayName("the restore of waiting runs waits until every verticle is deployed")
  void deployedOnce() {
    InstanceLifecycle lifecycle = new InstanceLifecycle();
    Future<Void> deployed = lifecycle.whenDeployed();
    assertFalse(deployed.isComplete());
    lifecycle.deployed();
    lifecycle.deployed();
    assertTrue(deployed.succeeded());
  }

  @Test
  @DisplayName("at JVM exit: told once, and the flush after it is seen by the waiting hook")
  void jvmExit() {
    InstanceLifecycle lifecycle = new InstanceLifecycle();
    Future<Void> exiting = lifecycle.whenJvmExiting();
    Future<Void> flushed = lifecycle.whenFlushed();
    assertFalse(exiting.isComplete());
    lifecycle.jvmExiting();
    lifecycle.jvmExiting();
    assertTrue(exiting.succeeded());
    assertFalse(flushed.isComplete());
    lifecycle.flushed();
    assertTrue(flushed.succeeded());
  }
}
