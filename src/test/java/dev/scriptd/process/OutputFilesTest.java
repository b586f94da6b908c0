package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.domain.RunOutputs;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("SCRIPTD_OUTPUT files")
class OutputFilesTest {
  @TempDir
  Path dataDir;

  @Test
  @DisplayName("a run's file is empty and private in a private directory of its own; reading it removes both")
  void lifecycle() throws Exception {
    OutputFiles files = new OutputFiles(dataDir.resolve("outputs"), null);
    Path file = files.create("run-1");
    assertEquals(0, Files.size(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("outputs"))));
    Files.writeString(file, "a=1\nb=2\n");
    RunOutputs read = files.readAndRemove(file);
    assertEquals(new JsonObject().put("a", "1").put("b", "2"), read.outputs());
    assertFalse(Files.exists(file));
    assertFalse(Files.exists(file.getParent()));
  }

  @Test
  @DisplayName("at most 64 KiB are read; a file the run removed reads as no outputs")
  void bounded() throws Exception {
    OutputFiles files = new OutputFiles(dataDir.resolve("outputs"), null);
    Path big = files.create("run-2");
    Files.write(big, ("x=" + "y".repeat(200_000) + "\nz=1\n").getBytes(StandardCharsets.UTF_8));
    RunOutputs read = files.readAndRemove(big);
    assertEquals(new JsonObject(), read.outputs());
    assertTrue(read.dropped().contains("only the first 65536 were read"), read.dropped());

    Path gone = files.create("run-3");
    Files.delete(gone);
    assertEquals(new JsonObject(), files.readAndRemove(gone).outputs());
    assertFalse(Files.exists(gone.getParent()));
  }

  @Test
  @DisplayName("leftovers of runs from before a restart are cleared; a run id used again starts empty")
  void leftovers() throws Exception {
    OutputFiles files = new OutputFiles(dataDir.resolve("outputs"), null);
    Path old = files.create("run-4");
    Files.writeString(old, "stale=1\n");
    Path again = files.create("run-4");
    assertEquals(0, Files.size(again));
    files.create("run-5");
    files.clearLeftovers();
    try (var entries = Files.list(dataDir.resolve("outputs"))) {
      assertEquals(0, entries.count());
    }
  }
}
