package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("The orphan reaper shows as scriptd-reaper in ps, not as its whole script")
class ReaperProcessNameTest {
  @TempDir
  Path dataDir;

  @Test
  @DisplayName("the server's reaper child has argv0 scriptd-reaper and a short command line")
  void reaperName(Vertx vertx) throws Exception {
    TestServer server = TestServer.start(vertx, dataDir);
    try {
      List<String> argv = awaitReaper();
      assertEquals("scriptd-reaper", argv.get(0));
      String whole = String.join(" ", argv);
      assertFalse(whole.contains("read -r"), "the script is not on the command line: " + whole);
      assertFalse(whole.length() > 100, whole);
    } finally {
      server.close();
    }
  }

  /** The argv of this JVM's child whose argv0 is scriptd-reaper (after its exec), waiting for it. */
  private static List<String> awaitReaper() {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < end) {
      Optional<List<String>> found = ProcessHandle.current().children()
          .map(child -> argv(child.pid()))
          .filter(argv -> !argv.isEmpty() && argv.get(0).equals("scriptd-reaper"))
          .findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      LockSupport.parkNanos(50_000_000L);
    }
    fail("no child process named scriptd-reaper; children: " + ProcessHandle.current().children()
        .map(child -> String.join(" ", argv(child.pid()))).toList());
    return List.of();
  }

  private static List<String> argv(long pid) {
    try {
      String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
          StandardCharsets.UTF_8);
      return cmdline.isEmpty() ? List.of() : List.of(cmdline.split("\0"));
    } catch (IOException gone) {
      return List.of();
    }
  }
}
