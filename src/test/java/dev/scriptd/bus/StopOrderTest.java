package dev.scriptd.bus;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("StopOrder: storage waits for the run owner only when it started")
class StopOrderTest {
  @Test
  @DisplayName("with no run owner started, storage need not wait")
  void noRunOwner() {
    assertTrue(new StopOrder().whenRunsEnded().succeeded());
  }

  @Test
  @DisplayName("once the run owner started, storage waits until it says its runs ended")
  void waitsForTheRunOwner() {
    StopOrder order = new StopOrder();
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
    StopOrder order = new StopOrder();
    Future<Void> closed = order.whenStorageClosed();
    assertFalse(closed.isComplete());
    order.storageClosed();
    order.storageClosed();
    assertTrue(closed.succeeded());
  }
}
