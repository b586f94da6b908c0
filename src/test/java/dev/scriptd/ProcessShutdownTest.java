package dev.scriptd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ProcessShutdown: NuProcess's own JVM shutdown hook is off unless the host set it")
class ProcessShutdownTest {
  private String before;

  @BeforeEach
  void remember() {
    before = System.getProperty(ProcessShutdown.NUPROCESS_HOOK);
  }

  @AfterEach
  void restore() {
    if (before == null) {
      System.clearProperty(ProcessShutdown.NUPROCESS_HOOK);
    } else {
      System.setProperty(ProcessShutdown.NUPROCESS_HOOK, before);
    }
  }

  @Test
  @DisplayName("unset, the property becomes false")
  void unsetBecomesFalse() {
    System.clearProperty(ProcessShutdown.NUPROCESS_HOOK);
    ProcessShutdown.disableNuProcessHook();
    assertEquals("false", System.getProperty(ProcessShutdown.NUPROCESS_HOOK));
  }

  @Test
  @DisplayName("a value the host set is kept")
  void hostValueKept() {
    System.setProperty(ProcessShutdown.NUPROCESS_HOOK, "true");
    ProcessShutdown.disableNuProcessHook();
    assertEquals("true", System.getProperty(ProcessShutdown.NUPROCESS_HOOK));
  }
}
