package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A run's copy methods change their own field and keep every other one")
class RunCopyTest {
  /** A run with every field set, so a copy that forgets one shows it. */
  private static Run full() {
    return Run.pending("r", "s", Run.KIND_SHELL, "true", "api", 60, Map.of("A", "b"), null, null,
            Instant.parse("2026-12-06T19:12:42.662Z"))
        .started(42, 7L, Instant.parse("2026-12-06T19:12:43Z"))
        .withCreatedBy("admin")
        .withIo(new RunIo(new JsonObject().put("n", 1), Set.of(), new JsonObject().put("o", "x")))
        .withLineage(new RunLineage("parent", "first", 2, null, 1))
        .withUsage(new RunUsage(12L, 3L, null, null, RunUsage.PROCESS_GROUP))
        .withNode("node-1")
        .withPinned(true)
        .ended(RunStatus.FAILED, 1, null, "it failed", Instant.parse("2026-12-06T19:12:44Z"));
  }

  private static void assertSameBut(Run before, Run after, String changed) throws Exception {
    for (RecordComponent component : Run.class.getRecordComponents()) {
      if (!component.getName().equals(changed)) {
        assertEquals(component.getAccessor().invoke(before), component.getAccessor().invoke(after),
            component.getName() + " was not kept");
      }
    }
  }

  @Test
  @DisplayName("withErrorAdded appends to the error and keeps who started it, params, outputs, lineage, usage and node")
  void errorAddedKeepsTheRest() throws Exception {
    Run run = full();
    Run added = run.withErrorAdded("3 log lines could not be stored");
    assertEquals("it failed; 3 log lines could not be stored", added.error());
    assertSameBut(run, added, "error");
  }

  @Test
  @DisplayName("withProgress and withLog keep the rest too")
  void otherCopiesKeepTheRest() throws Exception {
    Run run = full();
    assertSameBut(run, run.withProgress(50), "progress");
    Run logged = run.withLog(5, 50);
    assertEquals(5, logged.logLines());
    assertSameBut(run, logged.withLog(run.logLines(), run.logBytes()), "");
  }
}
