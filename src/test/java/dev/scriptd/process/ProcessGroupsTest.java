package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Finding a run's processes by the marker in their environment")
class ProcessGroupsTest {
  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  @DisplayName("only an exact SCRIPTD_RUN_ID entry matches, wherever it stands")
  void exactEntry() {
    byte[] marker = bytes("SCRIPTD_RUN_ID=abc");
    assertTrue(ProcessGroups.holds(bytes("PATH=/bin\0SCRIPTD_RUN_ID=abc\0HOME=/\0"), marker));
    assertTrue(ProcessGroups.holds(bytes("SCRIPTD_RUN_ID=abc"), marker));
    assertFalse(ProcessGroups.holds(bytes("SCRIPTD_RUN_ID=abcd\0"), marker));
    assertFalse(ProcessGroups.holds(bytes("X_SCRIPTD_RUN_ID=abc\0"), marker));
    assertFalse(ProcessGroups.holds(new byte[0], marker));
  }

  @Test
  @DisplayName("a process that left its group and session with setsid is found by its marker")
  void setsidProcessIsFound() throws Exception {
    String runId = UUID.randomUUID().toString();
    ProcessBuilder builder = new ProcessBuilder("setsid", "sleep", "30");
    builder.environment().put("SCRIPTD_RUN_ID", runId);
    Process sleeper = builder.start();
    try {
      assertEquals(List.of((int) sleeper.pid()), ProcessGroups.marked(runId));
      assertEquals(List.of(), ProcessGroups.marked(UUID.randomUUID().toString()));
    } finally {
      sleeper.destroyForcibly().waitFor();
    }
  }
}
