package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Run slots: the concurrency limit, the wait queue, and the endpoints' share of both")
class RunSlotsTest {
  /** Admits a run as the run owner does: refusal check, then a slot or the queue. */
  private static boolean admit(RunSlots slots, String id, boolean endpoint, List<String> granted) {
    if (slots.refusal(endpoint) != null) {
      return false;
    }
    if (!slots.tryTake(id, endpoint)) {
      slots.whenSlotFree(id, endpoint, () -> granted.add(id));
    } else {
      granted.add(id);
    }
    return true;
  }

  @Test
  @DisplayName("endpoint runs are refused at their share of slots plus queue, and the API's runs still get in")
  void endpointRunsCannotFillTheQueue() {
    RunSlots slots = new RunSlots(2, 4, 50); // endpoint runs: 1 slot, 3 of the 6 places
    List<String> granted = new ArrayList<>();
    assertTrue(admit(slots, "e1", true, granted));
    assertTrue(admit(slots, "e2", true, granted));
    assertTrue(admit(slots, "e3", true, granted));
    assertNotNull(slots.refusal(true), "a fourth endpoint run is past the share");
    assertEquals(List.of("e1"), granted, "endpoint runs hold at most one of the two slots");
    assertTrue(admit(slots, "api1", false, granted));
    assertEquals(List.of("e1", "api1"), granted, "the free slot goes to the API's run at once");
    assertTrue(admit(slots, "api2", false, granted));
    assertTrue(admit(slots, "api3", false, granted));
    assertNotNull(slots.refusal(false), "6 places are full");
  }

  @Test
  @DisplayName("a released slot goes to the oldest waiting run that may take it, passing endpoint runs over their share")
  void releasePassesEndpointRunsOverTheirShare() {
    RunSlots slots = new RunSlots(2, 10, 50);
    List<String> granted = new ArrayList<>();
    admit(slots, "e1", true, granted);
    admit(slots, "api1", false, granted);
    admit(slots, "e2", true, granted);
    admit(slots, "api2", false, granted);
    assertEquals(List.of("e1", "api1"), granted);
    slots.release("api1");
    assertEquals(List.of("e1", "api1", "api2"), granted, "e2 waits: e1 holds the endpoints' only slot");
    slots.release("e1");
    assertEquals(List.of("e1", "api1", "api2", "e2"), granted);
    assertEquals(2, slots.active());
    assertEquals(0, slots.waiting());
  }

  @Test
  @DisplayName("without endpoint runs the slots and the queue behave as before: FIFO, refused when full")
  void plainFifo() {
    RunSlots slots = new RunSlots(1, 1);
    List<String> granted = new ArrayList<>();
    assertTrue(admit(slots, "a", false, granted));
    assertTrue(admit(slots, "b", false, granted));
    assertFalse(admit(slots, "c", false, granted));
    assertTrue(slots.withdraw("b"));
    assertNull(slots.refusal(false));
    slots.release("a");
    assertEquals(List.of("a"), granted);
    assertEquals(0, slots.active());
  }

  @Test
  @DisplayName("starts being saved count against the endpoints' share too")
  void reservedCount() {
    RunSlots slots = new RunSlots(2, 2, 50); // endpoint share: 2 places
    slots.reserve(true);
    slots.reserve(true);
    assertNotNull(slots.refusal(true));
    assertNull(slots.refusal(false));
    slots.unreserve(true);
    assertNull(slots.refusal(true));
  }
}
