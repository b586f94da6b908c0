package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.domain.Script;
import dev.scriptd.process.ScriptQueue.Verdict;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ScriptQueue: the concurrency decisions of scripts' runs, without I/O")
class ScriptQueueTest {
  private final ScriptQueue queue = new ScriptQueue();

  private void activeRun(String script, String run) {
    queue.starting(script);
    queue.started(script, run, false);
  }

  @Test
  @DisplayName("allow always starts, however many runs are active")
  void allowAlwaysStarts() {
    activeRun("s", "r1");
    activeRun("s", "r2");
    assertEquals(Verdict.START, queue.decide("s", Script.ALLOW).verdict());
  }

  @Test
  @DisplayName("forbid refuses while a run is active or a start is in flight, and starts once idle")
  void forbidRefusesWhileBusy() {
    assertEquals(Verdict.START, queue.decide("s", Script.FORBID).verdict());
    queue.starting("s");
    assertEquals(Verdict.REFUSE, queue.decide("s", Script.FORBID).verdict());
    assertEquals("(starting)", queue.describeActive("s"));
    queue.started("s", "r1", false);
    assertEquals(Verdict.REFUSE, queue.decide("s", Script.FORBID).verdict());
    assertEquals("r1", queue.describeActive("s"));
    queue.ended("s", "r1");
    assertEquals(Verdict.START, queue.decide("s", Script.FORBID).verdict());
  }

  @Test
  @DisplayName("a start that gave a run already ended leaves the script idle")
  void aStartThatEndedAtOnceLeavesItIdle() {
    queue.starting("s");
    queue.started("s", "r1", true);
    assertEquals(Verdict.START, queue.decide("s", Script.FORBID).verdict());
    assertTrue(queue.scripts().isEmpty(), "idle scripts hold no state");
  }

  @Test
  @DisplayName("queue: runs wait in order and go one at a time, each once the previous one ended")
  void queuedRunsGoInOrder() {
    activeRun("s", "r1");
    assertEquals(Verdict.ENQUEUE, queue.decide("s", Script.QUEUE).verdict());
    queue.enqueue("s", "q1", false);
    queue.enqueue("s", "q2", false);
    assertNull(queue.next("s"), "nothing goes while r1 is active");
    queue.ended("s", "r1");
    assertEquals("q1", queue.next("s"));
    assertNull(queue.next("s"), "q1's start is in flight");
    queue.started("s", "q1", false);
    assertNull(queue.next("s"));
    queue.ended("s", "q1");
    assertEquals("q2", queue.next("s"));
    queue.started("s", "q2", false);
    queue.ended("s", "q2");
    assertTrue(queue.scripts().isEmpty());
  }

  @Test
  @DisplayName("queue: a new run waits behind queued ones even when nothing is active")
  void aNewRunDoesNotOvertakeTheQueue() {
    queue.enqueue("s", "q1", true);
    assertEquals(Verdict.ENQUEUE, queue.decide("s", Script.QUEUE).verdict());
  }

  @Test
  @DisplayName("queue: the head waits until its row is saved")
  void theHeadWaitsForItsSave() {
    queue.enqueue("s", "q1", true);
    assertNull(queue.next("s"));
    queue.saved("q1");
    assertEquals("q1", queue.next("s"));
  }

  @Test
  @DisplayName("a cancelled queued run leaves its queue; its script is forgotten once idle")
  void aCancelledRunLeavesTheQueue() {
    queue.enqueue("s", "q1", false);
    assertEquals("s", queue.queuedScript("q1"));
    assertTrue(queue.remove("q1"));
    assertFalse(queue.remove("q1"));
    assertNull(queue.queuedScript("q1"));
    assertTrue(queue.scripts().isEmpty());
  }

  @Test
  @DisplayName("replace ends every active run, oldest first, and starts when none is active")
  void replaceEndsTheActiveRuns() {
    assertEquals(Verdict.START, queue.decide("s", Script.REPLACE).verdict());
    activeRun("s", "r1");
    activeRun("s", "r2");
    ScriptQueue.Decision decision = queue.decide("s", Script.REPLACE);
    assertEquals(Verdict.REPLACE, decision.verdict());
    assertEquals(List.of("r1", "r2"), decision.toEnd());
  }

  @Test
  @DisplayName("an end of a queued run (killed elsewhere) takes it out of the queue")
  void anEndTakesARunOutOfTheQueue() {
    activeRun("s", "r1");
    queue.enqueue("s", "q1", false);
    queue.ended("s", "q1");
    assertEquals(List.of(), queue.queue("s"));
    assertNull(queue.queuedScript("q1"));
    queue.ended("s", "r1");
    assertNull(queue.next("s"));
  }

  @Test
  @DisplayName("scripts are apart: one script's runs never hold another's back")
  void scriptsAreApart() {
    activeRun("a", "r1");
    assertEquals(Verdict.START, queue.decide("b", Script.FORBID).verdict());
    assertEquals(Verdict.START, queue.decide("b", Script.QUEUE).verdict());
  }
}
