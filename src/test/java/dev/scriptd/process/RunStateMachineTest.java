package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.domain.RunStatus;
import dev.scriptd.process.RunStateMachine.Event;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The run state machine: every status and event pair")
class RunStateMachineTest {
  /** The whole table: null where the event is illegal. */
  private static final Map<RunStatus, Map<Event, RunStatus>> TABLE = new EnumMap<>(RunStatus.class);

  static {
    Map<Event, RunStatus> pending = new EnumMap<>(Event.class);
    pending.put(Event.STARTED, RunStatus.RUNNING);
    pending.put(Event.START_FAILED, RunStatus.FAILED);
    pending.put(Event.KILLED, RunStatus.KILLED);
    pending.put(Event.TIMED_OUT, RunStatus.KILLED);
    pending.put(Event.LOST, RunStatus.LOST);
    TABLE.put(RunStatus.PENDING, pending);
    Map<Event, RunStatus> running = new EnumMap<>(Event.class);
    running.put(Event.SUCCEEDED, RunStatus.COMPLETED);
    running.put(Event.FAILED, RunStatus.FAILED);
    running.put(Event.KILLED, RunStatus.KILLED);
    running.put(Event.TIMED_OUT, RunStatus.TIMED_OUT);
    running.put(Event.LOST, RunStatus.LOST);
    TABLE.put(RunStatus.RUNNING, running);
  }

  @Test
  @DisplayName("each pair leads where the table says, and every other pair throws")
  void everyPairFollowsTheTable() {
    for (RunStatus from : RunStatus.values()) {
      for (Event event : Event.values()) {
        RunStatus expected = TABLE.getOrDefault(from, Map.of()).get(event);
        if (expected == null) {
          assertThrows(RunStateMachine.IllegalTransition.class, () -> RunStateMachine.next(from, event),
              from + " + " + event);
        } else {
          assertEquals(expected, RunStateMachine.next(from, event), from + " + " + event);
        }
      }
    }
  }

  @Test
  @DisplayName("every transition it allows is one the stored status accepts")
  void everyTransitionIsAllowedByTheStatus() {
    TABLE.forEach((from, events) -> events.values()
        .forEach(to -> assertTrue(from.canMoveTo(to), from + " -> " + to)));
  }

  @Test
  @DisplayName("a final status takes no event at all")
  void aFinalStatusTakesNoEvent() {
    for (RunStatus from : RunStatus.values()) {
      if (from.isFinal()) {
        for (Event event : Event.values()) {
          assertThrows(RunStateMachine.IllegalTransition.class, () -> RunStateMachine.next(from, event));
        }
      }
    }
  }

  @Test
  @DisplayName("an end asked for wins over the exit; without one the exit decides")
  void theEndEventOfARun() {
    assertEquals(Event.SUCCEEDED, RunStateMachine.endEvent(null, true));
    assertEquals(Event.FAILED, RunStateMachine.endEvent(null, false));
    assertEquals(Event.KILLED, RunStateMachine.endEvent(RunStatus.KILLED, true));
    assertEquals(Event.TIMED_OUT, RunStateMachine.endEvent(RunStatus.TIMED_OUT, true));
    assertEquals(Event.FAILED, RunStateMachine.endEvent(RunStatus.FAILED, true));
    assertThrows(IllegalArgumentException.class, () -> RunStateMachine.endEvent(RunStatus.RUNNING, true));
  }
}
